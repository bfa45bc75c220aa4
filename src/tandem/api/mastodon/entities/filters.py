"""Filter, FilterKeyword, FilterStatus, FilterResult and V1Filter."""

from __future__ import annotations

from tandem.api.mastodon.entities import filter_types as f
from tandem.api.mastodon.formats import iso_ms
from tandem.core.filters import Match
from tandem.core.models import Filter, FilterKeyword, FilterStatus


def keyword(k: FilterKeyword) -> f.FilterKeyword:
    return {"id": str(k.id), "keyword": k.keyword, "whole_word": k.whole_word}


def status_entry(s: FilterStatus) -> f.FilterStatus:
    return {"id": str(s.id), "status_id": str(s.status_id)}


def content_filter(item: Filter, *, rules: bool = True) -> f.Filter:
    data: f.Filter = {
        "id": str(item.id),
        "title": item.title,
        "context": item.context,
        "expires_at": iso_ms(item.expires_at),
        "filter_action": item.filter_action,
    }
    if rules:
        data["keywords"] = [keyword(k) for k in item.keywords]
        data["statuses"] = [status_entry(s) for s in item.statuses]
    return data


def result(m: Match) -> f.FilterResult:
    return {
        "filter": content_filter(m.filter, rules=False),
        "keyword_matches": m.keyword_matches,
        "status_matches": m.status_matches,
    }


def v1_filters(item: Filter) -> list[f.V1Filter]:
    """The v1 API sees one filter per keyword."""
    return [
        {
            "id": str(k.id),
            "phrase": k.keyword,
            "context": item.context,
            "whole_word": k.whole_word,
            "expires_at": iso_ms(item.expires_at),
            "irreversible": item.filter_action == "hide",
        }
        for k in item.keywords
    ]
