"""The operators' dead-letter tools without a broker: filters, formatting, originals, the
store's listing and replay history (on a real SQLite file, and PostgreSQL when the test
server is there), and the `newsflow dlq` commands up to a dry-run replay.

Real replays go through Kafka: tests/integration/test_dlq.py.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from newsflow.cli import main
from newsflow.core.deadletter import make_dead_letter
from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict
from newsflow.dlq import (
    DlqError,
    LetterFilter,
    check_id,
    describe_original,
    format_letter,
    format_result,
    format_table,
    load_original,
    parse_when,
    select_letters,
    site_matches,
    site_of,
    split_original_file,
    summary_json,
)
from newsflow.store import LetterQuery, Store, migrate
from tests.storage_helpers import POSTGRES_MARKS, drop_sink_tables, fetch, postgres_database

pytestmark = pytest.mark.timeout(120)

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
PAGE = {"url": "https://ar.example.ir/news/1", "html": "<p>" + "خبر " * 2000 + "</p>"}


def letter(
    offset: int,
    *,
    stage: str = "parse",
    kind: str = "too_large",
    url: str | None = "https://ar.example.ir/news/1",
    source: str | None = "crawler-a",
    failed_at: datetime = NOW,
    value: bytes | None = None,
    key: bytes | None = b"k1",
    topic: str = "news.raw",
) -> DeadLetterDict:
    """A dead letter as the stages make it."""
    return make_dead_letter(
        stage=stage,
        error=PipelineError(kind, f"failure {offset}"),
        value=orjson.dumps(PAGE) if value is None else value,
        key=key,
        topic=topic,
        partition=offset % 4,
        offset=offset,
        now=failed_at,
        source=source,
        url=url,
    )


def summary(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "a" * 24,
        "stage": "parse",
        "error_kind": "too_large",
        "source": "crawler-a",
        "url": "https://ar.example.ir/news/1",
        "failed_at": NOW,
        "replays": 0,
        "message": "page has 12000 bytes",
    }
    return base | fields


# ------------------------------------------------------------------ filters


def test_parse_when_takes_spans_back_from_now_and_iso_instants() -> None:
    assert parse_when("2h", NOW) == NOW - timedelta(hours=2)
    assert parse_when("3d", NOW) == NOW - timedelta(days=3)
    assert parse_when("30m", NOW) == NOW - timedelta(minutes=30)
    assert parse_when("1.5H", NOW) == NOW - timedelta(minutes=90)
    assert parse_when("1w", NOW) == NOW - timedelta(days=7)
    assert parse_when("2026-12-07", NOW) == datetime(2026, 12, 7, tzinfo=UTC)
    assert parse_when("2026-12-07T20:00", NOW) == datetime(2026, 12, 7, 20, tzinfo=UTC)
    tehran = parse_when("2026-12-07T20:00+03:30", NOW)
    assert tehran == datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
    assert tehran.utcoffset() == timedelta(hours=3, minutes=30)
    for bad in ("yesterday", "2x", "-2h", ""):
        with pytest.raises(DlqError, match="ISO date-time"):
            parse_when(bad, NOW)


def test_site_is_the_host_and_matches_itself_and_subdomains_only() -> None:
    assert site_of("https://www.Example.IR/x?y=1") == "example.ir"
    assert site_of("https://ar.example.ir:8443/x") == "ar.example.ir"
    assert site_of("not a url") is None
    assert site_of(None) is None
    assert site_of("http://[::1") is None
    assert site_matches("ar.example.ir", "example.ir")
    assert site_matches("example.ir", "www.example.ir")
    assert site_matches("example.ir", "EXAMPLE.IR")
    assert not site_matches("badexample.ir", "example.ir")
    assert not site_matches("example.ir", "ar.example.ir")
    assert not site_matches(None, "example.ir")


def test_a_filter_checks_every_field_and_knows_when_it_is_empty() -> None:
    assert LetterFilter().is_empty()
    assert LetterFilter().matches(summary())
    assert not LetterFilter(replayed=False).is_empty()
    cases = [
        (LetterFilter(stage="parse"), True),
        (LetterFilter(stage="enrich"), False),
        (LetterFilter(kind="too_large"), True),
        (LetterFilter(kind="parse"), False),
        (LetterFilter(site="example.ir"), True),
        (LetterFilter(site="other.ir"), False),
        (LetterFilter(source="crawler-a"), True),
        (LetterFilter(source="crawler-b"), False),
        (LetterFilter(since=NOW), True),
        (LetterFilter(since=NOW + timedelta(seconds=1)), False),
        (LetterFilter(until=NOW + timedelta(seconds=1)), True),
        (LetterFilter(until=NOW), False),  # until is exclusive
        (LetterFilter(replayed=False), True),
        (LetterFilter(replayed=True), False),
    ]
    for letter_filter, expected in cases:
        assert letter_filter.matches(summary()) is expected, letter_filter
    assert LetterFilter(replayed=True).matches(summary(replays=2))
    assert not LetterFilter(since=NOW).matches(summary(failed_at=None))


def test_with_a_site_the_limit_applies_after_the_exact_host_check() -> None:
    query = LetterFilter(site="www.Example.ir", stage="parse").store_query(10)
    assert query == LetterQuery(stage="parse", url_contains="example.ir", limit=None)
    assert LetterFilter(kind="parse").store_query(10).limit == 10
    rows = [
        summary(id="1", url="https://badexample.ir/a"),
        summary(id="2", url="https://example.ir/a"),
        summary(id="3", url="https://news.example.ir/b"),
        summary(id="4", url="https://example.ir/c"),
    ]
    kept = select_letters(rows, LetterFilter(site="example.ir"), limit=2)
    assert [r["id"] for r in kept] == ["2", "3"]


def test_ids_are_hexadecimal_prefixes() -> None:
    assert check_id(" 3B1F ") == "3b1f"
    for bad in ("", "xyz", "3b1f%", "a_b"):
        with pytest.raises(DlqError, match="not a dead-letter id"):
            check_id(bad)


# ------------------------------------------------------------------ formatting


def test_the_table_has_a_column_each_and_cuts_the_message_to_the_width() -> None:
    rows = [
        summary(id="0123456789abcdef01234567", replays=2, message="x" * 500),
        summary(id="fedcba9876543210fedcba98", url=None, source=None, stage="enrich"),
    ]
    table = format_table(rows, width=110).splitlines()
    assert table[0].split() == [
        "ID",
        "FAILED",
        "(UTC)",
        "STAGE",
        "KIND",
        "SITE",
        "SOURCE",
        "REPLAYS",
        "MESSAGE",
    ]
    assert table[1].startswith("0123456789ab  2026-12-08 12:00  parse ")
    assert "ar.example.ir" in table[1] and "crawler-a" in table[1]
    assert table[1].split()[7] == "2"
    assert all(len(line) <= 110 for line in table)
    assert table[1].endswith("…")
    assert table[2].split()[5:8] == ["-", "-", "0"]


def test_json_summaries_are_json_ready_with_their_site() -> None:
    out = summary_json(summary(replays=None, last_replayed_at=NOW))
    assert out["site"] == "ar.example.ir"
    assert out["failed_at"] == "2026-12-08T12:00:00+00:00"
    assert out["last_replayed_at"] == "2026-12-08T12:00:00+00:00"
    assert out["replays"] == 0
    orjson.dumps(out)


def test_an_original_is_pretty_json_with_long_strings_cut_unless_full() -> None:
    data = orjson.dumps(PAGE)
    kind, short = describe_original(data, full=False, limit=100)
    assert kind == "JSON"
    assert '"url": "https://ar.example.ir/news/1"' in short
    assert "more characters; --full shows all]" in short
    assert len(short) < 400
    kind, whole = describe_original(data, full=True, limit=100)
    assert orjson.loads(whole) == PAGE
    kind, text = describe_original(b"<html>" + b"a" * 10_000, full=False, limit=100)
    assert kind == "text" and len(text) < 500
    kind, _ = describe_original(b"\xff\xfe\x00", full=False)
    assert kind.startswith("bytes")


def test_show_lists_every_field_the_history_and_the_original() -> None:
    item = dict(letter(7, failed_at=NOW))
    replays = [
        {
            "replayed_at": NOW + timedelta(hours=1),
            "target_topic": "news.raw",
            "target_partition": 3,
            "target_offset": 42,
            "note": "limit raised",
            "replayed_by": "alice",
        }
    ]
    text = format_letter(item, replays, ("JSON", "{}"), None)
    for name in (
        "id",
        "stage",
        "error_kind",
        "message",
        "source",
        "url",
        "site",
        "failed_at",
        "source_topic",
        "source_partition",
        "source_offset",
        "original_key",
        "original_size",
        "original_sha256",
        "original_truncated",
        "original_file",
        "replays",
    ):
        assert any(line.startswith(name + " ") for line in text.splitlines()), name
    assert "original_key        k1" in text
    assert "2026-12-08T13:00:00+00:00  -> news.raw[3]@42  by alice  note: limit raised" in text
    assert text.endswith("original (JSON):\n{}")
    never = format_letter(item, [], None, "gone")
    assert "(never replayed)" in never and never.endswith("original: gone")


def test_replay_results_read_as_one_line_each() -> None:
    assert (
        format_result({"id": "ab", "status": "replayed", "topic": "t", "partition": 1, "offset": 9})
        == "ab  replayed -> t[1]@9"
    )
    assert format_result({"id": "ab", "status": "would_replay", "topic": "t", "bytes": 5}) == (
        "ab  would replay 5 bytes -> t"
    )
    assert format_result({"id": "ab", "status": "refused", "message": "why"}) == (
        "ab  refused: why"
    )


# ------------------------------------------------------------------ originals


def test_an_inline_original_is_checked_against_its_size_and_hash() -> None:
    item = dict(letter(1, value=b"page bytes"))
    assert load_original(item) == b"page bytes"
    item["original_b64"] = base64.b64encode(b"page bytez").decode()
    with pytest.raises(DlqError, match="SHA-256"):
        load_original(item)
    item["original_b64"] = base64.b64encode(b"page").decode()
    with pytest.raises(DlqError, match="should be 10 bytes"):
        load_original(item)
    # Letters from before the size and hash existed are taken as they are.
    old = dict(letter(1, value=b"old"), original_size=0, original_sha256=None)
    assert load_original(old) == b"old"


def truncated(tmp_path: Path, host: str, data: bytes) -> dict[str, Any]:
    path = tmp_path / "dead-letters" / "x.bin"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    item = make_dead_letter(
        stage="parse",
        error=PipelineError("too_large", "big"),
        value=data,
        key=None,
        topic="news.raw",
        partition=0,
        offset=1,
        now=NOW,
        max_message_bytes=300 * 1024,
        original_file=f"{host}:{path}",
    )
    assert item["original_truncated"]
    return dict(item)


def test_a_truncated_original_is_read_from_its_file_when_it_is_here(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1024
    assert split_original_file("h1:/var/x.bin") == ("h1", Path("/var/x.bin"))
    item = truncated(tmp_path, socket.gethostname(), data)
    assert load_original(item) == data
    # The same path on a shared volume is fine too: size and hash prove it is the original.
    assert load_original(truncated(tmp_path, "other-host", data)) == data
    (tmp_path / "dead-letters" / "x.bin").write_bytes(data[:-1] + b"\x00")
    with pytest.raises(DlqError, match="SHA-256"):
        load_original(item)


def test_a_truncated_original_elsewhere_is_refused_saying_where(tmp_path: Path) -> None:
    item = truncated(tmp_path, "worker-7", b"x" * 200_000)
    item["original_file"] = f"worker-7:{tmp_path / 'gone.bin'}"
    with pytest.raises(DlqError, match="on host worker-7: run the replay there"):
        load_original(item, hostname="laptop")
    with pytest.raises(DlqError, match="no longer exists"):
        load_original(item, hostname="worker-7")
    item["original_file"] = None
    with pytest.raises(DlqError, match="no file was recorded"):
        load_original(item)


# ------------------------------------------------------------------ store (both back ends)


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    with postgres_database("newsflow_dlq") as url:
        yield url


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=POSTGRES_MARKS)],
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'sink.db'}"
    database_url = str(request.getfixturevalue("pg_database"))
    drop_sink_tables(database_url)
    return database_url


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    async with await Store.open(url) as opened:
        yield opened


def replay_row(letter_id: str, when: datetime, offset: int, **extra: Any) -> dict[str, Any]:
    return {
        "letter_id": letter_id,
        "replayed_at": when,
        "target_topic": "news.raw",
        "target_partition": 1,
        "target_offset": offset,
        "note": None,
        "replayed_by": "tester",
    } | extra


async def test_summaries_filter_in_the_database_and_count_replays(store: Store) -> None:
    letters = [
        letter(1, failed_at=NOW - timedelta(days=2)),
        letter(2, kind="parse", url="https://news.other.com/a", source="crawler-b"),
        letter(3, stage="enrich", kind="timeout", topic="news.articles"),
        letter(4, failed_at=NOW - timedelta(hours=1), url=None),
    ]
    assert await store.write_dead_letters(letters) == 4
    ids = [item["id"] for item in letters]
    await store.record_replays(
        [replay_row(ids[0], NOW, 10), replay_row(ids[0], NOW + timedelta(minutes=5), 11)]
    )

    async def select(**query: Any) -> list[str]:
        return [r["id"] for r in await store.dead_letter_summaries(LetterQuery(**query))]

    assert await select() == [ids[1], ids[2], ids[3], ids[0]]  # newest failure first
    assert await select(limit=2) == [ids[1], ids[2]]
    assert await select(stage="enrich") == [ids[2]]
    assert await select(error_kind="parse") == [ids[1]]
    assert await select(source="crawler-b") == [ids[1]]
    assert await select(since=NOW - timedelta(hours=2)) == [ids[1], ids[2], ids[3]]
    assert await select(until=NOW) == [ids[3], ids[0]]
    assert await select(replayed=True) == [ids[0]]
    assert await select(replayed=False) == [ids[1], ids[2], ids[3]]
    assert await select(url_contains="OTHER.com") == [ids[1]]
    assert await select(url_contains="%") == []  # a LIKE wildcard is taken literally

    rows = {r["id"]: r for r in await store.dead_letter_summaries(LetterQuery())}
    assert rows[ids[0]]["replays"] == 2
    assert rows[ids[0]]["last_replayed_at"] == NOW + timedelta(minutes=5)
    assert rows[ids[1]]["replays"] == 0 and rows[ids[1]]["last_replayed_at"] is None
    assert "original_b64" not in rows[ids[0]]
    assert rows[ids[0]]["failed_at"] == NOW - timedelta(days=2)


async def test_one_letter_its_prefixes_and_its_history(store: Store) -> None:
    item = letter(5)
    await store.write_dead_letters([item, letter(6)])
    full = await store.get_dead_letter(item["id"])
    assert full is not None
    assert full["original_b64"] == item["original_b64"]
    assert full["original_key_b64"] == item["original_key_b64"]
    assert full["replays"] == 0
    assert await store.get_dead_letter("0" * 24) is None
    assert await store.dead_letter_ids(item["id"][:8]) == [item["id"]]
    assert await store.dead_letter_ids("") != []
    assert await store.dead_letter_replays([item["id"]]) == []

    later, earlier = NOW + timedelta(hours=1), NOW
    await store.record_replays([replay_row(item["id"], later, 2, note="again")])
    await store.record_replays([replay_row(item["id"], earlier, 1, note="first")])
    history = await store.dead_letter_replays([item["id"]])
    assert [(h["target_offset"], h["note"], h["replayed_at"]) for h in history] == [
        (1, "first", earlier),
        (2, "again", later),
    ]
    assert history[0]["replayed_by"] == "tester"
    # A replay must name a stored letter.
    with pytest.raises(PipelineError):
        await store.record_replays([replay_row("f" * 24, NOW, 3)])


async def test_the_replay_table_is_migrated_and_versioned(url: str) -> None:
    await migrate(url)
    (version,) = await fetch(url, sa.text("SELECT version_num FROM alembic_version"))
    assert tuple(version) == ("0003",)
    rows = await fetch(url, sa.text("SELECT count(*) FROM dead_letter_replays"))
    assert rows[0][0] == 0


# ------------------------------------------------------------------ the commands


def run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
async def stored(tmp_path: Path) -> tuple[dict[str, str], list[DeadLetterDict]]:
    """A SQLite database with three letters, and the environment that points at it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'sink.db'}"
    recent = datetime.now(UTC).replace(microsecond=0)
    letters = [
        letter(1, failed_at=recent - timedelta(days=3)),
        letter(2, kind="parse", url="https://news.other.com/a", failed_at=recent),
        letter(3, value=b"", failed_at=recent - timedelta(hours=1)),
    ]
    async with await Store.open(url) as store:
        await store.write_dead_letters(letters)
        await store.record_replays([replay_row(letters[0]["id"], recent, 77, note="fixed")])
    env = {"NEWSFLOW_DATABASE_URL": url, "NEWSFLOW_DATA_DIR": str(tmp_path), "USER": "ops"}
    return env, letters


