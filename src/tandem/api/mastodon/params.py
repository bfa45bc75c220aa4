"""Reading Mastodon request parameters with Rails' casting rules."""

from __future__ import annotations

import math
import re
from typing import Any

from tandem.api.http import BadRequest, decode_data_uri
from tandem.core.i18n import Text
from tandem.core.ids import parse_id
from tandem.core.images import Upload

_FALSE = {"0", "f", "F", "false", "FALSE", "False", "off", "OFF", "Off"}
_LEADING_INT = re.compile(r"\A\s*([+-]?)0*(\d*)")
# Integers are clamped to what a database column (int64) holds: a Ruby bignum offset or
# duration would fail there anyway, and the clamped value is just as far out of reach.
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)


def clamp64(value: int) -> int:
    return max(INT64_MIN, min(INT64_MAX, value))


class Params:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise BadRequest(Text("{name} must be a string", name=name))

    def boolean(self, name: str) -> bool | None:
        """Rails' boolean cast: absent or "" → None; 0/false/off… → False; anything else → True."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        if isinstance(value, str):
            return value not in _FALSE
        return True

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.boolean(name)
        return default if value is None else value

    def integer(self, name: str) -> int | None:
        """Ruby's to_i (leading digits, else 0; absent → None), clamped to int64."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return clamp64(value)
        if isinstance(value, float):
            return clamp64(int(value)) if math.isfinite(value) else 0
        if isinstance(value, str):
            match = _LEADING_INT.match(value)
            if match is None or not match.group(2):
                return 0
            sign, digits = match.groups()
            if len(digits) > 19:  # int() refuses thousands of digits; clamped anyway
                return INT64_MIN if sign == "-" else INT64_MAX
            return clamp64(int(sign + digits))
        raise BadRequest(Text("{name} must be a number", name=name))

    def strings(self, name: str) -> list[str] | None:
        """`name[]=a&name[]=b`, a JSON array, an index-keyed hash, or one scalar."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            value = [value]
        out = []
        for item in value:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                out.append(str(item))
            elif item is not None:
                raise BadRequest(Text("{name} must be a list of strings", name=name))
        return out

    def ids(self, name: str) -> list[int]:
        """Ids from `name[]`; values that cannot be ids are skipped like unknown ids."""
        return [i for i in (parse_id(v) for v in self.strings(name) or []) if i is not None]

    def id(self, name: str) -> int | None:
        value = self.data.get(name)
        return parse_id(value) if value not in (None, "") else None

    def upload(self, name: str) -> Upload | None:
        return as_upload(name, self.data.get(name))

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise BadRequest(Text("{name} must be a hash, like {name}[key]=value", name=name))
        return value

    def fields(self, name: str = "fields_attributes") -> list[tuple[str, str]] | None:
        """Profile fields in any of Mastodon's three encodings, in the order sent."""
        value = self.data.get(name)
        if value is None:
            return None
        if value == "":
            return []
        items = list(value.values()) if isinstance(value, dict) else value
        if not isinstance(items, list):
            raise BadRequest(
                Text("{name} must be an array or hash of {{name, value}} entries", name=name)
            )
        out: list[tuple[str, str]] = []
        for item in items:
            if not isinstance(item, dict):
                raise BadRequest(Text("each {name} entry must have a name and a value", name=name))
            field_name, field_value = item.get("name", ""), item.get("value", "")
            if not isinstance(field_name, str) or not isinstance(field_value, str):
                raise BadRequest(Text("{name} names and values must be strings", name=name))
            out.append((field_name, field_value))
        return out

    def limit(self, default: int, maximum: int | None = None) -> int:
        """Mastodon's limit_param: abs(to_i), at most twice the default unless told."""
        value = self.integer("limit")
        if value is None:
            return default
        return min(abs(value), maximum if maximum is not None else default * 2)


def as_upload(name: str, value: Any) -> Upload | None:
    """A file sent as `name`: a multipart part or a base64 `data:` URI (as Mastodon's
    Paperclip takes them); None when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, Upload):
        return value
    if isinstance(value, str) and value.startswith("data:"):
        decoded = decode_data_uri(value)
        if decoded is not None:
            return decoded
    raise BadRequest(
        Text("{name} must be a file upload (multipart/form-data) or a data: URI", name=name)
    )
