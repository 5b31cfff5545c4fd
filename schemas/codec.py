"""orjson on the wire, JSON Schema at the boundary.

Faust checks no types at run time (``validation=True`` only runs field
validators), so every message an agent reads is validated here against the
JSON Schema generated from its Record — the same files downstream consumers
validate against — before the pure core sees it. A message that fails becomes
a `PipelineError` with kind ``decode`` (not JSON) or ``schema`` (wrong shape),
which the agent turns into a dead letter.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import faust
import orjson

from newsflow.core.errors import PipelineError
from newsflow.core.types import SCHEMA_VERSION
from newsflow.schemas.records import NAMESPACE, RECORDS

CODEC_NAME = "orjson"
SCHEMA_DIR = Path(__file__).resolve().parent
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def _default(obj: Any) -> Any:
    """Let orjson serialize nested Records the way Faust's own JSON codec does."""
    if isinstance(obj, faust.Record):
        return obj.to_representation()
    raise TypeError(f"cannot serialize {type(obj).__name__}")


def register_codec() -> None:
    """Make ``value_serializer="orjson"`` available to every Faust topic and table.

    Faust's codec module imports its app and web types (aiohttp…, about 0.15 s): it is
    imported here, by the worker that registers the codec, and not when this module
    is, so a stage's child process that only decodes and encodes never pays for it.
    """
    from faust.serializers import codecs

    class OrjsonCodec(codecs.Codec):
        """Faust codec backed by orjson: several times faster than the stdlib json codec."""

        def _dumps(self, obj: Any) -> bytes:
            return orjson.dumps(obj, default=_default)

        def _loads(self, s: bytes) -> Any:
            return orjson.loads(s)

    current = codecs.codecs.get(CODEC_NAME)
    if current is None or type(current).__name__ != "OrjsonCodec":
        codecs.register(CODEC_NAME, OrjsonCodec())


# ---------------------------------------------------------------- JSON Schema


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = (
            _schema_for(args[0], defs)
            if len(args) == 1
            else {"anyOf": [_schema_for(a, defs) for a in args]}
        )
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "items": _schema_for(item, defs)}
    if origin is dict:
        _key, value = typing.get_args(tp)
        return {"type": "object", "additionalProperties": _schema_for(value, defs)}
    if isinstance(tp, type) and issubclass(tp, faust.Record):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema mapping for {tp!r}")


def _object_schema(record: type[faust.Record], defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(record)
    fields = record._options.fields
    required = [name for name, f in record._options.descriptors.items() if f.required]
    return {
        "type": "object",
        "title": record.__name__,
        "description": (record.__doc__ or "").strip(),
        "x-faust-namespace": record._options.namespace,
        "properties": {name: _schema_for(hints[name], defs) for name in fields},
        "required": required,
    }


def json_schema(record: type[faust.Record]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record, nested records under ``$defs``."""
    defs: dict[str, Any] = {}
    body = _object_schema(record, defs)
    defs.pop(record.__name__, None)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:{NAMESPACE}:{record.__name__}",
        **body,
        "x-schema-version": SCHEMA_VERSION,
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def schema_path(record: type[faust.Record]) -> Path:
    """Where the exported schema of ``record`` is committed."""
    return SCHEMA_DIR / f"{record.__name__}.schema.json"


def render_schema(record: type[faust.Record]) -> bytes:
    """Stable bytes for a schema file, so that drift shows as a diff."""
    return (
        orjson.dumps(json_schema(record), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )


def export_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write one ``<Record>.schema.json`` per record and return the paths written."""
    written = []
    for record in RECORDS:
        path = directory / schema_path(record).name
        path.write_bytes(render_schema(record))
        written.append(path)
    return written


# ------------------------------------------------------------- boundary checks


_VALIDATORS: dict[str, Callable[[Any], Any]] = {}


def _validator(record: type[faust.Record]) -> Callable[[Any], Any]:
    """The compiled validator of ``record``, compiled once per process."""
    cached = _VALIDATORS.get(record._options.namespace)
    if cached is not None:
        return cached
    # fastjsonschema does not know draft 2020-12's keyword set by name; the
    # schemas only use keywords that draft-07 shares, so compile them as such.
    schema = {k: v for k, v in json_schema(record).items() if k != "$schema"}
    schema = orjson.loads(orjson.dumps(schema).replace(b"#/$defs/", b"#/definitions/"))
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
    validator: Callable[[Any], Any] = fastjsonschema.compile(schema)
    _VALIDATORS[record._options.namespace] = validator
    return validator


def validate(record: type[faust.Record], data: Any) -> dict[str, Any]:
    """Check ``data`` against the record's schema; return it without Faust metadata."""
    if not isinstance(data, dict):
        raise PipelineError(
            "schema", f"{record.__name__} must be a JSON object, got {type(data).__name__}"
        )
    data.pop("__faust", None)
    try:
        _validator(record)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise PipelineError("schema", f"{record.__name__}: {exc.message}") from None
    return data


def decode(
    record: type[faust.Record], value: bytes | None, *, shared: bool = False
) -> dict[str, Any]:
    """Bytes from Kafka to a validated plain dict for the pure core.

    ``shared``: two agents of one process that read the same topic (route and sink
    read ``news.enriched``) get the same message value object; with ``shared`` it is
    validated once, and the other agent only parses it (`_Passed`).
    """
    if value is None or len(value) == 0:
        raise PipelineError("empty", "the message has no value")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise PipelineError("decode", f"value is not JSON ({exc})") from None
    namespace = record._options.namespace
    if shared and _PASSED.seen(value, namespace) and isinstance(data, dict):
        data.pop("__faust", None)
        return with_defaults(record, data)
    data = validate(record, data)
    if shared:
        _PASSED.add(value, namespace)
    return with_defaults(record, data)


class _Passed:
    """The last message values that passed validation, by identity.

    Keyed by ``id(value)`` with the value itself kept alongside, so an id reused by a
    new object after the old one was freed can never match (``is`` is checked). Only
    immutable ``bytes`` are remembered.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: dict[tuple[int, str], bytes] = {}

    def seen(self, value: bytes, namespace: str) -> bool:
        return self.entries.get((id(value), namespace)) is value

    def add(self, value: bytes, namespace: str) -> None:
        if type(value) is not bytes:
            return
        if len(self.entries) >= self.size:
            del self.entries[next(iter(self.entries))]  # the oldest (insertion order)
        self.entries[(id(value), namespace)] = value


_PASSED = _Passed(256)


def with_defaults(record: type[faust.Record], data: dict[str, Any]) -> dict[str, Any]:
    """Fill optional fields a producer left out, so the core always sees every key."""
    for name, default in record._options.defaults.items():
        if name not in data:
            data[name] = dict(default) if isinstance(default, dict) else default
    return data


def encode(value: Any) -> bytes:
    """Any record or dict to the bytes that go on the wire."""
    return orjson.dumps(value, default=_default)
