"""bench/pipeline.py: the pure parts its numbers rest on, without a broker.

Unique URLs must give one stored row per published page (canonical links included),
the percentiles and rates must be the arithmetic the report says, and the /proc and
py-spy readers must put processes and samples where they belong.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest

from bench import pipeline as bp
from newsflow.core.types import RawPageDict
from newsflow.extraction.parse import ParseOptions, parse_page
from newsflow.extraction.urls import article_id, canonicalize_url
from newsflow.inputs import raw_page

# --- URLs and canonical links ---------------------------------------------------------


def test_unique_url_adds_a_parameter_and_drops_the_fragment() -> None:
    assert bp.unique_url("https://a.example/news/1", 7) == "https://a.example/news/1?nf-bench=7"
    assert bp.unique_url("https://a.example/x?id=3#top", 0) == "https://a.example/x?id=3&nf-bench=0"


def test_unique_urls_stay_distinct_after_canonicalisation() -> None:
    urls = [bp.unique_url("https://a.example/x?utm_source=feed", i) for i in range(50)]
    ids = {article_id(canonicalize_url(u)) for u in urls}
    assert len(ids) == 50  # the benchmark's parameter is not a tracking one that is dropped


PAGE = """<!doctype html><html lang="en"><head><title>Port strike ends after talks</title>
<link rel="{rel}" href="https://origin.example/news/strike">
<meta property="og:url" content="https://origin.example/news/strike">
</head><body><article><h1>Port strike ends after talks</h1>
<p>Dock workers in the harbour city returned to work on Monday after a week-long strike
ended with an agreement on wages and shift lengths, the union said in a statement.</p>
<p>The port authority said ships that had waited offshore would be unloaded first and
that normal operations should resume by the end of the week.</p>
</article></body></html>"""


def _raw(html: str, url: str) -> RawPageDict:
    return raw_page(url, now=datetime.now(UTC), source="test", body=html.encode())


@pytest.mark.parametrize("rel", ["canonical", "CANONICAL", "alternate canonical"])
def test_neutralised_page_is_stored_under_its_published_url(rel: str) -> None:
    html = PAGE.replace("{rel}", rel)
    url = bp.unique_url("https://origin.example/news/strike", 3)
    before = parse_page(_raw(html, url), ParseOptions())
    assert before["canonical_url"] == "https://origin.example/news/strike"
    assert not bp.stored_under_published_url(before["canonical_url"], url)

    body = bp.neutralise_canonical(html.encode())
    assert b"og:url" not in body
    after = parse_page(_raw(body.decode(), url), ParseOptions())
    assert bp.stored_under_published_url(after["canonical_url"], url)
    assert after["id"] == article_id(url)
    assert after["title"] == before["title"] and after["body"] == before["body"]


def test_neutralise_leaves_other_links_alone() -> None:
    html = b'<link rel=canonical href="/a"><link rel="stylesheet" href="/canonical.css">'
    out = bp.neutralise_canonical(html)
    assert out.startswith(b"<link rel=nf-bench-canonical ")
    assert b'<link rel="stylesheet" href="/canonical.css">' in out


def _base(key: str, url: str) -> bp.BasePage:
    return bp.BasePage(key, url, _raw("<p>x</p>", url), rewritten=False)


def test_cycle_pages_numbers_go_round_the_bases_and_never_repeat() -> None:
    bases = [_base("a", "https://a.example/1"), _base("b", "https://b.example/2")]
    first = bp.cycle_pages(bases, 5)
    later = bp.cycle_pages(bases, 3, start=5)
    urls = [p.url for p in first + later]
    assert len(set(urls)) == 8
    assert urls[0] == "https://a.example/1?nf-bench=0"
    assert urls[3] == "https://b.example/2?nf-bench=3"
    assert urls[5] == "https://b.example/2?nf-bench=5"
    assert all(p.raw["url"] == p.url for p in first + later)
    assert first[2].raw["body_b64"] is bases[0].raw["body_b64"]  # shared, not copied
    assert base64.b64decode(first[2].raw["body_b64"] or "") == b"<p>x</p>"
    with pytest.raises(ValueError):
        bp.cycle_pages([], 1)


# --- statistics -----------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert bp.percentile(values, 50) == pytest.approx(50.5)
    assert bp.percentile(values, 99) == pytest.approx(99.01)
    assert bp.percentile(values, 100) == 100.0
    assert bp.percentile([3.0, 1.0, 2.0], 0) == 1.0  # order of input does not matter
    assert bp.percentile([5.0], 95) == 5.0
    with pytest.raises(ValueError):
        bp.percentile([], 50)


def test_latency_summary_is_in_milliseconds() -> None:
    summary = bp.latency_summary([0.1, 0.2, 0.3, 0.4])
    assert summary["n"] == 4
    assert summary["p50_ms"] == pytest.approx(250.0)
    assert summary["max_ms"] == pytest.approx(400.0)
    assert summary["mean_ms"] == pytest.approx(250.0)
    assert bp.latency_summary([]) == {"n": 0}


def test_sustained_rate_and_efficiency() -> None:
    rate = bp.sustained_rate(3000, first_publish=1000.0, last_persisted=1100.0)
    assert rate == pytest.approx(30.0)
    # 30 pages/s from 2 workers whose pure work does 50 per CPU-second each
    assert bp.efficiency(rate, 2, 50.0) == pytest.approx(0.3)
    assert bp.efficiency(60.0, 1, 50.0) == pytest.approx(1.2)  # overlapped stages exceed 1
    with pytest.raises(ValueError):
        bp.sustained_rate(10, 5.0, 5.0)
    with pytest.raises(ValueError):
        bp.efficiency(10.0, 0, 50.0)


# --- /proc ------------------------------------------------------------------------------

STATUS = """Name:\tpython
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
VmPeak:\t 1234567 kB
VmHWM:\t  356120 kB
VmRSS:\t  301002 kB
Threads:\t7
"""


def test_status_kb_reads_peak_and_current_rss() -> None:
    assert bp.status_kb(STATUS) == 356120
    assert bp.status_kb(STATUS, "VmRSS") == 301002
    assert bp.status_kb("Name:\tkthreadd\n") is None  # kernel threads have no VmHWM


def test_stat_cpu_seconds_survives_odd_command_names() -> None:
    rest = " S 1 2 3 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 100 0 0"
    stat = "4242 (py (x) y)" + rest
    assert bp.stat_fields(stat)[1] == "1"  # ppid
    assert bp.stat_cpu_seconds(stat, 100.0) == pytest.approx(3.0)  # (250 + 50) ticks
    assert bp.stat_cpu_seconds("", 100.0) is None


SPAWN = (
    "/venv/bin/python -B -c from multiprocessing.spawn import spawn_main; "
    "spawn_main(tracker_fd=18, pipe_handle=26) --multiprocessing-fork"
)


def test_process_roles() -> None:
    assert bp.process_role("/venv/bin/python -m newsflow.cli worker") == "pipeline process"
    supervisor = "/venv/bin/python -m newsflow.cli worker --processes 2"
    assert bp.process_role(supervisor) == "supervisor"
    child = "/venv/bin/python -m newsflow.cli worker --role pipeline --web-port 1"
    assert bp.process_role(child) == "pipeline process"
    stats = "/venv/bin/python -m newsflow.cli worker --role stats --web-port 4000"
    assert bp.process_role(stats) == "stats child"
    tracker = "/venv/bin/python -B -c from multiprocessing.resource_tracker import main;main(17)"
    assert bp.process_role(tracker) == "resource tracker"
    enrich_maps = "7f0 r-xp /venv/site-packages/pycrfsuite/_pycrfsuite.so\n7f1 _lexwalk.so"
    assert bp.process_role(SPAWN, enrich_maps) == "stage child (enrich)"
    assert bp.process_role(SPAWN, "7f1 r-xp /repo/_lexwalk.cpython.so") == "stage child (parse)"
    sink_maps = "7f2 /venv/sqlalchemy/engine/_row_cy.so\n7f3 crfsuite"
    assert bp.process_role(SPAWN, sink_maps) == "pipeline process"
    assert bp.process_role(SPAWN, "") == "stage child"
    assert bp.process_role("java -cp kafka.jar") == "other"


def _proc(pid: int, role: str, hwm: int | None, cpu: float | None) -> bp.ProcInfo:
    return bp.ProcInfo(pid, 1, role, "cmd", hwm, hwm, cpu)


def test_peaks_and_cpu_per_role() -> None:
    before = [_proc(1, "pipeline process", 100, 1.0), _proc(2, "stage child (parse)", 50, 0.5)]
    after = [
        _proc(1, "pipeline process", 204800, 4.0),
        _proc(2, "stage child (parse)", 102400, 2.5),
        _proc(3, "stage child (enrich)", 358400, 6.0),  # born in between: counts whole
    ]
    assert bp.peak_by_role(after) == {"pipeline process": 200.0, "stage child": 350.0}
    assert bp.cpu_by_role(before, after) == {
        "pipeline process": 3.0,
        "stage child (parse)": 2.0,
        "stage child (enrich)": 6.0,
    }


# --- py-spy ------------------------------------------------------------------------------

WORKER = 'process 10:"/venv/bin/python -m newsflow.cli worker"'
CHILD = f'process 12:"{SPAWN}"'
SPAWNED = f"{WORKER};{CHILD};<module> (<string>:1);spawn_main (multiprocessing/spawn.py:122)"
POOL = "worker_process (pebble/pool/process.py:1)"
STACKS = [
    (
        WORKER,
        "<module> (newsflow/cli.py:520)",
        "run (mode/worker.py:1)",
        "_run_once (asyncio/base_events.py:1898)",
        "EpollSelector.select (selectors.py:468) 50",
    ),
    (
        WORKER,
        "Stream._c_aiter (faust/streams.py:1)",
        "write_articles (newsflow/agents/sink.py:250)",
        "Store.write_articles (newsflow/store/store.py:120)",
        "execute (sqlalchemy/engine/base.py:1) 7",
    ),
    (
        SPAWNED,
        POOL,
        "handle (newsflow/agents/parse.py:24)",
        "parse_page (newsflow/extraction/parse.py:151)",
        "walk (newsflow/extraction/walk.py:88) 30",
    ),
    (
        SPAWNED,
        POOL,
        "handle (newsflow/agents/parse.py:23)",
        "decode (newsflow/schemas/codec.py:183)",
        "validate_urn_newsflow_v1_rawpage (<string>:12) 4",
    ),
    (SPAWNED, POOL, "Connection._recv (multiprocessing/connection.py:395) 6"),
    (
        SPAWNED,
        "handle (newsflow/agents/parse.py:20)",
        "_find_and_load (<frozen importlib._bootstrap>:1176)",
        "<module> (faust/__init__.py:3) 3",
    ),
    ('process 20:"python -c\nimport time\nbusy()"', "<module> (<string>:4) 2"),
]
RAW = "\n".join(";".join(stack) for stack in STACKS) + "\n"


def test_parse_raw_profile_keeps_the_innermost_process() -> None:
    samples = bp.parse_raw_profile(RAW)
    assert [s.count for s in samples] == [50, 7, 30, 4, 6, 3, 2]
    assert [s.pid for s in samples] == [10, 10, 12, 12, 12, 12, 20]
    assert samples[2].cmdline == SPAWN  # its ";" did not split the process frame
    assert samples[2].frames[-1] == "walk (newsflow/extraction/walk.py:88)"
    assert samples[6].cmdline == "python -c\nimport time\nbusy()"


def _no_source(_file: str, _line: int) -> str:
    return ""


def test_stack_categories_by_innermost_matching_frame() -> None:
    samples = bp.parse_raw_profile(RAW)
    got = [bp.stack_category(s.frames, _no_source) for s in samples]
    assert got == ["idle", "sink", "parse", "decode/validate", "pickling/IPC", "import", "other"]


def test_categories_of_single_stacks() -> None:
    def cat(*frames: str) -> str:
        return bp.stack_category(frames, _no_source)

    assert cat("run (faust/agents/agent.py:1)", "send (aiokafka/producer/producer.py:1)") == (
        "Kafka client"
    )
    assert cat("send (aiokafka/producer/producer.py:1)", "on_x (faust/topics.py:1)") == (
        "Faust overhead"
    )
    assert cat("handle (newsflow/agents/enrich.py:1)", "tag (newsflow/entities/ner.py:1)") == (
        "enrich"
    )
    assert cat("handle (newsflow/agents/route.py:30)") == "route"
    assert cat("routes_for (newsflow/core/routing.py:9)") == "route"
    assert cat("_run_once (asyncio/base_events.py:1)") == "other"
    # a socket write is its caller's; a loop callback's stack stops at the loop
    write = "_SelectorSocketTransport.write (asyncio/selector_events.py:1)"
    assert cat("send (aiokafka/conn.py:1)", write) == "Kafka client"
    assert (
        cat(
            "execute (mode/worker.py:1)",
            "_run_once (asyncio/base_events.py:1)",
            "Handle._run (asyncio/events.py:1)",
            "feed_data (asyncio/streams.py:1)",
        )
        == "other"
    )
    assert cat("dumps (pickle.py:1)") == "pickling/IPC"
    assert cat("Condition.wait (threading.py:320)") == "idle"
    assert cat() == "other"


def test_a_leaf_blocked_in_a_c_call_is_idle_by_its_source_line() -> None:
    lines = {
        ("aiosqlite/core.py", 59): "future, function = tx.get()",
        ("aiosqlite/core.py", 63): "result = function()",
        ("pebble/pool/process.py", 210): "time.sleep(CONSTS.sleep_unit)",
        ("concurrent/futures/thread.py", 81): "work_item = work_queue.get(block=True)",
    }

    def source(file: str, line: int) -> str:
        return lines.get((file, line), "")

    assert bp.stack_category(["_connection_worker_thread (aiosqlite/core.py:59)"], source) == (
        "idle"
    )
    assert bp.stack_category(["_connection_worker_thread (aiosqlite/core.py:63)"], source) == (
        "sink"
    )
    assert bp.is_idle_leaf("pool_manager_loop (pebble/pool/process.py:210)", source)
    assert bp.is_idle_leaf("_worker (concurrent/futures/thread.py:81)", source)
    assert not bp.is_idle_leaf("walk (newsflow/extraction/walk.py:88)", source)


def test_profile_shares_per_role() -> None:
    roles = {10: "pipeline process", 12: "stage child (parse)"}

    def role_of(pid: int, cmdline: str) -> str:
        return roles.get(pid) or bp.process_role(cmdline)

    samples = bp.parse_raw_profile(RAW)
    table = bp.profile_shares(samples, role_of)
    assert set(table) == {"pipeline process", "stage child (parse)", "other"}
    assert table["pipeline process"]["idle"] == 50
    assert table["pipeline process"]["sink"] == 7
    child = table["stage child (parse)"]
    assert (child["parse"], child["decode/validate"], child["pickling/IPC"]) == (30, 4, 6)
    assert child["import"] == 3
    assert sum(child.values()) == 43
    assert list(child) == list(bp.CATEGORIES)


def test_cpu_shares_leave_idle_samples_out() -> None:
    row = dict.fromkeys(bp.CATEGORIES, 0) | {"idle": 80, "parse": 15, "sink": 5}
    shares = bp.cpu_shares(row)
    assert "idle" not in shares
    assert shares["parse"] == pytest.approx(0.75)
    assert shares["sink"] == pytest.approx(0.25)
    assert bp.cpu_shares(dict.fromkeys(bp.CATEGORIES, 0))["parse"] == 0.0


def test_busy_ticks_count_all_but_idle_and_iowait() -> None:
    stat = "cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 50 2 25 400 20 1 1 0 0 0\nintr 1 2\n"
    busy, total = bp.busy_ticks(stat)
    assert total == 1000  # user..steal; guest is inside user already
    assert busy == 160
    with pytest.raises(ValueError):
        bp.busy_ticks("intr 1 2\n")


def test_load_meter_counts_this_process_as_the_benchmark() -> None:
    meter = bp.LoadMeter().start()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    load = meter.stop()
    assert load.by_group["benchmark"] * load.wall_s >= 0.15
    assert load.ours_cores == pytest.approx(sum(load.by_group.values()))
    assert load.foreign_cores >= 0.0
