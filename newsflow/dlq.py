"""The operators' dead-letter tools: list, show and replay the letters the sink stored.

Dead letters travel on ``news.dlq``; the sink copies each one into the ``dead_letters``
table, and that copy is what these tools read: it can be filtered and joined with the
replay history (``dead_letter_replays``), where the topic can only be scanned. A letter the
sink has not stored yet (the worker is down or behind, or the database refused it) is not
seen here until it is; ``newsflow tail news.dlq`` shows the topic itself.

A replay sends the letter's original bytes, with the original key, back to the topic the
letter came from, through the same producer as ``newsflow publish`` (message size limit,
compression, acks=all), and records when, where, by whom and why once the broker has
confirmed it. The first half of the module is pure (parsing the filters, matching,
formatting, checking an original); the I/O (database, broker, original files) is below
it, in the ``async`` functions the CLI and the worker's web API call.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
import shutil
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import orjson

from newsflow.settings import Settings
from newsflow.store import LetterQuery, Store

# How many sends are awaited together: enough to batch, small enough to bound memory.
IN_FLIGHT: Final = 200
# Strings of a decoded original longer than this are cut in `show` unless --full.
SHOW_CHARS: Final = 1500
# Letter ids are 24 hex digits; a shorter prefix is accepted when it is unique.
_ID_PREFIX = re.compile(r"^[0-9a-f]{1,64}$")
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class DlqError(Exception):
    """A request the tools cannot carry out (bad filter, unknown id, unreadable database);
    the message says why and what to do."""


# ------------------------------------------------------------------ filters (pure)


def parse_when(text: str, now: datetime) -> datetime:
    """An instant from ``--since``/``--until``: ISO 8601 or a span back from ``now``.

    ``2h``, ``30m``, ``3d``, ``1w``, ``90s`` (also ``1.5h``) count back from ``now``;
    ``2026-12-07``, ``2026-12-07T20:00`` or ``2026-12-07T20:00+03:30`` are instants, and
    one without an offset is taken as UTC (the dead letters' clock).
    """
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        return now - timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DlqError(
            f"{text!r} is neither an ISO date-time (2026-12-07T20:00, offset optional, UTC "
            "by default) nor a span back from now (90s, 30m, 2h, 3d, 1w)"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def site_of(url: str | None) -> str | None:
    """The host of a letter's URL, lower case and without ``www.``; None when there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def site_matches(host: str | None, site: str) -> bool:
    """``--site example.ir`` matches example.ir itself and any subdomain (ar.example.ir),
    never a host that merely ends with the same letters (badexample.ir)."""
    if host is None:
        return False
    wanted = site.strip().lower().removeprefix("www.").strip(".")
    return host == wanted or host.endswith("." + wanted)


@dataclass(frozen=True, slots=True)
class LetterFilter:
    """The filters `list` and `replay --all` share; ``None`` leaves a field unfiltered."""

    stage: str | None = None
    kind: str | None = None
    site: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    replayed: bool | None = None

    def is_empty(self) -> bool:
        """True when nothing narrows the selection: `replay --all` wants confirmation then."""
        return all(
            value is None
            for value in (
                self.stage,
                self.kind,
                self.site,
                self.source,
                self.since,
                self.until,
                self.replayed,
            )
        )

    def store_query(self, limit: int | None) -> LetterQuery:
        """What the database filters by itself. With a site the host is only checked after
        (a URL substring narrows it first), so the limit is applied after that check."""
        return LetterQuery(
            stage=self.stage,
            error_kind=self.kind,
            source=self.source,
            since=self.since,
            until=self.until,
            replayed=self.replayed,
            url_contains=self.site.strip().lower().removeprefix("www.") if self.site else None,
            limit=None if self.site else limit,
        )

    def matches(self, letter: Mapping[str, Any]) -> bool:
        """The whole filter on one letter summary (the database's part checked again)."""
        if self.stage is not None and letter.get("stage") != self.stage:
            return False
        if self.kind is not None and letter.get("error_kind") != self.kind:
            return False
        if self.source is not None and letter.get("source") != self.source:
            return False
        if self.site is not None and not site_matches(site_of(letter.get("url")), self.site):
            return False
        failed_at = letter.get("failed_at")
        if self.since is not None or self.until is not None:
            if not isinstance(failed_at, datetime):
                return False
            if self.since is not None and failed_at < self.since:
                return False
            if self.until is not None and failed_at >= self.until:
                return False
        replays = int(letter.get("replays") or 0)
        if self.replayed is True and replays == 0:
            return False
        return not (self.replayed is False and replays > 0)


def select_letters(
    letters: Iterable[Mapping[str, Any]], letter_filter: LetterFilter, limit: int | None
) -> list[dict[str, Any]]:
    """The letters the filter keeps, in the order given, at most ``limit``."""
    kept: list[dict[str, Any]] = []
    for letter in letters:
        if limit is not None and len(kept) >= limit:
            break
        if letter_filter.matches(letter):
            kept.append(dict(letter))
    return kept


def check_id(text: str) -> str:
    """A letter id or a prefix of one, lower case; refuses anything else early."""
    value = text.strip().lower()
    if not _ID_PREFIX.match(value):
        raise DlqError(f"{text!r} is not a dead-letter id (hexadecimal, a unique prefix is fine)")
    return value


# ------------------------------------------------------------------ formatting (pure)


def _instant(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def summary_json(letter: Mapping[str, Any]) -> dict[str, Any]:
    """One letter summary as JSON-ready values, with its ``site`` added."""
    out: dict[str, Any] = {key: _instant(value) for key, value in letter.items()}
    out["site"] = site_of(letter.get("url"))
    out["replays"] = int(letter.get("replays") or 0)
    return out


def _short_time(value: Any) -> str:
    if not isinstance(value, datetime):
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _cut(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def format_table(letters: Sequence[Mapping[str, Any]], width: int = 120) -> str:
    """Plain-text columns for a terminal of ``width`` characters: id (a 12-digit prefix, as
    `show` and `replay` accept), failure time (UTC), stage, kind, site, source, replays and
    as much of the message as fits."""
    header = ("ID", "FAILED (UTC)", "STAGE", "KIND", "SITE", "SOURCE", "REPLAYS", "MESSAGE")
    rows = [
        (
            str(letter["id"])[:12],
            _short_time(letter.get("failed_at")),
            str(letter.get("stage") or "-"),
            str(letter.get("error_kind") or "-"),
            _cut(site_of(letter.get("url")) or "-", 28),
            _cut(str(letter.get("source") or "-"), 20),
            str(int(letter.get("replays") or 0)),
            " ".join(str(letter.get("message") or "").split()),
        )
        for letter in letters
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    fixed = sum(widths) + 2 * len(widths)
    message_width = max(20, width - fixed)
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, _cut(row[-1], message_width)]).rstrip())
    return "\n".join(lines)


def _shorten(value: Any, limit: int) -> Any:
    """Every string of a decoded JSON value cut to ``limit`` characters, saying how much went."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}… [{len(value) - limit} more characters; --full shows all]"
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    return value


def describe_original(data: bytes, *, full: bool, limit: int = SHOW_CHARS) -> tuple[str, str]:
    """(what it is, text) for the original of a letter: pretty JSON with long strings (the
    page's html, a body) cut unless ``full``; else the bytes as UTF-8 text, cut the same way."""
    try:
        decoded = orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data.decode("utf-8", "replace")
        kind = "text" if "\ufffd" not in text else "bytes, shown as UTF-8 with replacements"
        return kind, text if full else _shorten(text, limit * 4)
    shown = decoded if full else _shorten(decoded, limit)
    return "JSON", orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode()


def _key_text(key_b64: str | None) -> str:
    if key_b64 is None:
        return "(none)"
    try:
        raw = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError):
        return f"(not base64: {key_b64!r})"
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"base64 {key_b64}"


def format_replay(replay: Mapping[str, Any]) -> str:
    """One line of a letter's replay history."""
    when = replay["replayed_at"]
    text = (
        f"{when.isoformat(timespec='seconds') if isinstance(when, datetime) else when}  "
        f"-> {replay['target_topic']}[{replay['target_partition']}]@{replay['target_offset']}"
        f"  by {replay.get('replayed_by') or '?'}"
    )
    return text + (f"  note: {replay['note']}" if replay.get("note") else "")


def format_letter(
    letter: Mapping[str, Any],
    replays: Sequence[Mapping[str, Any]],
    original: tuple[str, str] | None,
    original_note: str | None = None,
) -> str:
    """Everything about one letter for `dlq show`: its fields, replay history, original."""
    size = int(letter.get("original_size") or 0)
    fields: list[tuple[str, Any]] = [
        ("id", letter["id"]),
        ("stage", letter.get("stage")),
        ("error_kind", letter.get("error_kind")),
        ("message", letter.get("message")),
        ("source", letter.get("source")),
        ("url", letter.get("url")),
        ("site", site_of(letter.get("url"))),
        ("failed_at", _instant(letter.get("failed_at"))),
        ("source_topic", letter.get("source_topic")),
        ("source_partition", letter.get("source_partition")),
        ("source_offset", letter.get("source_offset")),
        ("original_key", _key_text(letter.get("original_key_b64"))),
        ("original_size", f"{size} bytes" if size else "(not recorded)"),
        ("original_sha256", letter.get("original_sha256")),
        ("original_truncated", "yes" if letter.get("original_truncated") else "no"),
        ("original_file", letter.get("original_file")),
        ("replays", len(replays)),
    ]
    width = max(len(name) for name, _ in fields)
    lines = [f"{name.ljust(width)}  {'-' if value is None else value}" for name, value in fields]
    lines.append("")
    lines.append("replay history:" if replays else "replay history: (never replayed)")
    lines.extend("  " + format_replay(replay) for replay in replays)
    lines.append("")
    if original is None:
        lines.append(f"original: {original_note or '(not available)'}")
    else:
        kind, text = original
        lines.append(f"original ({kind}{'; ' + original_note if original_note else ''}):")
        lines.append(text)
    return "\n".join(lines)


# ------------------------------------------------------------------ originals


def split_original_file(value: str) -> tuple[str, Path]:
    """``host:/path`` as the worker wrote it (`AgentContext._spill`) into (host, path)."""
    host, sep, path = value.partition(":")
    if not sep or not path:
        return "", Path(value)
    return host, Path(path)


def inline_original(letter: Mapping[str, Any]) -> bytes:
    """The original bytes carried in the letter (only the head when it is truncated)."""
    try:
        return base64.b64decode(letter.get("original_b64") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DlqError(f"dead letter {letter['id']}: its original is not valid base64") from exc


def check_original(letter: Mapping[str, Any], data: bytes) -> None:
    """Refuse bytes that are not the letter's original (size and SHA-256, when recorded)."""
    size = int(letter.get("original_size") or 0)
    if size and len(data) != size:
        raise DlqError(
            f"dead letter {letter['id']}: the original should be {size} bytes, found {len(data)}"
        )
    digest = letter.get("original_sha256")
    if digest and hashlib.sha256(data).hexdigest() != digest:
        raise DlqError(f"dead letter {letter['id']}: the original's SHA-256 does not match")


def load_original(letter: Mapping[str, Any], hostname: str | None = None) -> bytes:
    """The letter's whole original, checked against its size and SHA-256.

    A truncated letter's original is read from its ``original_file``: on the host that wrote
    it, or anywhere the same path holds the same bytes (a shared volume); otherwise refused,
    saying where the file is.
    """
    if not letter.get("original_truncated"):
        data = inline_original(letter)
        check_original(letter, data)
        return data
    where = letter.get("original_file")
    if not where:
        raise DlqError(
            f"dead letter {letter['id']}: only the head of the original was kept and no file "
            "was recorded; it cannot be replayed"
        )
    host, path = split_original_file(str(where))
    this_host = hostname or socket.gethostname()
    if not path.is_file():
        elsewhere = host and host != this_host
        raise DlqError(
            f"dead letter {letter['id']}: the original is {letter.get('original_size')} bytes "
            f"and only its head travelled with the letter; the whole is in {path}"
            + (
                f" on host {host}: run the replay there (this is {this_host})"
                if elsewhere
                else ", which no longer exists"
            )
        )
    data = path.read_bytes()
    check_original(letter, data)
    return data


def _key(letter: Mapping[str, Any]) -> bytes | None:
    key_b64 = letter.get("original_key_b64")
    if key_b64 is None:
        return None
    try:
        return base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DlqError(f"dead letter {letter['id']}: its key is not valid base64") from exc


# ------------------------------------------------------------------ database


def _check_database(settings: Settings) -> None:
    """A SQLite file that does not exist is an error, not a new empty database: it most
    likely means another NEWSFLOW_DATA_DIR or NEWSFLOW_DATABASE_URL than the worker's."""
    from newsflow.store.engine import parse_url

    url = parse_url(settings.database)
    if url.get_backend_name() == "sqlite" and url.query.get("uri") not in ("true", "1"):
        path = Path(url.database or "").expanduser()
        if not path.is_file():
            raise DlqError(
                f"no database at {path}: has a worker run with these settings? "
                "(--data-dir / NEWSFLOW_DATA_DIR, --database-url / NEWSFLOW_DATABASE_URL)"
            )


async def open_store(settings: Settings) -> Store:
    """The sink's database, brought to the current schema (the replay table included)."""
    await asyncio.to_thread(_check_database, settings)
    return await Store.open(settings.database)


async def resolve_id(store: Store, text: str) -> str:
    """The full id of the one letter whose id begins with ``text``."""
    prefix = check_id(text)
    found = await store.dead_letter_ids(prefix, limit=2)
    if not found:
        raise DlqError(f"no dead letter {text!r} in the database (the sink may not have it yet)")
    if len(found) > 1:
        raise DlqError(f"{text!r} names several dead letters: give more of the id")
    return found[0]


async def find_letters(
    store: Store, letter_filter: LetterFilter, limit: int | None
) -> list[dict[str, Any]]:
    """Summaries of the letters the filter selects, newest failure first."""
    rows = await store.dead_letter_summaries(letter_filter.store_query(limit))
    return select_letters(rows, letter_filter, limit)


async def list_letters(
    settings: Settings, letter_filter: LetterFilter, limit: int | None
) -> list[dict[str, Any]]:
    """`dlq list`: the letter summaries, each with its replay count."""
    async with await open_store(settings) as store:
        return await find_letters(store, letter_filter, limit)


async def show_letter(settings: Settings, text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`dlq show`: one letter (every column) and its replay history."""
    async with await open_store(settings) as store:
        letter_id = await resolve_id(store, text)
        letter = await store.get_dead_letter(letter_id)
        if letter is None:  # deleted between the two reads
            raise DlqError(f"no dead letter {text!r} in the database")
        return letter, await store.dead_letter_replays([letter_id])


# ------------------------------------------------------------------ replay


@dataclass
class _Planned:
    """One letter ready to be sent: where, with which key and bytes, and its result entry."""

    result: dict[str, Any]
    topic: str
    key: bytes | None
    value: bytes


def _result(letter_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": letter_id, "status": status, **extra}


def _plan(letter: Mapping[str, Any], max_message_bytes: int) -> _Planned:
    """Check that a letter can be replayed; raises `DlqError` saying why not."""
    from aiokafka.record.default_records import DefaultRecordBatchBuilder

    value = load_original(letter)
    if not value:
        raise DlqError(f"dead letter {letter['id']}: the original was empty; nothing to replay")
    key = _key(letter)
    size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, [])
    if size > max_message_bytes:
        raise DlqError(
            f"dead letter {letter['id']}: the original is a {size}-byte message, more than "
            f"{max_message_bytes} (NEWSFLOW_MAX_MESSAGE_BYTES)"
        )
    topic = str(letter["source_topic"])
    result = _result(str(letter["id"]), "would_replay", topic=topic, bytes=len(value))
    return _Planned(result, topic, key, value)


async def _send(
    settings: Settings, planned: Sequence[_Planned], *, note: str | None, by: str | None
) -> list[dict[str, Any]]:
    """Publish, await every delivery, then record the confirmed ones; returns replay rows."""
    from aiokafka.errors import KafkaError

    from newsflow.kafka import BIG_RECORD_BYTES, producer

    rows: list[dict[str, Any]] = []
    async with producer(settings) as client:
        for start in range(0, len(planned), IN_FLIGHT):
            chunk = planned[start : start + IN_FLIGHT]
            futures: list[Any] = []
            for item in chunk:
                try:
                    if len(item.value) > BIG_RECORD_BYTES:
                        # Alone in flight, like `newsflow publish` (see newsflow.kafka).
                        await asyncio.gather(*futures, return_exceptions=True)
                        future = await client.send(item.topic, item.value, key=item.key)
                        await asyncio.wait([future])
                    else:
                        future = await client.send(item.topic, item.value, key=item.key)
                except KafkaError as exc:
                    future = asyncio.get_running_loop().create_future()
                    future.set_exception(exc)
                futures.append(future)
            outcomes = await asyncio.gather(*futures, return_exceptions=True)
            for item, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    item.result.update(
                        status="failed",
                        message=f"not delivered: {type(outcome).__name__}: {outcome}",
                    )
                    continue
                now = datetime.now(UTC)
                item.result.update(
                    status="replayed",
                    partition=outcome.partition,
                    offset=outcome.offset,
                    replayed_at=now.isoformat(),
                )
                rows.append(
                    {
                        "letter_id": item.result["id"],
                        "replayed_at": now,
                        "target_topic": item.topic,
                        "target_partition": outcome.partition,
                        "target_offset": outcome.offset,
                        "note": note,
                        "replayed_by": by,
                    }
                )
    return rows


async def _replay(
    settings: Settings,
    store: Store,
    letters: Sequence[Mapping[str, Any]],
    *,
    note: str | None,
    by: str | None,
    dry_run: bool,
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    planned: list[_Planned] = []
    for letter in letters:
        try:
            item = await asyncio.to_thread(_plan, letter, settings.max_message_bytes)
        except DlqError as exc:
            results.append(_result(str(letter["id"]), "refused", message=str(exc)))
            continue
        results.append(item.result)
        planned.append(item)
    if dry_run or not planned:
        return results
    rows = await _send(settings, planned, note=note, by=by)
    try:
        await store.record_replays(rows)
    except Exception as exc:
        sent = ", ".join(
            f"{r['letter_id']} -> {r['target_topic']}[{r['target_partition']}]@{r['target_offset']}"
            for r in rows
        )
        raise DlqError(
            f"the originals were sent ({sent}) but the replays could not be recorded: {exc}"
        ) from exc
    return results


async def replay_letters(
    settings: Settings,
    ids: Sequence[str],
    *,
    note: str | None,
    by: str | None,
    dry_run: bool = False,
) -> list[dict[str, Any]]:
    """Replay the letters named by ``ids`` (full ids or unique prefixes); one result each.

    Results are ``{"id", "status", ...}`` in the order given (a letter named twice is sent
    once): ``replayed`` with ``topic``, ``partition``, ``offset``, ``replayed_at``;
    ``would_replay`` (``dry_run``) with ``topic`` and ``bytes``; ``refused`` (the original
    cannot be read or is over the size limit), ``failed`` (the broker did not take it),
    ``not_found`` or ``ambiguous``, each with a ``message``. Raises `DlqError` when the
    database cannot be opened, or when the sends succeeded but could not be recorded.
    """
    async with await open_store(settings) as store:
        # Each slot is a finished result or the id of a letter still to replay.
        slots: list[dict[str, Any] | str] = []
        letters: list[dict[str, Any]] = []
        seen: set[str] = set()
        for text in ids:
            try:
                letter_id = await resolve_id(store, text)
            except DlqError as exc:
                status = "ambiguous" if "several" in str(exc) else "not_found"
                slots.append(_result(text, status, message=str(exc)))
                continue
            if letter_id in seen:
                continue
            seen.add(letter_id)
            letter = await store.get_dead_letter(letter_id)
            if letter is None:
                slots.append(_result(text, "not_found", message=f"no dead letter {text!r}"))
                continue
            letters.append(letter)
            slots.append(letter_id)
        done = await _replay(settings, store, letters, note=note, by=by, dry_run=dry_run)
        by_id = {result["id"]: result for result in done}
        return [by_id[slot] if isinstance(slot, str) else slot for slot in slots]


async def replay_matching(
    settings: Settings,
    letter_filter: LetterFilter,
    limit: int | None,
    *,
    note: str | None,
    by: str | None,
    dry_run: bool = False,
) -> list[dict[str, Any]]:
    """`replay --all`: every letter the filter selects (newest failure first)."""
    async with await open_store(settings) as store:
        chosen = await find_letters(store, letter_filter, limit)
        letters = []
        for summary in chosen:
            letter = await store.get_dead_letter(summary["id"])
            if letter is not None:
                letters.append(letter)
        return await _replay(settings, store, letters, note=note, by=by, dry_run=dry_run)


def format_result(result: Mapping[str, Any]) -> str:
    """One line per replay result for the terminal."""
    status = result["status"]
    if status == "replayed":
        return (
            f"{result['id']}  replayed -> {result['topic']}[{result['partition']}]"
            f"@{result['offset']}"
        )
    if status == "would_replay":
        return f"{result['id']}  would replay {result['bytes']} bytes -> {result['topic']}"
    return f"{result['id']}  {status}: {result.get('message', '')}"


def terminal_width() -> int:
    """The terminal's width for `format_table` (120 when output is not a terminal)."""
    return shutil.get_terminal_size((120, 24)).columns
