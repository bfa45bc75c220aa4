"""misskey-js's generated types (`built/autogen/types.d.ts`) as JSON Schemas.

That file is openapi-typescript output: `export type components = { schemas: {...} }` and
`export interface operations {...}`, written in a small, regular subset of TypeScript (object
literals, `?` optional keys, index signatures, `|`, `&`, `T[]`, parentheses, string literals,
`null`, `components['schemas']['X']` references, `Record<string, never>`). This module parses
that subset (anything else stops it with the line it met, so a new construct in a future
misskey-js is noticed, not skipped) and turns each schema into JSON Schema: object keys without
`?` are required, unions become `anyOf`, intersections `allOf`. Extra keys stay allowed (the
types are not exact), so tandem may send more than misskey-js knows; missing or mistyped keys
fail. The converted document is cached under `~/.cache/tandem-tests`, keyed by the file's hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from support.fedify_peer import ensure_node

CLIENTS = Path(__file__).parent.parent / "clients"
TYPES = CLIENTS / "node_modules" / "misskey-js" / "built" / "autogen" / "types.d.ts"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tandem-tests"
FORMAT = 1  # bump when the conversion changes, so cached documents are rebuilt

Json = dict[str, Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<id>[A-Za-z_$][\w$]*)"
    r"|(?P<punct>\[\]|[{}\[\]()<>:;?|&,=]))"
)


@dataclass
class _Token:
    kind: str
    text: str
    line: int


def _tokens(source: str) -> list[_Token]:
    # comments carry no types (the file ends with a source map comment)
    source = re.sub(
        r"/\*.*?\*/|//[^\n]*", lambda m: "\n" * m.group().count("\n"), source, flags=re.S
    )
    out: list[_Token] = []
    pos, line = 0, 1
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            if source[pos:].strip() == "":
                break
            raise SyntaxError(f"types.d.ts line {line}: unexpected {source[pos : pos + 30]!r}")
        line += source.count("\n", pos, match.end())
        pos = match.end()
        kind = match.lastgroup or ""
        out.append(_Token(kind, match.group(kind), line))
    return out


class _Parser:
    """Recursive descent over the subset; produces JSON Schema fragments directly."""

    def __init__(self, source: str) -> None:
        self.toks = _tokens(source)
        self.i = 0

    def peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text == text and tok.kind != "str"

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        tok = self.peek()
        if tok is None:
            raise SyntaxError(f"types.d.ts: unexpected end, wanted {text or kind}")
        if (text is not None and (tok.text != text or tok.kind == "str")) or (
            kind is not None and tok.kind != kind
        ):
            raise SyntaxError(
                f"types.d.ts line {tok.line}: wanted {text or kind}, found {tok.text!r}"
            )
        self.i += 1
        return tok

    # declarations
    def declarations(self) -> dict[str, Json]:
        found: dict[str, Json] = {}
        while self.peek() is not None:
            self.take("export")
            if self.at("interface"):
                self.take("interface")
                name = self.take(kind="id").text
                found[name] = self.object_literal()
            else:
                self.take("type")
                name = self.take(kind="id").text
                self.take("=")
                found[name] = self.type_()
                self.take(";")
        return found

    # types
    def type_(self) -> Json:
        if self.at("|"):
            self.take("|")
        options = [self.intersection()]
        while self.at("|"):
            self.take("|")
            options.append(self.intersection())
        return options[0] if len(options) == 1 else _union(options)

    def intersection(self) -> Json:
        parts = [self.postfix()]
        while self.at("&"):
            self.take("&")
            parts.append(self.postfix())
        return parts[0] if len(parts) == 1 else {"allOf": parts}

    def postfix(self) -> Json:
        schema = self.primary()
        while self.at("[]"):
            self.take("[]")
            schema = {"type": "array", "items": schema}
        return schema

    def primary(self) -> Json:
        tok = self.take()
        if tok.kind == "str":
            return {"const": _string(tok.text)}
        if tok.kind == "num":
            return {"const": json.loads(tok.text)}
        if tok.text == "(":
            inner = self.type_()
            self.take(")")
            return inner
        if tok.text == "{":
            self.i -= 1
            return self.object_literal()
        if tok.text == "[":  # a tuple
            items = [self.type_()]
            while self.at(","):
                self.take(",")
                items.append(self.type_())
            self.take("]")
            return {"type": "array", "prefixItems": items, "minItems": len(items), "items": False}
        if tok.kind != "id":
            raise SyntaxError(f"types.d.ts line {tok.line}: unexpected {tok.text!r}")
        simple = {
            "string": {"type": "string"},
            "number": {"type": "number"},
            "boolean": {"type": "boolean"},
            "null": {"type": "null"},
            "true": {"const": True},
            "false": {"const": False},
            "unknown": {},
            "any": {},
            "never": {"not": {}},
            "Blob": {},  # multipart request bodies
        }
        if tok.text in simple:
            return dict(simple[tok.text])
        if tok.text == "Record":
            self.take("<")
            key = self.type_()
            self.take(",")
            value = self.type_()
            self.take(">")
            if key != {"type": "string"}:
                raise SyntaxError(f"types.d.ts line {tok.line}: Record key {key}")
            # Record<string, never> is openapi-typescript's "an object" (no declared keys).
            if value == {"not": {}}:
                return {"type": "object"}
            return {"type": "object", "additionalProperties": value}
        if tok.text in ("components", "operations", "paths"):
            path = [tok.text]
            while self.at("["):
                self.take("[")
                path.append(_string(self.take(kind="str").text))
                self.take("]")
            if path[:2] == ["components", "schemas"] and len(path) == 3:
                return {"$ref": "#/schemas/" + _escape(path[2])}
            if path[0] == "operations" and len(path) == 2:
                return {"$ref": "#/operations/" + _escape(path[1])}
            raise SyntaxError(f"types.d.ts line {tok.line}: reference {path}")
        raise SyntaxError(f"types.d.ts line {tok.line}: unknown type {tok.text!r}")

    def object_literal(self) -> Json:
        self.take("{")
        properties: dict[str, Json] = {}
        required: list[str] = []
        extra: Json | None = None
        while not self.at("}"):
            if self.at("["):  # index signature: [key: string]: T;
                self.take("[")
                self.take(kind="id")
                self.take(":")
                self.type_()
                self.take("]")
                self.take(":")
                extra = self.type_()
                self.take(";")
                continue
            tok = self.take()
            if tok.kind not in ("id", "str", "num"):
                raise SyntaxError(f"types.d.ts line {tok.line}: unexpected key {tok.text!r}")
            key = _string(tok.text) if tok.kind == "str" else tok.text
            optional = self.at("?")
            if optional:
                self.take("?")
            self.take(":")
            properties[key] = self.type_()
            self.take(";")
            if not optional:
                required.append(key)
        self.take("}")
        schema: Json = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if extra is not None and extra != {}:
            schema["additionalProperties"] = extra
        return schema


def _string(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _union(options: list[Json]) -> Json:
    consts = [o["const"] for o in options if set(o) == {"const"}]
    if len(consts) == len(options):
        return {"enum": consts}
    rest = [o for o in options if set(o) != {"const"}]
    if consts:
        rest.append({"enum": consts})
    return {"anyOf": rest}


def convert(source: str) -> Json:
    """The whole file as one JSON Schema document: `schemas` and `operations` by name."""
    found = _Parser(source).declarations()
    return {
        "schemas": found["components"]["properties"]["schemas"]["properties"],
        "operations": found["operations"]["properties"],
    }


def ensure_clients() -> None:
    """Install tests/clients (npm ci) once, as the other client tests do; same lock."""
    ensure_node()
    assert TYPES.exists(), f"{TYPES} is missing after npm ci"


@cache
def document() -> Json:
    """The converted types, from the cache when the file has not changed."""
    ensure_clients()
    source = TYPES.read_text()
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    cached = CACHE / f"misskey-js-types-{FORMAT}-{digest}.json"
    if cached.exists():
        return dict(json.loads(cached.read_text()))
    converted = convert(source)
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(converted))
    partial.replace(cached)
    return converted


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(document(), default_specification=DRAFT202012)
    return Registry().with_resource("urn:misskey-js", resource)


def schema_names() -> list[str]:
    return list(document()["schemas"])


def operations() -> set[str]:
    """The endpoints misskey-js types (`users/show`…)."""
    return {name.replace("___", "/") for name in document()["operations"]}


def operation_response(endpoint: str) -> Json | None:
    """The `$ref` to the 200 (or 204: None) response schema of an endpoint, e.g. `users/show`."""
    operation = endpoint.replace("/", "___")
    ops = document()["operations"]
    if operation not in ops:
        raise KeyError(f"misskey-js has no operation {endpoint!r}")
    responses = ops[operation]["properties"]["responses"]["properties"]
    if "200" not in responses:
        return None
    return {
        "$ref": "urn:misskey-js#/operations/"
        + _escape(operation)
        + "/properties/responses/properties/200/properties/content/properties/application~1json"
    }


def _schema_ref(name: str) -> Json:
    return {"$ref": f"urn:misskey-js#/schemas/{_escape(name)}"}


def errors(target: str | Json, data: Any) -> list[str]:
    """What is wrong with `data` as the entity `target` (a schema name) or a `$ref` schema."""
    schema = _schema_ref(target) if isinstance(target, str) else target
    validator = Draft202012Validator(schema, registry=_registry())
    found = []
    for error in validator.iter_errors(data):
        for detail in _explain(error):
            where = "/".join(map(str, detail.absolute_path)) or "(root)"
            found.append(f"{where}: {detail.message[:300]}")
    return list(dict.fromkeys(found))


def _explain(error: ValidationError) -> list[ValidationError]:
    """A union (anyOf) only says "not valid under any": report instead the errors of its
    closest branch (one whose type fits, with the fewest errors)."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def weight(errors: list[ValidationError]) -> tuple[bool, int]:
        # a value of another type, or another `type` discriminator (Notification's union)
        wrong_type = any(
            (e.validator == "type" and len(e.path) == 0)
            or (e.validator in ("const", "enum") and len(e.path) <= 1)
            for e in errors
        )
        return wrong_type, len(errors)

    explained = [[d for e in errs for d in _explain(e)] for errs in branches.values()]
    return min(explained, key=weight)


def assert_valid(target: str, data: Any, *, endpoint: bool = False) -> None:
    """`data` matches misskey-js's schema `target`, or endpoint `target`'s 200 response."""
    if endpoint:
        schema = operation_response(target)
        assert schema is not None, f"misskey-js says {target} answers 204"
        found = errors(schema, data)
    else:
        found = errors(target, data)
    what = f"the response of {target}" if endpoint else target
    assert not found, f"{what} does not match misskey-js's types:\n" + "\n".join(found)
