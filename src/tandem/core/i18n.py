"""User-facing texts and their translations (gettext catalogs managed with Babel).

How it works:

- A message is written in English in the code. A constant message is a plain `str` (any
  string a serializer renders is looked up in the catalog, as gettext does); a message with
  values in it is a `Text(template, **params)`: a `str` (its English rendering, so existing
  code that compares, joins or logs messages keeps working) that also remembers its template
  (the msgid, `str.format` placeholders such as `{count}`) and its values. `Plural(singular,
  plural, count, **params)` is the same with gettext plural forms (`{count}` is set).
  A value may itself be a `Text` (rendered in the same language) or a list of them (joined).
- Translation happens at the edge: the dialects' error serializers (and the mail composer,
  which knows the recipient's locale) call `render(message, locale)`. Nothing is translated
  while a request succeeds, and English never touches a catalog.
- Catalogs are `tandem/locale/<lang>/LC_MESSAGES/tandem.po`, read with Babel and compiled in
  memory the first time a language is needed (a few milliseconds; no build step), then kept.
- Extraction: `.venv/bin/python -m tandem.core.i18n` extracts the marked messages with
  Babel (`KEYWORDS`, and `LOOSE_KEYWORDS` for sentences only) and merges them into every
  catalog: new ones come in untranslated, gone ones are dropped. `tests/test_localisation.py`
  fails while a marked message is missing from a catalog, or a catalog has an untranslated or
  fuzzy entry, or a translation's `{placeholders}` differ from its msgid's.

Marked for extraction: `Text(...)`, `Plural(...)`, the message of Misskey's `err(code,
message, …)` and of `MastodonError(status, message, …)`.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale

# The languages whose catalogs are complete (English is the code's own).
LANGUAGES: tuple[str, ...] = ("en", "ja", "de", "fr", "es")
DEFAULT = "en"
# Babel extraction keywords: name -> positions of the message arguments (1-based).
# Besides `Text` and `Plural`: the constant messages core errors and dialects are built with.
KEYWORDS: dict[str, Any] = {
    "Text": None,
    "Plural": (1, 2),
    "err": (2,),  # Misskey's err(code, message, …)
    "MastodonError": (2,),  # MastodonError(status, message, …)
    "BadRequest": (1,),
    "OAuthError": (2,),  # OAuthError(error, description)
    "FieldError": (3,),
    "DomainError": (1,),
    "Unprocessable": (1,),
    "Forbidden": (1,),
    "AuthenticationFailed": (1,),
    "AlreadyDone": (2,),
    "explained": (1,),
    "invalid": (2,),  # Misskey's invalid(param, reason)
    "_bad": (2,),
    "ImageProblem": (2,),  # ImageProblem(code, message)
}
# Generic method names: only their sentences (with a space) count, not a key such as "noteId".
LOOSE_KEYWORDS: dict[str, Any] = {
    "add": (3,),  # Errors.add(attribute, code, message)
    "one": (3,),  # ValidationFailed.one(attribute, code, message)
}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "tandem"
# How a list of values is joined, per language (Japanese uses the ideographic comma).
_SEPARATORS = {"ja": "、"}


@lru_cache(maxsize=4096)
def supported(tag: str | None) -> str | None:
    """The catalog language for a tag such as `ja`, `ja-JP`, `pt_BR` or `DE`, if there is one."""
    if not tag or len(tag) > 35:
        return None
    found = negotiate_locale([tag.strip().replace("_", "-").lower()], LANGUAGES, sep="-")
    return found if found in LANGUAGES else None


class Text(str):
    """A translatable message: English as a `str`, plus its template and values."""

    template: str
    plural: str | None
    number: int | None
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Text:
        return cls._make(template, None, None, params)

    @classmethod
    def _make(
        cls, template: str, plural: str | None, count: int | None, params: Mapping[str, object]
    ) -> Text:
        chosen = template if plural is None or count == 1 else plural
        english = _format(chosen, params, DEFAULT) if params else chosen
        self = super().__new__(cls, english)
        self.template = template
        self.plural = plural
        self.number = count
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickles as the English text
        return (str, (str(self),))


def Plural(singular: str, plural: str, count: int, /, **params: object) -> Text:
    """A message whose wording depends on `count` (available as `{count}`)."""
    return Text._make(singular, plural, count, {"count": count, **params})


def as_text(message: str) -> Text:
    """`message` as a `Text` (a constant message becomes its own template)."""
    return message if isinstance(message, Text) else Text._make(message, None, None, {})


def too_long(count: int) -> Text:
    """Mastodon's "is too long (maximum is N characters)"."""
    return Plural(
        "is too long (maximum is {count} character)",
        "is too long (maximum is {count} characters)",
        count,
    )