def test_dlq_help_says_what_is_read_and_what_is_not_yet_there() -> None:
    code, out, _ = run("dlq", "--help", env={})
    assert code == 0
    assert "dead_letters table" in out and "not stored yet" in " ".join(out.split())
    for command in ("list", "show", "replay"):
        assert run("dlq", command, "--help", env={})[0] == 0


def test_list_prints_a_table_or_json_lines_with_filters(
    stored: tuple[dict[str, str], list[DeadLetterDict]],
) -> None:
    env, letters = stored
    code, out, _ = run("dlq", "list", env=env)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("ID ") and "REPLAYS" in lines[0]
    assert [line[:12] for line in lines[1:]] == [
        letters[1]["id"][:12],
        letters[2]["id"][:12],
        letters[0]["id"][:12],
    ]
    code, out, _ = run("dlq", "list", "--json", "--replayed", env=env)
    (only,) = [orjson.loads(line) for line in out.splitlines()]
    assert only["id"] == letters[0]["id"] and only["replays"] == 1
    assert only["site"] == "ar.example.ir"
    code, out, _ = run("dlq", "list", "--json", "--not-replayed", "--site", "other.com", env=env)
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == [letters[1]["id"]]
    code, out, _ = run("dlq", "list", "--json", "--since", "2h", "--kind", "too_large", env=env)
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == [letters[2]["id"]]
    code, out, err = run("dlq", "list", "--stage", "sink", env=env)
    assert code == 0 and out == "" and "no dead letters match" in err
    code, _, err = run("dlq", "list", "--since", "last week", env=env)
    assert code == 2 and "ISO date-time" in err


