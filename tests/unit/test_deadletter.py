from __future__ import annotations

import base64
from datetime import UTC, datetime

from newsflow.core.deadletter import dead_letter_id, make_dead_letter
from newsflow.core.errors import PipelineError
from newsflow.schemas.codec import validate
from newsflow.schemas.records import DeadLetter

NOW = datetime(2024, 3, 19, 11, 7, tzinfo=UTC)


def test_dead_letter_keeps_the_bytes_and_the_coordinates() -> None:
    letter = make_dead_letter(
        stage="parse",
        error=PipelineError("charset", "cannot decode"),
        value=b"\xff\xfe",
        key=b"k",
        topic="news.raw",
        partition=2,
        offset=41,
        now=NOW,
        source="crawler-1",
        url="https://x.example/",
    )
    assert base64.b64decode(letter["original_b64"]) == b"\xff\xfe"
    assert base64.b64decode(letter["original_key_b64"] or "") == b"k"
    assert (letter["error_kind"], letter["source_partition"], letter["source_offset"]) == (
        "charset",
        2,
        41,
    )
    validate(DeadLetter, dict(letter))


def test_unexpected_errors_are_kind_internal_with_the_type_named() -> None:
    letter = make_dead_letter(
        stage="enrich",
        error=KeyError("title"),
        value=None,
        key=None,
        topic="t",
        partition=0,
        offset=0,
        now=NOW,
    )
    assert letter["error_kind"] == "internal"
    assert "KeyError" in letter["message"]
    assert letter["original_key_b64"] is None


def test_ids_are_stable_per_stage_and_message() -> None:
    assert dead_letter_id("parse", "t", 0, 1) == dead_letter_id("parse", "t", 0, 1)
    assert dead_letter_id("parse", "t", 0, 1) != dead_letter_id("enrich", "t", 0, 1)
    assert dead_letter_id("parse", "t", 0, 1) != dead_letter_id("parse", "t", 1, 1)