def too_short(count: int) -> Text:
    return Plural(
        "is too short (minimum is {count} character)",
        "is too short (minimum is {count} characters)",
        count,
    )


def too_large(max_bytes: int) -> Text:
    """An upload over its size limit, in whole MB."""
    return Text("must be less than {count} MB", count=max_bytes // (1024 * 1024))


def one_of(choices: Iterable[str]) -> Text:
    return Text("must be one of {choices}", choices=", ".join(choices))


def _format(template: str, params: Mapping[str, object], locale: str) -> str:
    values: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, str):
            values[key] = render(value, locale) if isinstance(value, Text) else value
        elif isinstance(value, list | tuple):
            separator = _SEPARATORS.get(locale, ", ")
            values[key] = separator.join(render(v, locale) for v in value)
        else:
            values[key] = value
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation: never a 500
        return template


@cache
def catalog(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of one language (an empty one for English or an unknown one)."""
    if locale == DEFAULT or locale not in LANGUAGES:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with path.open("rb") as po:
            parsed = read_po(po, domain=DOMAIN)  # (the header has the plural forms)
    except OSError:
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, parsed, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def preload() -> None:
    """Compile every catalog now (at start-up) rather than on a first localised error."""
    for language in LANGUAGES:
        catalog(language)


def render(message: str, locale: str) -> str:
    """`message` in `locale` (English when the catalog has no translation for it)."""
    if locale == DEFAULT or locale not in LANGUAGES or not message:
        return str(message)  # (gettext("") would answer the catalog's header)
    translations = catalog(locale)
    if not isinstance(message, Text):
        return translations.gettext(message)
    if message.plural is not None and message.number is not None:
        template = translations.ngettext(message.template, message.plural, message.number)
    else:
        template = translations.gettext(message.template)
    return _format(template, message.params, locale) if message.params else template


def render_tree(value: Any, locale: str) -> Any:
    """A JSON-ready value with every `Text` in it rendered (other strings left alone)."""
    if locale == DEFAULT:
        return value
    if isinstance(value, Text):
        return render(value, locale)
    if isinstance(value, dict):
        return {k: render_tree(v, locale) for k, v in value.items()}
    if isinstance(value, list):
        return [render_tree(v, locale) for v in value]
    return value


def messages() -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    """Every marked message of the source tree, with where it is (for catalogs and tests)."""
    from babel.messages.extract import extract_from_dir

    root = LOCALE_DIR.parent
    found: dict[str | tuple[str, ...], list[tuple[str, int]]] = {}
    for keywords, loose in ((KEYWORDS, False), (LOOSE_KEYWORDS, True)):
        for name, line, message, _comments, _context in extract_from_dir(
            str(root), method_map=[("**.py", "python")], keywords=keywords
        ):
            if not message or (loose and (not isinstance(message, str) or " " not in message)):
                continue
            found.setdefault(message, []).append((f"src/tandem/{name}", line))
    for name, line, message, _comments, _context in extract_from_dir(
        str(root),
        method_map=[("web/templates/**.html", "jinja2.ext:babel_extract")],
        keywords={"_": None},
    ):
        found.setdefault(message, []).append((f"src/tandem/{name}", line))
    return found


def update_catalogs() -> None:
    """Merge the source's messages into each language's catalog (translations kept)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = Catalog(project="tandem", domain=DOMAIN)
    for message, where in sorted(messages().items(), key=lambda m: str(m[0])):
        template.add(message, locations=where)
    for language in LANGUAGES[1:]:
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as po:
                catalog_ = read_po(po, locale=language, domain=DOMAIN)
        else:
            catalog_ = Catalog(
                locale=language, domain=DOMAIN, project="tandem", copyright_holder="tandem"
            )
        catalog_.update(template, no_fuzzy_matching=True)
        catalog_.obsolete.clear()
        with path.open("wb") as po:
            write_po(po, catalog_, width=100, sort_output=True, include_lineno=False)


if __name__ == "__main__":
    update_catalogs()