def test_list_refuses_a_database_that_is_not_there(tmp_path: Path) -> None:
    env = {"NEWSFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'nope.db'}"}
    code, _, err = run("dlq", "list", env=env)
    assert code == 1 and "no database at" in err and "NEWSFLOW_DATA_DIR" in err
    assert not (tmp_path / "nope.db").exists()


def test_show_prints_the_letter_its_history_and_its_original(
    stored: tuple[dict[str, str], list[DeadLetterDict]],
) -> None:
    env, letters = stored
    code, out, _ = run("dlq", "show", letters[0]["id"][:6], env=env)
    assert code == 0
    assert f"id                  {letters[0]['id']}" in out
    assert "-> news.raw[1]@77  by tester  note: fixed" in out
    assert "original (JSON):" in out and "--full shows all]" in out
    code, full, _ = run("dlq", "show", letters[0]["id"], "--full", env=env)
    assert "--full shows all]" not in full and "خبر خبر" in full
    code, out, _ = run("dlq", "show", letters[0]["id"], "--json", env=env)
    shown = orjson.loads(out)
    assert shown["original_b64"] == letters[0]["original_b64"]
    assert shown["replays"][0]["target_offset"] == 77
    code, _, err = run("dlq", "show", "0000000", env=env)
    assert code == 1 and "no dead letter '0000000'" in err
    code, _, err = run("dlq", "show", "", env=env)
    assert code == 1 and "not a dead-letter id" in err


