"""Validate responses against Mastodon's OpenAPI component schemas (a vendored subset)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).parent.parent / "fixtures" / "mastodon-openapi-schemas.json"


@cache
def _registry() -> tuple[Registry, dict[str, Any]]:
    document = json.loads(SPEC.read_text())
    # Status.quote is `oneOf` Quote and ShallowQuote, which overlap (each needs `state`
    # alone and allows any other key), so any quote would match both: close both objects.
    for name in ("Quote", "ShallowQuote"):
        document["components"]["schemas"][name]["additionalProperties"] = False
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    return Registry().with_resource("urn:mastodon", resource), document


def errors(entity: str, data: Any) -> list[str]:
    registry, _ = _registry()
    schema = {"$ref": f"urn:mastodon#/components/schemas/{entity}"}
    validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def assert_valid(entity: str, data: Any) -> None:
    found = errors(entity, data)
    assert not found, f"{entity} does not match Mastodon's schema:\n" + "\n".join(found)
