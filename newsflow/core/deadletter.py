"""Dead letters as data: what failed, why, and the exact bytes to replay.

A dead letter must always fit on the dead-letter topic, or it cannot be written and
the message it stands for would be lost. Base64 makes the original a third larger,
so an original close to the broker's message limit does not fit inline: such a
letter carries the head of the original, its length and SHA-256, and the path of a
file holding the whole (written by the worker before the letter is sent).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict

SCHEMA_VERSION = 1
# What a truncated letter keeps of the original: enough to see what it was.
HEAD_BYTES = 64 * 1024
# Room left under the message limit for everything but the original (key, message,
# coordinates, JSON) and for Kafka's own record overhead.
ENVELOPE_BYTES = 256 * 1024
_MAX_MESSAGE_CHARS = 2000
_MAX_HINT_CHARS = 4096


def dead_letter_id(stage: str, topic: str, partition: int, offset: int) -> str:
    """Same failure of the same message, same id: a replay after a restart is no new row."""
    digest = hashlib.sha256(f"{stage}|{topic}|{partition}|{offset}".encode()).hexdigest()
    return digest[:24]


def error_of(exc: BaseException) -> PipelineError:
    """Any exception as a PipelineError; unexpected ones keep their type in the message."""
    if isinstance(exc, PipelineError):
        return exc
    return PipelineError("internal", f"{type(exc).__name__}: {exc}")


def max_inline_original(max_message_bytes: int) -> int:
    """The longest original whose base64 still fits in a letter under ``max_message_bytes``."""
    return max(HEAD_BYTES, (max_message_bytes - ENVELOPE_BYTES) * 3 // 4)


def needs_file(value: bytes | None, max_message_bytes: int) -> bool:
    """True when a letter for ``value`` must carry only its head (and the whole goes to a file)."""
    return len(value or b"") > max_inline_original(max_message_bytes)


def _capped(text: str | None) -> str | None:
    return None if text is None else text[:_MAX_HINT_CHARS]


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
    max_message_bytes: int | None = None,
    original_file: str | None = None,
) -> DeadLetterDict:
    """Build the record an agent sends to the dead-letter topic instead of crashing.

    With ``max_message_bytes``, an original too long to fit inline is cut to its head;
    ``original_file`` must then name where the whole was written (see `needs_file`).
    """
    err = error_of(error)
    data = value or b""
    truncated = max_message_bytes is not None and needs_file(data, max_message_bytes)
    if truncated and not original_file:
        raise ValueError("a truncated dead letter needs the file holding the original")
    inline = data[:HEAD_BYTES] if truncated else data
    return {
        "schema_version": SCHEMA_VERSION,
        "id": dead_letter_id(stage, topic, partition, offset),
        "stage": stage,
        "error_kind": err.kind,
        "message": err.message[:_MAX_MESSAGE_CHARS],
        "original_b64": base64.b64encode(inline).decode("ascii"),
        "original_key_b64": None if key is None else base64.b64encode(key).decode("ascii"),
        "source_topic": topic,
        "source_partition": partition,
        "source_offset": offset,
        "source": _capped(source),
        "url": _capped(url),
        "failed_at": now.isoformat(),
        "original_size": len(data),
        "original_sha256": hashlib.sha256(data).hexdigest(),
        "original_truncated": truncated,
        "original_file": original_file if truncated else None,
    }