def test_replay_dry_run_checks_without_sending_or_recording(
    stored: tuple[dict[str, str], list[DeadLetterDict]], tmp_path: Path
) -> None:
    env, letters = stored
    # No broker at this address: a dry run must not need one.
    env = env | {"NEWSFLOW_BROKER": "kafka://127.0.0.1:9"}
    code, out, err = run("dlq", "replay", "--dry-run", letters[1]["id"][:10], "0" * 5, env=env)
    assert code == 1
    assert f"{letters[1]['id']}  would replay {len(orjson.dumps(PAGE))} bytes -> news.raw" in out
    assert "00000  not_found" in out
    assert "would replay 1 of 2" in err
    code, out, err = run(
        "dlq", "replay", "--all", "--dry-run", "--kind", "too_large", "--not-replayed", env=env
    )
    assert code == 1  # the empty original is refused
    assert f"{letters[2]['id']}  refused:" in out and "empty" in out
    code, out, _ = run("dlq", "list", "--json", "--replayed", env=env)
    assert len(out.splitlines()) == 1  # nothing recorded


def test_replay_usage_errors(stored: tuple[dict[str, str], list[DeadLetterDict]]) -> None:
    env, letters = stored
    code, _, err = run("dlq", "replay", env=env)
    assert code == 2 and "by id, or use --all" in err
    code, _, err = run("dlq", "replay", "--all", env=env)
    assert code == 2 and "add a filter" in err and "--yes" in err
    code, _, err = run("dlq", "replay", letters[0]["id"], "--kind", "parse", env=env)
    assert code == 2 and "go with --all" in err
    code, out, _ = run("dlq", "replay", "--all", "--yes", "--dry-run", env=env)
    assert out.count("would replay") == 2


async def test_a_replay_is_recorded_as_an_instant_whatever_the_zone(tmp_path: Path) -> None:
    """The history keeps instants: a Tehran-offset time comes back as the same instant, UTC."""
    tehran = datetime(2026, 12, 8, 15, 30, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sink.db'}") as store:
        item = letter(9)
        await store.write_dead_letters([item])
        await store.record_replays([replay_row(item["id"], tehran, 1)])
        (row,) = await store.dead_letter_replays([item["id"]])
    assert row["replayed_at"] == tehran and row["replayed_at"].tzinfo == UTC
