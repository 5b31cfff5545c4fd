from __future__ import annotations

import typing
from typing import Any

import faust
import orjson
import pytest

from newsflow.core import types
from newsflow.core.errors import PipelineError
from newsflow.schemas.codec import decode, encode, render_schema, schema_path, validate
from newsflow.schemas.records import (
    RECORDS,
    Article,
    DeadLetter,
    EnrichedArticle,
    Entity,
    Mention,
    RawPage,
    StageEvent,
    StageOutcome,
)

PAIRS = [
    (RawPage, types.RawPageDict),
    (Article, types.ArticleDict),
    (EnrichedArticle, types.EnrichedArticleDict),
    (Entity, types.EntityDict),
    (Mention, types.MentionDict),
    (DeadLetter, types.DeadLetterDict),
    (StageEvent, types.StageEventDict),
    (StageOutcome, types.StageOutcomeDict),
]


@pytest.mark.parametrize(("record", "typed"), PAIRS)
def test_each_record_is_derived_from_its_core_shape(
    record: type[faust.Record], typed: type
) -> None:
    hints = typing.get_type_hints(typed, include_extras=True)
    assert set(record._options.fields) == set(hints)
    defaults = {
        name: extra.value
        for name, hint in hints.items()
        for extra in getattr(_bare(hint), "__metadata__", ())
        if isinstance(extra, types.Default)
    }
    for name, value in record._options.defaults.items():
        # Faust also gives every optional (``X | None``) field a None default
        assert defaults.get(name) == value, name
    assert set(defaults) <= set(record._options.defaults)
    assert record.__doc__ == typed.__doc__


def _bare(hint: object) -> object:
    """A hint without its NotRequired wrapper."""
    if typing.get_origin(hint) is typing.NotRequired:
        (hint,) = typing.get_args(hint)
    return hint


def test_nested_shapes_become_nested_records() -> None:
    hints = typing.get_type_hints(EnrichedArticle)
    assert hints["article"] is Article
    assert typing.get_args(hints["entities"]) == (Entity,)
    assert typing.get_args(typing.get_type_hints(Entity)["mentions"]) == (Mention,)


@pytest.mark.parametrize("record", RECORDS)
def test_committed_json_schemas_match_the_code(record: type[faust.Record]) -> None:
    path = schema_path(record)
    assert path.exists(), f"{path.name} missing: run `make schemas`"
    assert path.read_bytes() == render_schema(record), f"{path.name} drifted: run `make schemas`"


def test_decode_fills_optional_fields() -> None:
    raw = decode(RawPage, b'{"url": "https://a.example/1", "html": "<p>x</p>"}')
    assert raw["headers"] == {} and raw["source"] == "unknown" and raw["body_b64"] is None


@pytest.mark.parametrize(
    ("value", "kind", "needle"),
    [
        (b"", "empty", "no value"),
        (b"not json", "decode", "not JSON"),
        (b"[1, 2]", "schema", "JSON object"),
        (b'{"html": "<p>"}', "schema", "url"),
        (b'{"url": 5}', "schema", "url"),
        (b'{"url": "u", "headers": {"a": 1}}', "schema", "headers"),
    ],
)
def test_decode_errors_say_what_is_wrong(value: bytes, kind: str, needle: str) -> None:
    with pytest.raises(PipelineError) as err:
        decode(RawPage, value)
    assert err.value.kind == kind
    assert needle in err.value.message


def test_nested_records_are_validated() -> None:
    with pytest.raises(PipelineError, match="EnrichedArticle"):
        validate(EnrichedArticle, {"schema_version": 1, "id": "x", "article": {"id": 3}})


def test_encode_is_plain_json_that_decodes_back() -> None:
    data = {"url": "https://a.example/ar", "html": "<p>إيران</p>", "source": "t"}
    assert decode(RawPage, encode(data))["html"] == "<p>إيران</p>"


def test_a_value_two_agents_share_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsflow.schemas import codec

    value = orjson.dumps({"url": "https://a.example/1", "html": "<p>x</p>", "source": "t"})
    calls: list[object] = []
    real = codec.validate

    def counting(record: Any, data: Any) -> Any:
        calls.append(record)
        return real(record, data)

    monkeypatch.setattr(codec, "validate", counting)
    first = codec.decode(RawPage, value, shared=True)
    second = codec.decode(RawPage, value, shared=True)
    copy = codec.decode(RawPage, bytes(bytearray(value)), shared=True)  # another object
    codec.decode(RawPage, value)  # not shared: always validated
    assert first == second == copy and first is not second
    assert len(calls) == 3
