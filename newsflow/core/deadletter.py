"""Dead letters as data: what failed, why, and the exact bytes to replay."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict

SCHEMA_VERSION = 1


def dead_letter_id(stage: str, topic: str, partition: int, offset: int) -> str:
    """Same failure of the same message, same id: a replay after a restart is no new row."""
    digest = hashlib.sha256(f"{stage}|{topic}|{partition}|{offset}".encode()).hexdigest()
    return digest[:24]


def error_of(exc: BaseException) -> PipelineError:
    """Any exception as a PipelineError; unexpected ones keep their type in the message."""
    if isinstance(exc, PipelineError):
        return exc
    return PipelineError("internal", f"{type(exc).__name__}: {exc}")


def make_dead_letter(
    *,
    stage: str,
    error: BaseException,
    value: bytes | None,
    key: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    now: datetime,
    source: str | None = None,
    url: str | None = None,
) -> DeadLetterDict:
    """Build the record an agent sends to the dead-letter topic instead of crashing."""
    err = error_of(error)
    return {
        "schema_version": SCHEMA_VERSION,
        "id": dead_letter_id(stage, topic, partition, offset),
        "stage": stage,
        "error_kind": err.kind,
        "message": err.message[:2000],
        "original_b64": base64.b64encode(value or b"").decode("ascii"),
        "original_key_b64": None if key is None else base64.b64encode(key).decode("ascii"),
        "source_topic": topic,
        "source_partition": partition,
        "source_offset": offset,
        "source": source,
        "url": url,
        "failed_at": now.isoformat(),
    }
