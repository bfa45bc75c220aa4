"""Declared parameters of a Misskey endpoint, and validation that names the bad parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from tandem.api.misskey.errors import INVALID_PARAM, MisskeyError
from tandem.core.i18n import Text, as_text, one_of
from tandem.core.ids import parse_id

_ID = re.compile(r"\A[a-zA-Z0-9]+\Z")
# The integers a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER); beyond them Misskey
# would already have lost the value, so they are INVALID_PARAM here.
SAFE_INTEGER = (1 << 53) - 1
# Dates are milliseconds since the epoch, within what a JavaScript Date holds (±100M days).
MAX_DATE_MS = 8_640_000_000_000_000


class _Missing:
    pass


MISSING: Any = _Missing()


@dataclass(frozen=True)
class P:
    """One parameter: JSON type (or "id"), and the limits Misskey's schema puts on it."""

    type: str
    required: bool = False
    nullable: bool = False
    default: Any = MISSING
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    items: P | None = None
    properties: dict[str, P] | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    extra: bool = field(default=False)  # objects: keep keys not declared
    any_of: tuple[P, ...] | None = None  # the first alternative that accepts the value wins


def _bad(name: str, reason: str) -> MisskeyError:
    return invalid(name, reason)


def invalid(name: str, reason: str) -> MisskeyError:
    """INVALID_PARAM naming the parameter, in `info` (as Misskey) and in the message."""
    message = Text("Invalid param: {param} {reason}.", param=name, reason=as_text(reason))
    return INVALID_PARAM.explained(message, param=name, reason=str(reason))


def _check(name: str, spec: P, value: Any, *, from_text: bool) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise _bad(name, Text("must not be null"))
    if from_text and isinstance(value, str) and spec.type in ("boolean", "integer", "number"):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise _bad(name, Text("cannot cast to {type}", type=spec.type)) from None
    if spec.any_of is not None:
        return _check_any(name, spec.any_of, value, from_text=from_text)
    kind = spec.type
    if kind == "string" and not isinstance(value, str):
        raise _bad(name, Text("must be string"))
    if kind == "id":
        if not isinstance(value, str) or not _ID.match(value):
            raise _bad(name, Text("must be an id string"))
        parsed = parse_id(value)
        return parsed if parsed is not None else -1  # a well-formed id that cannot exist
    if kind == "boolean" and not isinstance(value, bool):
        raise _bad(name, Text("must be boolean"))
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise _bad(name, Text("must be integer"))
    if kind == "integer" and not -SAFE_INTEGER <= value <= SAFE_INTEGER:
        raise _bad(
            name,
            Text("must be a safe integer (between -{max} and {max})", max=SAFE_INTEGER),
        )
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise _bad(name, Text("must be number"))
    if kind == "array" and not isinstance(value, list):
        raise _bad(name, Text("must be array"))
    if kind == "object" and not isinstance(value, dict):
        raise _bad(name, Text("must be object"))
    if spec.enum is not None and value not in spec.enum:
        raise _bad(name, one_of(map(str, spec.enum)))
    if isinstance(value, str):
        if spec.min_length is not None and len(value) < spec.min_length:
            raise _bad(
                name,
                Text("must NOT have fewer than {count} characters", count=spec.min_length),
            )
        if spec.max_length is not None and len(value) > spec.max_length:
            raise _bad(
                name,
                Text("must NOT have more than {count} characters", count=spec.max_length),
            )
        if spec.pattern is not None and not re.search(spec.pattern, value):
            raise _bad(name, Text('must match pattern "{pattern}"', pattern=spec.pattern))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise _bad(name, Text("must be >= {min}", min=f"{spec.minimum:g}"))
        if spec.maximum is not None and value > spec.maximum:
            raise _bad(name, Text("must be <= {max}", max=f"{spec.maximum:g}"))
    if isinstance(value, list):
        return _check_list(name, spec, value, from_text)
    if isinstance(value, dict) and spec.properties is not None:
        return validate(spec.properties, value, prefix=f"{name}.", extra=spec.extra)
    return value


def _check_any(name: str, options: tuple[P, ...], value: Any, *, from_text: bool) -> Any:
    first: MisskeyError | None = None
    for option in options:
        try:
            return _check(name, option, value, from_text=from_text)
        except MisskeyError as err:
            first = first or err
    assert first is not None
    raise first


def _check_list(name: str, spec: P, value: list[Any], from_text: bool) -> list[Any]:
    if spec.min_items is not None and len(value) < spec.min_items:
        raise _bad(name, Text("must NOT have fewer than {count} items", count=spec.min_items))
    if spec.max_items is not None and len(value) > spec.max_items:
        raise _bad(name, Text("must NOT have more than {count} items", count=spec.max_items))
    if spec.unique_items and len({orjson.dumps(v) for v in value}) != len(value):
        raise _bad(name, Text("must NOT have duplicate items"))
    if spec.items is None:
        return value
    return [_check(f"{name}[{i}]", spec.items, v, from_text=from_text) for i, v in enumerate(value)]


def validate(
    schema: dict[str, P],
    data: dict[str, Any],
    *,
    prefix: str = "",
    extra: bool = False,
    from_text: bool = False,
) -> dict[str, Any]:
    """Checked values; absent optional parameters are left out (so callers see "omitted").

    Keys the schema does not declare are dropped (kept with `extra`): Misskey's Ajv schemas
    allow additional properties, and clients rely on it (megalodon posts Mastodon-style
    profile fields to `i/update`; misskey-js sends `i` in the body).
    """
    out: dict[str, Any] = {k: v for k, v in data.items() if k not in schema} if extra else {}
    for name, spec in schema.items():
        if name not in data:
            if spec.required:
                raise _bad(
                    f"{prefix}{name}", Text("must have required property '{name}'", name=name)
                )
            if spec.default is not MISSING:
                out[name] = spec.default
            continue
        out[name] = _check(f"{prefix}{name}", spec, data[name], from_text=from_text)
    return out


# Shorthands for the common shapes.
ID = P("id")
REQ_ID = P("id", required=True)
LIMIT = P("integer", minimum=1, maximum=100, default=10)
DATE = P("integer", minimum=-MAX_DATE_MS, maximum=MAX_DATE_MS)
PAGE: dict[str, P] = {
    "limit": LIMIT,
    "sinceId": ID,
    "untilId": ID,
    "sinceDate": DATE,
    "untilDate": DATE,
}
