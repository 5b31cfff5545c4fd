"""End-to-end throughput benchmark: corpus pages through a real Apache Kafka, the real
`newsflow worker` and a real database, against the same work done in one process.

Why: the extraction and entity benchmarks time the pure functions; what a deployment
gets is what survives the broker, the stage processes, the codecs and the sink. This
benchmark puts numbers on that gap, in one run on one machine, so that "the default
worker should do at least 1.2x what `newsflow process` does" (and any change to the
worker) can be checked instead of argued. Run from the repository root::

    .venv/bin/python bench/pipeline.py --json var/bench-pipeline.json
    .venv/bin/python bench/pipeline.py --pages 300 --latency-pages 60 --workers 1 --sinks sqlite
    .venv/bin/python bench/pipeline.py --profile          # where the CPU goes (py-spy)

One run:

1. loads every set of ``../shared/corpus`` and keeps the pages that the pipeline turns
   into exactly one stored row under the URL they were published with (a page that
   names its own canonical URL gets its canonical markers neutralised; pages that fail
   to parse or enrich are left out and counted);
2. times the pure work in this process on one core (`newsflow.pipeline.process_page`,
   whose enrichment makes the routing decision, plus the sink's row builders), and
   `newsflow process` on the same pages;
3. starts Apache Kafka (newsflow's broker control) and, for the postgres sink,
   PostgreSQL (``dev/postgres.sh``) unless ``--broker`` / ``--postgres-url`` name them;
4. for each sink and worker count: fresh topics (own app id and topic prefix), a fresh
   migrated database, the worker(s) started and waited for on ``/ready``; then every
   page published at once (sustained rate), then ``--latency-pages`` more at half that
   rate (latency percentiles); peak RSS and CPU of every process of the workers, the
   machine's busy cores by whose processes (other programs' included), and with
   ``--profile`` py-spy's samples of the throughput phase sorted into categories;
5. prints Markdown tables and writes everything to ``--json``.

A row's persisted time is its ``first_seen_at``, which the sink sets when it starts the
batch's transaction (`newsflow.store.Store.write_articles`); rows and publish times
are matched by the ``url`` column, which holds the URL the page was published with.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import dataclasses
import functools
import gc
import json
import linecache
import logging
import math
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson
import sqlalchemy as sa

from bench.corpus import DEFAULT_CORPUS, corpus_pages, pin_one_core
from newsflow import brokers
from newsflow.core.types import EnrichedArticleDict, RawPageDict
from newsflow.extraction.parse import ParseOptions
from newsflow.extraction.urls import article_id, canonicalize_url, page_url
from newsflow.settings import Settings

REPO = Path(__file__).resolve().parents[1]
BENCH_PARAM = "nf-bench"  # query parameter that makes each published copy a page of its own
SINKS = ("sqlite", "postgres")
DEFAULT_PG_PORT = 55499
PYSPY_RATE = 100  # samples a second per process
WARM_PAGES = 20  # pages processed once before the in-process timing starts
MB = 1024.0

log = logging.getLogger("bench.pipeline")


# --- pages: unique URLs, one stored row each ---------------------------------------


def unique_url(url: str, index: int) -> str:
    """``url`` with ``nf-bench=<index>`` added to its query (fragment dropped).

    Cycling a few hundred corpus pages into thousands needs every copy to be a page of
    its own: the article id is a hash of the canonical URL, so copies under one URL
    would be one row updated again and again, not thousands of rows.
    """
    parts = urlsplit(url)
    extra = f"{BENCH_PARAM}={index}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query, fragment=""))


# `rel` attributes naming "canonical" (quoted, unquoted, or among other tokens) and
# `og:url` metas: the two sources `newsflow.extraction.parse._canonical` reads.
_CANONICAL_REL = re.compile(rb"""(\brel\s*=\s*["']?[^"'>]*?)\bcanonical\b""", re.IGNORECASE)
_OG_URL = re.compile(rb"\bog:url\b", re.IGNORECASE)


def neutralise_canonical(body: bytes) -> bytes:
    """The page with its canonical link and ``og:url`` renamed so the parser ignores them.

    A page that names its own canonical URL is stored under that URL whatever it was
    published as, so every copy would land on one row. Renaming (not deleting) keeps
    the page's size and structure as they were.
    """
    body = _CANONICAL_REL.sub(rb"\1nf-bench-canonical", body)
    return _OG_URL.sub(b"og:nf-bench-url", body)


def stored_under_published_url(canonical_url: str, published_url: str) -> bool:
    """True when the parsed article's canonical URL is the one the page was published
    under, i.e. its row (id = hash of the canonical URL) is this page's alone."""
    return canonicalize_url(canonical_url) == canonicalize_url(published_url)


@dataclass(frozen=True)
class BasePage:
    """A corpus page the benchmark can cycle: its URL and raw page (body possibly
    rewritten by `neutralise_canonical`)."""

    key: str
    url: str
    raw: RawPageDict
    rewritten: bool


@dataclass(frozen=True)
class BenchPage:
    """One page to publish: a unique URL and the raw page carrying it."""

    url: str
    raw: RawPageDict


def cycle_pages(bases: Sequence[BasePage], count: int, start: int = 0) -> list[BenchPage]:
    """``count`` pages numbered from ``start``, going round ``bases``; numbers never
    repeat within a run, so neither do URLs (the latency phase starts after the
    throughput phase's last number)."""
    if not bases:
        raise ValueError("no usable corpus pages")
    out = []
    for index in range(start, start + count):
        base = bases[index % len(bases)]
        url = unique_url(base.url, index)
        out.append(BenchPage(url, cast(RawPageDict, {**base.raw, "url": url})))
    return out


def _with_body(raw: RawPageDict, body: bytes) -> RawPageDict:
    return cast(RawPageDict, {**raw, "body_b64": base64.b64encode(body).decode("ascii")})


def _process_options(settings: Settings) -> ParseOptions:
    """The parse options the worker builds from its settings (`agents.parse.register`)."""
    return ParseOptions(
        max_bytes=settings.max_page_bytes,
        site_timezones=dict(settings.site_timezones),
        timeout_s=settings.parse_timeout,
        compiled=settings.compiled_passes,
    )


def corpus_sets(corpus: Path) -> list[str]:
    """Every set of the corpus that has pages (an ``expected.jsonl``), sorted."""
    return sorted(p.parent.name for p in corpus.glob("*/expected.jsonl"))


def select_base_pages(
    corpus: Path, settings: Settings, now: datetime
) -> tuple[list[BasePage], dict[str, int]]:
    """The corpus pages that become one row each under their published URL, and counts
    of what happened to the others (kept, rewritten, failing, canonical left)."""
    from newsflow.pipeline import process_page

    options = _process_options(settings)
    counts: Counter[str] = Counter()
    bases: list[BasePage] = []
    for cp in corpus_pages(corpus, corpus_sets(corpus), now=now):
        probe = unique_url(cp.raw["url"], 0)
        for rewritten, body in ((False, cp.body), (True, neutralise_canonical(cp.body))):
            if rewritten and body == cp.body:
                counts["left out: names its canonical URL in a way not rewritten"] += 1
                break
            raw = _with_body(cp.raw, body)
            try:
                item = cast(
                    EnrichedArticleDict,
                    process_page(
                        cast(RawPageDict, {**raw, "url": probe}), options=options, now=now
                    ),
                )
            except Exception:  # noqa: BLE001 - such a page would be a dead letter: left out
                counts["left out: fails in the pipeline"] += 1
                break
            if stored_under_published_url(item["article"]["canonical_url"], probe):
                bases.append(BasePage(cp.key, cp.raw["url"], raw, rewritten))
                counts["rewritten (canonical neutralised)" if rewritten else "kept as is"] += 1
                break
        else:
            counts["left out: canonical URL survives the rewrite"] += 1
    return bases, dict(counts)


# --- statistics -------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between ranks (numpy's
    default), so p99 of 600 samples is not just the 6th-largest value."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50/p95/p99/mean/max in milliseconds, and how many samples they summarise."""
    if not seconds:
        return {"n": 0}
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": sum(ms) / len(ms),
        "max_ms": max(ms),
    }


def sustained_rate(pages: int, first_publish: float, last_persisted: float) -> float:
    """Pages per second from the first page handed to the producer to the last row
    written: what the whole system sustained, broker and sink included."""
    span = last_persisted - first_publish
    if span <= 0:
        raise ValueError(f"the last row ({last_persisted}) precedes the first publish")
    return pages / span


def efficiency(end_to_end_rate: float, workers: int, in_process_cpu_rate: float) -> float:
    """End-to-end rate over what ``workers`` cores would do running only the pure work.

    1.0 means the worker machinery (broker, codecs, IPC, sink) is free; a worker that
    overlaps its stages in several processes can exceed it.
    """
    if workers <= 0 or in_process_cpu_rate <= 0:
        raise ValueError("workers and the in-process rate must be positive")
    return end_to_end_rate / (workers * in_process_cpu_rate)


# --- processes: roles and peak memory ------------------------------------------------


def status_kb(status_text: str, name: str = "VmHWM") -> int | None:
    """A ``kB`` field of ``/proc/PID/status`` (VmHWM: the peak resident set size)."""
    for line in status_text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == name:
            parts = value.split()
            if parts and parts[0].isdigit():
                return int(parts[0])
    return None


def process_role(cmdline: str, maps: str = "") -> str:
    """What a process of a worker's tree is, from its command line and, for children
    started by multiprocessing (which all share its spawn command line), from the
    compiled extensions it has mapped: only a pipeline process loads SQLAlchemy's (the
    sink), the enrich child pycrfsuite's (the tagger), the parse child newsflow's
    ``_lexwalk``/``_markup`` without either."""
    if "resource_tracker" in cmdline:
        return "resource tracker"
    if "newsflow" in cmdline and "worker" in cmdline:
        if "--role stats" in cmdline:
            return "stats child"
        if "--processes" in cmdline and "--role" not in cmdline:
            return "supervisor"  # holds no partitions and runs no stage
        return "pipeline process"
    if "multiprocessing" in cmdline:
        if "sqlalchemy" in maps:
            return "pipeline process"
        if "crfsuite" in maps or "_viterbi" in maps:
            return "stage child (enrich)"
        if "_lexwalk" in maps or "_markup" in maps:
            return "stage child (parse)"
        return "stage child"
    return "other"


def summary_role(role: str) -> str:
    """The two headline groups the report keeps a maximum for."""
    return "stage child" if role.startswith("stage child") else role


@dataclass
class ProcInfo:
    """One process of a worker's tree as /proc shows it now."""

    pid: int
    ppid: int
    role: str
    cmdline: str
    vm_hwm_kb: int | None
    vm_rss_kb: int | None
    cpu_s: float | None = None  # user + system time so far


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def stat_fields(stat_text: str) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name, from ``state`` (field 3)
    on; the name may hold spaces and parentheses, so it is cut at the last ``)``."""
    return stat_text.rsplit(")", 1)[-1].split()


def stat_cpu_seconds(stat_text: str, ticks_per_s: float) -> float | None:
    """User + system CPU seconds of a process, from ``/proc/PID/stat`` (fields 14, 15)."""
    fields = stat_fields(stat_text)
    if len(fields) < 13:
        return None
    return (int(fields[11]) + int(fields[12])) / ticks_per_s


def _ppid(pid: int) -> int | None:
    fields = stat_fields(_read(Path(f"/proc/{pid}/stat")))
    return int(fields[1]) if len(fields) > 1 else None


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, parents before children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _ppid(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    order, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        order.append(pid)
        todo.extend(sorted(children.get(pid, [])))
    return order


def read_process(pid: int) -> ProcInfo | None:
    """Role, command line and peak/current RSS of one live process (None if gone)."""
    status = _read(Path(f"/proc/{pid}/status"))
    if not status:
        return None
    cmdline = _read(Path(f"/proc/{pid}/cmdline")).replace("\0", " ").strip()
    role = process_role(cmdline, _read(Path(f"/proc/{pid}/maps")))
    cpu = stat_cpu_seconds(_read(Path(f"/proc/{pid}/stat")), os.sysconf("SC_CLK_TCK"))
    return ProcInfo(
        pid,
        _ppid(pid) or 0,
        role,
        cmdline,
        status_kb(status),
        status_kb(status, "VmRSS"),
        cpu,
    )


def worker_processes(roots: Iterable[int]) -> list[ProcInfo]:
    """Every live process under the worker processes ``roots``."""
    out = []
    for root in roots:
        for pid in process_tree(root):
            info = read_process(pid)
            if info is not None:
                out.append(info)
    return out


def cpu_by_role(before: Sequence[ProcInfo], after: Sequence[ProcInfo]) -> dict[str, float]:
    """CPU seconds each role spent between two snapshots of the same tree (a process
    born in between counts whole; one that ended in between is lost)."""
    start = {p.pid: p.cpu_s or 0.0 for p in before}
    spent: dict[str, float] = {}
    for proc in after:
        if proc.cpu_s is not None:
            spent[proc.role] = spent.get(proc.role, 0.0) + proc.cpu_s - start.get(proc.pid, 0.0)
    return spent


def peak_by_role(procs: Sequence[ProcInfo]) -> dict[str, float]:
    """Largest VmHWM (MB) per summary role: "pipeline process", "stage child", ..."""
    peaks: dict[str, float] = {}
    for proc in procs:
        if proc.vm_hwm_kb is not None:
            role = summary_role(proc.role)
            peaks[role] = max(peaks.get(role, 0.0), proc.vm_hwm_kb / MB)
    return peaks


def busy_ticks(proc_stat_text: str) -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs from ``/proc/stat``'s ``cpu`` line; busy
    is everything but idle and iowait."""
    for line in proc_stat_text.splitlines():
        if line.startswith("cpu "):
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + (values[4] if len(values) > 4 else 0)
            # guest time is already inside user time: leave fields 9-10 out of the total
            total = sum(values[:8])
            return total - idle, total
    raise ValueError("no cpu line in /proc/stat")


def tree_cpu(groups: dict[str, list[int]]) -> dict[int, tuple[str, float]]:
    """``pid -> (group, CPU seconds so far)`` of every process under each group's root
    pids; a process under two groups' roots (the workers and Kafka are children of the
    benchmark) belongs to the first group listed."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, float]] = {}
    for group, roots in groups.items():
        for root in roots:
            for pid in process_tree(root):
                cpu = stat_cpu_seconds(_read(Path(f"/proc/{pid}/stat")), ticks)
                if cpu is not None and pid not in out:
                    out[pid] = (group, cpu)
    return out


def _reaped_cpu() -> float:
    """CPU of this process's children that have exited and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Load:
    """How busy the machine was during a phase, in cores: all of it, the processes of
    this benchmark by group (the workers, Kafka and PostgreSQL when it started them, the
    benchmark itself with its publisher, py-spy and finished children such as
    `newsflow process`), and the rest: another program's load, which the numbers of the
    phase suffered."""

    wall_s: float
    machine_cores: float
    ours_cores: float
    foreign_cores: float
    by_group: dict[str, float] = field(default_factory=dict)


class LoadMeter:
    """Measures a `Load` between `start` and `stop`: on a shared machine, a slow phase
    is only evidence against newsflow if nothing else was running.

    ``groups()`` names root pids per group, most specific first; "benchmark" (this
    process's whole tree, less the groups before it) is added last.
    """

    def __init__(self, groups: Callable[[], dict[str, list[int]]] = dict) -> None:
        self.groups = groups
        self.started = 0.0
        self.busy = 0
        self.reaped = 0.0
        self.cpu: dict[int, tuple[str, float]] = {}

    def _snapshot(self) -> dict[int, tuple[str, float]]:
        return tree_cpu({**self.groups(), "benchmark": [os.getpid()]})

    def start(self) -> LoadMeter:
        self.started = time.monotonic()
        self.busy = busy_ticks(_read(Path("/proc/stat")))[0]
        self.reaped = _reaped_cpu()
        self.cpu = self._snapshot()
        return self

    def stop(self) -> Load:
        wall = time.monotonic() - self.started
        busy = (busy_ticks(_read(Path("/proc/stat")))[0] - self.busy) / os.sysconf("SC_CLK_TCK")
        spent: dict[str, float] = {"benchmark": _reaped_cpu() - self.reaped}
        for pid, (group, cpu) in self._snapshot().items():
            spent[group] = spent.get(group, 0.0) + cpu - self.cpu.get(pid, (group, 0.0))[1]
        ours = sum(spent.values())
        if wall <= 0:
            return Load(wall, 0.0, 0.0, 0.0)
        return Load(
            wall,
            busy / wall,
            ours / wall,
            max(0.0, busy - ours) / wall,
            {group: cpu / wall for group, cpu in spent.items()},
        )


# --- py-spy: collapsed stacks into categories ---------------------------------------

CATEGORIES = (
    "import",
    "decode/validate",
    "parse",
    "enrich",
    "route",
    "sink",
    "Kafka client",
    "Faust overhead",
    "pickling/IPC",
    "idle",
    "other",
)

# Per frame, the first rule whose path fragment occurs in "/" + the frame's file wins;
# per stack, the innermost frame that any rule matches decides. asyncio's frames match
# nothing (a socket write made by aiokafka is aiokafka's), but the search stops at the
# event loop's own frames (`_LOOP_FRAMES`): what lies outside them is whoever started
# the loop (Faust's worker), not whoever asked for the work, so such a stack (a loop
# callback reading a socket, the loop's bookkeeping) is "other".
_FRAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "decode/validate",
        ("/newsflow/schemas/", "/schemas/codec.py", "/orjson/", "/msgspec/", "/fastjsonschema/"),
    ),
    ("parse", ("/newsflow/extraction/",)),
    ("enrich", ("/newsflow/entities/",)),
    ("route", ("/newsflow/core/routing.py", "/agents/route.py")),
    (
        "sink",
        (
            "/newsflow/store/",
            "/agents/sink.py",
            "/sqlalchemy/",
            "/sqlite3/",
            "/aiosqlite/",
            "/asyncpg/",
            "/psycopg",
        ),
    ),
    ("Kafka client", ("/aiokafka/",)),
    ("Faust overhead", ("/faust/", "/mode/")),
    (
        "pickling/IPC",
        (
            "/pebble/",
            "/multiprocessing/",
            "/pickle.py",
            "/copyreg.py",
            "/concurrent/futures/",
            "/newsflow/isolation.py",
        ),
    ),
)
# Leaf frames that are waiting, not working. py-spy is meant to drop idle threads, but
# a thread blocked inside a C call (a SimpleQueue.get, time.sleep, poll) shows as busy
# with the calling Python line as its leaf: so a leaf in one of these waits, or whose
# source line is a blocking call, is idle.
_IDLE_FILES = (
    "selectors.py",
    "threading.py",
    "queue.py",
    "multiprocessing/connection.py",
    "multiprocessing/synchronize.py",
    "multiprocessing/queues.py",
)
_IDLE_FUNCS = frozenset(
    {"select", "poll", "_poll", "wait", "_wait_for_tstate_lock", "acquire", "get", "sleep"}
)
_BLOCKING_LINE = re.compile(
    r"(\bsleep|\.wait|\.poll|\.select|\.acquire|\.accept)\(|\.get\(\s*(\)|block|timeout)"
)
_LOOP_FRAMES = frozenset({"_run_once", "Handle._run", "run_forever", "run_until_complete"})
_IMPORTING = "_find_and_load (<frozen importlib._bootstrap>"
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
_PROCESS = re.compile(r'process (\d+):"(.*?)";', re.DOTALL)


def frame_parts(frame: str) -> tuple[str, str, int]:
    """``(function, file, line)`` of a py-spy frame ``func (path/file.py:123)``."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip(), "", 0
    return match["func"], match["file"], int(match["line"] or 0)


@functools.cache
def source_line(file: str, line: int) -> str:
    """The text of ``file``'s line ``line``; py-spy shortens paths to be relative to a
    ``sys.path`` entry, so the same interpreter's path finds them again ("" if not)."""
    if not file or line <= 0 or file.startswith("<"):
        return ""
    candidates = [Path(file)] if os.path.isabs(file) else [Path(p) / file for p in sys.path]
    for candidate in candidates:
        if candidate.is_file():
            return linecache.getline(str(candidate), line).strip()
    return ""


def frame_category(frame: str) -> str | None:
    """The category a single frame belongs to, or None for frames that say nothing
    (the standard library, newsflow's glue) and defer to their callers."""
    func, file, _line = frame_parts(frame)
    path = "/" + file.replace("\\", "/")
    if file == "<string>" and func.split(".")[-1].startswith("validate"):
        return "decode/validate"  # fastjsonschema's generated validators
    for category, fragments in _FRAME_RULES:
        if any(fragment in path for fragment in fragments):
            return category
    return None


def is_idle_leaf(frame: str, source: Callable[[str, int], str] = source_line) -> bool:
    """True when the innermost frame waits: a blocking wait of the standard library, or
    a line (read through ``source``) that calls one."""
    func, file, line = frame_parts(frame)
    if file.endswith(_IDLE_FILES) and func.split(".")[-1] in _IDLE_FUNCS:
        return True
    return bool(_BLOCKING_LINE.search(source(file, line)))


def stack_category(frames: Sequence[str], source: Callable[[str, int], str] = source_line) -> str:
    """Category of one stack (outermost frame first), by its innermost matching frame.

    Two exceptions come first: a stack whose leaf waits is idle, and one that is
    importing a module is "import" (a one-off cost of a lazy import, not of the
    library whose module body happens to run).
    """
    if frames and is_idle_leaf(frames[-1], source):
        return "idle"
    if any(_IMPORTING in frame for frame in frames):
        return "import"
    for frame in reversed(frames):
        func, file, _line = frame_parts(frame)
        if func in _LOOP_FRAMES and "asyncio/" in file:
            return "other"
        category = frame_category(frame)
        if category is not None:
            return category
    return "other"


@dataclass(frozen=True)
class Sample:
    """One line of py-spy's raw output: the process it was taken in, its stack, a count."""

    pid: int
    cmdline: str
    frames: tuple[str, ...]
    count: int


def parse_raw_profile(text: str) -> list[Sample]:
    """py-spy ``--format raw`` lines: ``process P:"cmd";[process C:"cmd";]f1;f2;... N``.

    With ``--subprocesses`` every stack starts with the chain of processes down to the
    one sampled (the innermost is the one that ran it). A command line may itself hold
    ``;`` (multiprocessing's spawn command does) or even a newline, so process frames
    are matched up to their closing quote and unfinished lines are joined.
    """
    samples: list[Sample] = []
    pending = ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        head, _, count = pending.rpartition(" ")
        if not count.isdigit():
            continue
        pending = ""
        pid, cmdline, rest = 0, "", head
        while (match := _PROCESS.match(rest)) is not None:
            pid, cmdline, rest = int(match[1]), match[2], rest[match.end() :]
        if rest.startswith("process ") and rest.endswith('"'):  # a stack of no Python frame
            match = re.match(r'process (\d+):"(.*)"$', rest, re.DOTALL)
            if match is not None:
                pid, cmdline, rest = int(match[1]), match[2], ""
        frames = tuple(f for f in rest.split(";") if f)
        samples.append(Sample(pid, cmdline, frames, int(count)))
    return samples


def profile_shares(
    samples: Iterable[Sample], role_of: Callable[[int, str], str]
) -> dict[str, dict[str, int]]:
    """Sample counts per process role and category (``role_of(pid, cmdline)``)."""
    table: dict[str, dict[str, int]] = {}
    for sample in samples:
        row = table.setdefault(role_of(sample.pid, sample.cmdline), dict.fromkeys(CATEGORIES, 0))
        row[stack_category(sample.frames)] += sample.count
    return table


def top_leaves(
    samples: Iterable[Sample], role_of: Callable[[int, str], str], n: int = 8
) -> dict[str, list[tuple[str, int]]]:
    """The ``n`` innermost frames seen most often per role: what "other" hides."""
    counts: dict[str, Counter[str]] = {}
    for sample in samples:
        leaf = re.sub(r":\d+\)$", ")", sample.frames[-1]) if sample.frames else "(no frame)"
        counts.setdefault(role_of(sample.pid, sample.cmdline), Counter())[leaf] += sample.count
    return {role: c.most_common(n) for role, c in counts.items()}


# --- services: Kafka, PostgreSQL, databases -----------------------------------------


@contextlib.contextmanager
def kafka_broker(given: str | None, home: Path, port: int | None) -> Iterator[str]:
    """The broker URL: ``given``, or an Apache Kafka started here and stopped on exit."""
    if given:
        yield given
        return
    home.mkdir(parents=True, exist_ok=True)
    chosen = port or brokers.free_port()
    log.info("starting Apache Kafka %s on 127.0.0.1:%d (%s)", brokers.KAFKA_VERSION, chosen, home)
    status = brokers.start("kafka", home=home, port=chosen, timeout=180.0)
    try:
        yield f"kafka://{status.bootstrap}"
    finally:
        log.info("stopping Kafka")
        brokers.stop("kafka", home=home)


def _open_dirs_to_postgres(directory: Path) -> None:
    """The postgres user (the server's when we are root) must traverse every parent."""
    for parent in directory.parents:
        if str(parent) in ("/", "/tmp"):
            break
        with contextlib.suppress(OSError):
            if parent.stat().st_mode & 0o005 != 0o005:
                parent.chmod(parent.stat().st_mode | 0o755)


@contextlib.contextmanager
def postgres_server(given: str | None, directory: Path, port: int) -> Iterator[str]:
    """A server URL: ``given``, or a throw-away cluster of ``dev/postgres.sh``."""
    if given:
        yield given
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    _open_dirs_to_postgres(directory)
    script = REPO / "dev" / "postgres.sh"
    log.info("starting PostgreSQL on 127.0.0.1:%d (%s)", port, directory)
    done = subprocess.run(
        ["bash", str(script), "start", "--dir", str(directory), "--port", str(port)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield done.stdout.strip().splitlines()[-1]
    finally:
        log.info("stopping PostgreSQL")
        subprocess.run(["bash", str(script), "stop", "--dir", str(directory)], check=False)


async def _admin(server_url: str, statement: str) -> Any:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from newsflow.store.engine import parse_url

    engine = create_async_engine(parse_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(sa.text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


def fresh_database(sink: str, tag: str, work_dir: Path, pg_url: str | None) -> str:
    """A new, empty database for one configuration, migrated to head before any worker
    starts (so no worker's first batch waits on a migration)."""
    from newsflow.store.engine import parse_url
    from newsflow.store.migrate import migrate

    if sink == "sqlite":
        path = work_dir / "db" / f"{tag}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        assert pg_url is not None
        name = re.sub(r"[^a-z0-9_]", "_", f"bench_{tag}".lower())
        asyncio.run(_admin(pg_url, f'CREATE DATABASE "{name}"'))
        url = parse_url(pg_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(migrate(url))
    return url


def drop_database(url: str, server_url: str) -> None:
    """Remove a database this run created on a server it did not start."""
    from newsflow.store.engine import parse_url

    name = parse_url(url).database
    with contextlib.suppress(Exception):
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def server_version(sink: str, url: str | None) -> str | None:
    """The database's version, for the machine facts."""
    if sink == "sqlite":
        return sqlite3.sqlite_version
    if url is None:
        return None
    with contextlib.suppress(Exception):
        return str(asyncio.run(_admin(url, "SHOW server_version")))
    return None


# --- the database side: counting and reading rows -----------------------------------


@dataclass
class Drained:
    """How a wait for rows ended: rows and dead letters seen, and whether it stalled."""

    articles: int
    dead_letters: int
    stalled: bool
    seconds: float


async def _counts(conn: Any) -> tuple[int, int]:
    from newsflow.store.tables import articles, dead_letters

    n = await conn.scalar(sa.select(sa.func.count()).select_from(articles))
    d = await conn.scalar(sa.select(sa.func.count()).select_from(dead_letters))
    return int(n or 0), int(d or 0)


async def wait_for_rows(
    db_url: str, expected: int, procs: Sequence[subprocess.Popen[bytes]], stall_s: float
) -> Drained:
    """Poll until rows + dead letters reach ``expected``, or nothing new came for
    ``stall_s`` seconds; a worker that exits meanwhile is an error."""
    from newsflow.store.engine import create_engine, parse_url

    engine = create_engine(parse_url(db_url))
    started = last_change = time.monotonic()
    seen = (-1, -1)
    try:
        while True:
            async with engine.connect() as conn:
                counts = await _counts(conn)
            now = time.monotonic()
            if counts != seen:
                seen, last_change = counts, now
            if sum(counts) >= expected:
                return Drained(*counts, stalled=False, seconds=now - started)
            if now - last_change > stall_s:
                return Drained(*counts, stalled=True, seconds=now - started)
            for proc in procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"worker {proc.pid} exited with {proc.returncode}")
            await asyncio.sleep(0.25)
    finally:
        await engine.dispose()


async def persisted_times(db_url: str) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """``url -> first_seen_at`` (epoch seconds) of every row, and the dead letters."""
    from newsflow.store.engine import create_engine, parse_url
    from newsflow.store.tables import articles, dead_letters

    engine = create_engine(parse_url(db_url))
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(articles.c.url, articles.c.first_seen_at))).all()
            letters = (
                await conn.execute(
                    sa.select(
                        dead_letters.c.stage,
                        dead_letters.c.error_kind,
                        dead_letters.c.url,
                        dead_letters.c.message,
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    times = {str(url): cast(datetime, seen).timestamp() for url, seen in rows}
    dead = [
        {"stage": s, "error_kind": k, "url": u, "message": str(m)[:300]} for s, k, u, m in letters
    ]
    return times, dead


# --- publishing ---------------------------------------------------------------------


async def publish(
    settings: Settings, pages: Sequence[BenchPage], interval: float | None = None
) -> dict[str, float]:
    """Send ``pages`` to news.raw the way `newsflow publish` does (key: article id of
    the URL; value: the encoded RawPage); ``interval`` paces them (None: as fast as the
    producer takes them). Returns each URL's publish time: when it was handed to the
    producer, which is when a crawler would consider it sent."""
    from newsflow.kafka import BIG_RECORD_BYTES, producer
    from newsflow.schemas.codec import encode
    from newsflow.streams import RAW, topic_name

    topic = topic_name(RAW, settings.topic_prefix)
    times: dict[str, float] = {}
    pending: list[Any] = []
    async with producer(settings) as client:
        start = time.monotonic()
        for index, page in enumerate(pages):
            if interval is not None:
                delay = start + index * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            key = article_id(page_url(page.url)).encode()
            value = encode(page.raw)
            if len(value) > BIG_RECORD_BYTES:  # alone in flight, as newsflow.kafka says
                await asyncio.gather(*pending)
                pending.clear()
            times[page.url] = time.time()
            pending.append(await client.send(topic, value, key=key))
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    return times


async def warm_broker(settings: Settings, pages: Sequence[BenchPage]) -> float:
    """Push ``pages`` through the broker and read them back before any measurement: a
    JVM that has just started runs its first requests slowly, and whichever
    configuration ran first would pay for that. Returns the seconds it took."""
    from newsflow.kafka import consumer, ensure_topics
    from newsflow.streams import RAW, topic_name

    started = time.monotonic()
    await ensure_topics(settings, [RAW])
    await publish(settings, pages)
    seen = 0
    async with consumer(settings, [topic_name(RAW, settings.topic_prefix)]) as client:
        while seen < len(pages):
            batch = await client.getmany(timeout_ms=10_000)
            if not batch:
                break
            seen += sum(len(records) for records in batch.values())
    return time.monotonic() - started


# --- workers ------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    """This checkout first on the path, so workers run the code being measured."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), path) if p)}


def worker_has_processes_option() -> bool:
    """Whether `newsflow worker` runs several pipeline processes itself (--processes)."""
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "worker", "--help"],
        capture_output=True,
        text=True,
        env=_child_env(),
        check=False,
    )
    return "--processes" in done.stdout


def start_workers(
    settings: Settings, count: int, log_dir: Path, processes_option: bool
) -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    """One `newsflow worker --processes N`, or N workers in one consumer group (each on
    its own web port); returns the processes and the web ports to poll."""
    from newsflow.workers import start_worker

    if processes_option:
        proc = start_worker(settings, log_dir / "worker.log", "--processes", str(count))
        return [proc], [settings.web_port]
    procs, ports = [], []
    for index in range(count):
        port = settings.web_port if index == 0 else brokers.free_port()
        procs.append(
            start_worker(replace(settings, web_port=port), log_dir / f"worker-{index}.log")
        )
        ports.append(port)
    return procs, ports


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=3) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(
    procs: Sequence[subprocess.Popen[bytes]], ports: Sequence[int], timeout: float
) -> float:
    """Seconds until every worker answers 200 on /ready twice in a row (a second worker
    joining makes the first rebalance, so one answer is not enough)."""
    started = time.monotonic()
    in_a_row = 0
    while time.monotonic() - started < timeout:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"worker {proc.pid} exited with {proc.returncode}")
        in_a_row = in_a_row + 1 if all(_ready(p) for p in ports) else 0
        if in_a_row >= 2:
            return time.monotonic() - started
        time.sleep(1.0)
    raise TimeoutError(f"workers not ready after {timeout:.0f} s")


def _log_tail(log_dir: Path, chars: int = 3000) -> str:
    return "\n".join(p.read_text(errors="replace")[-chars:] for p in sorted(log_dir.glob("*.log")))


# --- py-spy -------------------------------------------------------------------------


def pyspy_binary() -> str | None:
    """py-spy beside this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.is_file() else shutil.which("py-spy")


class Profiler:
    """py-spy recording every worker process and its children until stopped.

    It is stopped with SIGINT (py-spy then writes what it has), so the recording spans
    exactly the phase measured whatever its length; ``-d`` is only a cap.
    """

    def __init__(self, pids: Sequence[int], out_dir: Path, cap_s: float) -> None:
        self.pids = list(pids)
        self.out_dir = out_dir
        self.cap_s = cap_s
        self.procs: list[tuple[Path, Path, subprocess.Popen[bytes]]] = []
        self.started = 0.0
        self.seconds = 0.0
        self.error: str | None = None

    def start(self) -> None:
        binary = pyspy_binary()
        if binary is None:
            self.error = "py-spy not installed (pip install py-spy)"
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for pid in self.pids:
            out, err = self.out_dir / f"pyspy-{pid}.txt", self.out_dir / f"pyspy-{pid}.log"
            argv = [binary, "record", "--subprocesses", "--format", "raw"]
            argv += ["--rate", str(PYSPY_RATE), "-p", str(pid), "-o", str(out)]
            argv += ["-d", str(int(self.cap_s))]
            with err.open("wb") as fh:
                proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT)
            self.procs.append((out, err, proc))
        self.started = time.monotonic()
        time.sleep(1.0)  # an attach refused (ptrace) ends py-spy at once: say so now
        for _out, err, proc in self.procs:
            if proc.poll() is not None:
                self.error = f"py-spy could not attach: {_read(err).strip()[-500:]}"

    def stop(self) -> str:
        """Stop every recorder and return their raw stacks, concatenated."""
        self.seconds = time.monotonic() - self.started
        texts = []
        for out, err, proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if out.is_file():
                texts.append(out.read_text(errors="replace"))
            elif self.error is None:
                self.error = f"py-spy wrote nothing: {_read(err).strip()[-500:]}"
        return "\n".join(texts)


# --- the in-process reference and `newsflow process` ---------------------------------


@dataclass
class InProcess:
    """The pure work per page in this process: parse + enrich (which routes) + rows."""

    pages: int
    ok: int
    failed: int
    cpu_s: float
    wall_s: float
    pipeline_cpu_s: float
    rows_cpu_s: float
    cpu_pinned: int | None
    id_mismatches: int
    per_cpu_s: float = 0.0
    per_wall_s: float = 0.0


def measure_in_process(pages: Sequence[BenchPage], settings: Settings) -> InProcess:
    """Time `process_page` and the sink's row builders over ``pages`` on one core.

    `enrich_article` calls `newsflow.core.routing.routes_for` itself, so the routing
    decision is inside `process_page`; the rows are what `Store.write_articles` builds
    (`storable_article`, `article_row`, `entity_rows`). Also checks every article id
    is that of its published URL: the premise of matching rows by URL.
    """
    from newsflow.agents.enrich import warm
    from newsflow.pipeline import process_page
    from newsflow.store.rows import article_row, entity_rows, storable_article

    warm(settings.cache_dir, dict(settings.tagger_models))
    options = _process_options(settings)
    now = datetime.now(UTC)
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpu = pin_one_core()
    try:
        for page in pages[:WARM_PAGES]:
            with contextlib.suppress(Exception):
                process_page(page.raw, options=options, now=now)
        gc.collect()
        ok = failed = mismatches = 0
        pipeline_cpu = rows_cpu = 0.0
        wall0 = time.perf_counter()
        for page in pages:
            t0 = time.process_time()
            try:
                item = cast(EnrichedArticleDict, process_page(page.raw, options=options, now=now))
            except Exception:  # noqa: BLE001 - a failing page costs its time, counted apart
                failed += 1
                pipeline_cpu += time.process_time() - t0
                continue
            t1 = time.process_time()
            article_row(storable_article(item), now)
            entity_rows(item)
            t2 = time.process_time()
            pipeline_cpu += t1 - t0
            rows_cpu += t2 - t1
            ok += 1
            if item["id"] != article_id(page_url(page.url)):
                mismatches += 1
        wall = time.perf_counter() - wall0
    finally:
        if affinity is not None:
            os.sched_setaffinity(0, affinity)
    cpu_s = pipeline_cpu + rows_cpu
    result = InProcess(len(pages), ok, failed, cpu_s, wall, pipeline_cpu, rows_cpu, cpu, mismatches)
    result.per_cpu_s = ok / cpu_s if cpu_s else 0.0
    result.per_wall_s = ok / wall if wall else 0.0
    return result


@dataclass
class CliProcess:
    """`newsflow process` on a JSON-lines file of the same raw pages."""

    pages: int
    ok: int
    failed: int
    wall_s: float
    cpu_s: float
    startup_wall_s: float  # until its first output line: interpreter, imports, warm-up
    per_wall_s: float
    steady_per_wall_s: float  # first to last output line: the rate once it runs


def measure_cli_process(pages: Sequence[BenchPage], work_dir: Path, data_dir: Path) -> CliProcess:
    """Time `newsflow process` (its parse and enrich stage children, one page at a time)
    on ``pages``; the times of its first and last output lines also give its rate once
    started, the figure comparable with a worker that is already ready."""
    path = work_dir / "process-input.jsonl"
    err_path = work_dir / "process-stderr.txt"
    with path.open("wb") as fh:
        for page in pages:
            fh.write(orjson.dumps(page.raw) + b"\n")
    env = {**_child_env(), "NEWSFLOW_DATA_DIR": str(data_dir)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines, first, last = 0, 0.0, 0.0
    try:
        with err_path.open("wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "newsflow.cli", "process", str(path)],
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
            )
            assert proc.stdout is not None
            for _line in proc.stdout:
                last = time.perf_counter()
                first = first or last
                lines += 1
            proc.wait()
            wall = time.perf_counter() - started
    finally:
        path.unlink(missing_ok=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    match = re.search(r"processed (\d+) page\(s\): (\d+) ok, (\d+) failed", _read(err_path))
    ok, failed = (int(match[2]), int(match[3])) if match else (0, len(pages))
    steady = (lines - 1) / (last - first) if lines > 1 and last > first else 0.0
    return CliProcess(len(pages), ok, failed, wall, cpu, first - started, ok / wall, steady)


# --- one configuration --------------------------------------------------------------


@dataclass
class ConfigResult:
    """Everything measured for one sink and worker count."""

    sink: str
    workers: int
    mode: str
    ready_s: float = 0.0
    pages: int = 0
    stored: int = 0
    missing: int = 0
    dead_letters: int = 0
    publish_s: float = 0.0
    drain_s: float = 0.0
    stalled: bool = False  # the wait for rows gave up (see --stall-timeout)
    rate: float = 0.0
    efficiency: float | None = None
    latency_offered_rate: float = 0.0
    latency_pages: int = 0
    latency_missing: int = 0
    latency: dict[str, float | int] = field(default_factory=dict)
    processes: list[dict[str, Any]] = field(default_factory=list)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_s_by_role: dict[str, float] = field(default_factory=dict)  # throughput phase
    load: dict[str, Load] = field(default_factory=dict)  # per phase
    profile: dict[str, Any] | None = None
    dead: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class Plan:
    """What every configuration shares."""

    throughput: list[BenchPage]
    latency: list[BenchPage]
    broker: str
    work_dir: Path
    data_dir: Path
    run_id: str
    processes_option: bool
    profile: bool
    ready_timeout: float
    stall_timeout: float
    in_process_cpu_rate: float
    drop_databases: bool  # on a PostgreSQL server the run did not start
    services: Callable[[], dict[str, list[int]]]  # Kafka's, PostgreSQL's pids


def _role_resolver(procs: Sequence[ProcInfo]) -> Callable[[int, str], str]:
    known = {p.pid: p.role for p in procs}

    def role_of(pid: int, cmdline: str) -> str:
        return known.get(pid) or process_role(cmdline)

    return role_of


def cpu_shares(row: dict[str, int]) -> dict[str, float]:
    """Each working category's share of the samples that were not idle: where the CPU
    went. (Idle samples are threads py-spy took for busy; their share is kept apart.)"""
    busy = sum(n for cat, n in row.items() if cat != "idle")
    return {cat: n / busy if busy else 0.0 for cat, n in row.items() if cat != "idle"}


def _summarise_profile(raw: str, procs: Sequence[ProcInfo], seconds: float) -> dict[str, Any]:
    samples = parse_raw_profile(raw)
    role_of = _role_resolver(procs)
    counts = profile_shares(samples, role_of)
    working = [s for s in samples if stack_category(s.frames) != "idle"]
    return {
        "seconds": seconds,
        "rate_hz": PYSPY_RATE,
        "samples": {role: sum(row.values()) for role, row in counts.items()},
        "idle_share": {
            role: row["idle"] / max(1, sum(row.values())) for role, row in counts.items()
        },
        "cpu_shares": {role: cpu_shares(row) for role, row in counts.items()},
        "counts": counts,
        "top_leaves": top_leaves(working, role_of),
    }


def _groups(
    plan: Plan, procs: Sequence[subprocess.Popen[bytes]]
) -> Callable[[], dict[str, list[int]]]:
    def groups() -> dict[str, list[int]]:
        return {"workers": [p.pid for p in procs], **plan.services()}

    return groups


def run_config(plan: Plan, sink: str, workers: int, db_server: str | None) -> ConfigResult:
    """Fresh topics and database, the worker(s), the two phases, RSS; always stops
    what it started."""
    from newsflow.workers import stop_worker

    tag = f"{plan.run_id}-{sink}-{workers}"
    mode = f"--processes {workers}" if plan.processes_option else f"{workers} x newsflow worker"
    result = ConfigResult(sink, workers, mode)
    log_dir = plan.work_dir / "logs" / tag
    db_url = fresh_database(sink, tag, plan.work_dir, db_server)
    settings = replace(
        Settings.from_env({}),
        broker=plan.broker,
        app_id=f"bench-{tag}",
        topic_prefix=f"bench-{tag}.",
        data_dir=plan.data_dir,
        database_url=db_url,
        web_port=brokers.free_port(),
    )
    procs: list[subprocess.Popen[bytes]] = []
    profiler: Profiler | None = None
    try:
        procs, ports = start_workers(settings, workers, log_dir, plan.processes_option)
        result.ready_s = wait_ready(procs, ports, plan.ready_timeout)
        log.info("%s: %s ready in %.1f s", tag, mode, result.ready_s)
        tree = worker_processes(p.pid for p in procs)
        if plan.profile:
            profiler = Profiler([p.pid for p in procs], log_dir, cap_s=3600)
            profiler.start()
        groups = _groups(plan, procs)
        meter = LoadMeter(groups).start()
        throughput(plan, settings, procs, result)
        result.load["throughput"] = meter.stop()
        result.cpu_s_by_role = cpu_by_role(tree, worker_processes(p.pid for p in procs))
        if profiler is not None:
            raw = profiler.stop()
            tree += worker_processes(p.pid for p in procs)
            result.profile = {"error": profiler.error}
            if raw.strip():
                result.profile.update(_summarise_profile(raw, tree, profiler.seconds))
            profiler = None
        if result.rate > 0 and plan.latency:
            meter = LoadMeter(groups).start()
            latency(plan, settings, procs, result)
            result.load["latency"] = meter.stop()
        final = worker_processes(p.pid for p in procs)
        result.processes = [dataclasses.asdict(p) for p in final]
        result.peak_rss_mb = peak_by_role(final)
    except Exception as exc:
        log.exception("%s failed", tag)
        result.error = f"{type(exc).__name__}: {exc}\n{_log_tail(log_dir)}"
    finally:
        if profiler is not None:
            profiler.stop()
        for proc in procs:
            stop_worker(proc, timeout=30)
        if sink == "postgres" and db_server is not None and plan.drop_databases:
            drop_database(db_url, db_server)
    return result


def throughput(
    plan: Plan, settings: Settings, procs: Sequence[subprocess.Popen[bytes]], result: ConfigResult
) -> None:
    """Publish every page at once; rate from the first publish to the last row."""
    pages = plan.throughput
    log.info("publishing %d pages as fast as possible", len(pages))
    sent = asyncio.run(publish(settings, pages))
    first = min(sent.values())
    result.publish_s = max(sent.values()) - first
    drained = asyncio.run(wait_for_rows(settings.database, len(pages), procs, plan.stall_timeout))
    times, dead = asyncio.run(persisted_times(settings.database))
    stored = [times[p.url] for p in pages if p.url in times]
    result.pages, result.stored = len(pages), len(stored)
    result.missing = len(pages) - len(stored)
    result.dead_letters, result.dead = len(dead), dead[:20]
    result.stalled = drained.stalled
    if stored:
        result.drain_s = max(stored) - first
        result.rate = sustained_rate(len(stored), first, max(stored))
        if plan.in_process_cpu_rate > 0:
            result.efficiency = efficiency(result.rate, result.workers, plan.in_process_cpu_rate)
    log.info(
        "%d/%d stored (%d dead letters%s) in %.1f s: %.1f pages/s",
        len(stored),
        len(pages),
        len(dead),
        ", stalled" if drained.stalled else "",
        result.drain_s,
        result.rate,
    )


def latency(
    plan: Plan, settings: Settings, procs: Sequence[subprocess.Popen[bytes]], result: ConfigResult
) -> None:
    """Publish the latency pages paced at half the sustained rate; persisted - published."""
    pages = plan.latency
    result.latency_offered_rate = result.rate / 2
    interval = 1.0 / result.latency_offered_rate
    log.info("latency: %d pages at %.1f pages/s", len(pages), result.latency_offered_rate)
    sent = asyncio.run(publish(settings, pages, interval=interval))
    asyncio.run(
        wait_for_rows(
            settings.database,
            result.stored + result.dead_letters + len(pages),
            procs,
            plan.stall_timeout,
        )
    )
    times, _dead = asyncio.run(persisted_times(settings.database))
    seconds = [times[p.url] - sent[p.url] for p in pages if p.url in times]
    result.latency_pages = len(pages)
    result.latency_missing = len(pages) - len(seconds)
    result.latency = latency_summary(seconds)


# --- report -------------------------------------------------------------------------


def md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; numbers right-aligned."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _f(value: float | int | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


RESULT_HEADERS = (
    "sink",
    "workers",
    "stored",
    "dead",
    "pages/s",
    "efficiency",
    "x process",
    "latency load/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "lat. missing",
    "RSS pipeline MB",
    "RSS stage MB",
    "other load (cores)",
)


def _results_table(results: Sequence[ConfigResult], cli: CliProcess | None) -> str:
    rows = []
    for r in results:
        lat = r.latency
        versus = r.rate / cli.steady_per_wall_s if cli and cli.steady_per_wall_s else None
        rows.append(
            [
                r.sink,
                r.mode + (" (ERROR)" if r.error else ""),
                f"{r.stored}/{r.pages}",
                r.dead_letters,
                _f(r.rate),
                _f(r.efficiency, 2),
                _f(versus, 2),
                _f(r.latency_offered_rate),
                _f(lat.get("p50_ms"), 0),
                _f(lat.get("p95_ms"), 0),
                _f(lat.get("p99_ms"), 0),
                r.latency_missing,
                _f(r.peak_rss_mb.get("pipeline process"), 0),
                _f(r.peak_rss_mb.get("stage child"), 0),
                _load(r.load.get("throughput")),
            ]
        )
    return md_table(RESULT_HEADERS, rows)


def _load(load: Load | None) -> str:
    return "n/a" if load is None else f"{load.foreign_cores:.2f}"


def _reference_table(refs: References) -> str:
    in_proc, cli = refs.in_process, refs.cli
    rows: list[list[object]] = [
        [
            "in-process: process_page + rows, 1 core",
            in_proc.ok,
            _f(in_proc.cpu_s),
            _f(in_proc.wall_s),
            _f(in_proc.per_cpu_s),
            _f(in_proc.per_wall_s),
            _load(refs.load.get("in-process")),
        ]
    ]
    if cli is not None:
        rows.append(
            [
                f"`newsflow process` (start-up {cli.startup_wall_s:.1f} s)",
                cli.ok,
                _f(cli.cpu_s),
                _f(cli.wall_s),
                "",
                f"{cli.per_wall_s:.1f} ({cli.steady_per_wall_s:.1f} once started)",
                _load(refs.load.get("newsflow process")),
            ]
        )
    headers = ["what", "articles", "CPU s", "wall s", "per CPU-s", "per wall s", "other load"]
    return md_table(headers, rows)


def _cpu_table(results: Sequence[ConfigResult]) -> str:
    rows = [
        [r.sink, r.workers, role, _f(cpu), _f(1000 * cpu / max(1, r.stored))]
        for r in results
        for role, cpu in sorted(r.cpu_s_by_role.items())
    ]
    return md_table(["sink", "workers", "role", "CPU s", "CPU ms / stored page"], rows)


def _load_table(results: Sequence[ConfigResult]) -> str:
    groups = ("workers", "kafka", "postgres", "benchmark")
    rows = [
        [r.sink, r.workers, phase]
        + [_f(load.by_group.get(g), 2) for g in groups]
        + [_f(load.foreign_cores, 2), _f(load.machine_cores, 2)]
        for r in results
        for phase, load in r.load.items()
    ]
    headers = ["sink", "workers", "phase", *groups, "other programs", "machine"]
    return md_table(headers, rows)


def _rss_table(results: Sequence[ConfigResult]) -> str:
    rows = [
        [r.sink, r.workers, p["role"], p["pid"], _f((p["vm_hwm_kb"] or 0) / MB, 0)]
        for r in results
        for p in r.processes
    ]
    return md_table(["sink", "workers", "role", "pid", "VmHWM MB"], rows)


WORKING = tuple(c for c in CATEGORIES if c != "idle")


def _profile_table(profile: dict[str, Any], cpu_s: dict[str, float]) -> str:
    """Per role: CPU seconds (/proc), each working category's share of the non-idle
    samples, and the idle samples' share of all samples."""
    lines = []
    if profile.get("error"):
        lines.append(f"py-spy: {profile['error']}")
    shares = profile.get("cpu_shares", {})
    if shares:
        rows = [
            [role, _f(cpu_s.get(role))]
            + [f"{100 * row[c]:.0f}%" for c in WORKING]
            + [f"{100 * profile['idle_share'][role]:.0f}%"]
            for role, row in sorted(shares.items())
        ]
        lines.append(md_table(["role", "CPU s", *WORKING, "idle (of all samples)"], rows))
    return "\n".join(lines)


def report(results: Sequence[ConfigResult], refs: References, facts: dict[str, Any]) -> str:
    """Every table of the run, in Markdown."""
    out = [
        f"## Pipeline benchmark ({facts['date']}, {facts['cpus']} CPUs, commit {facts['commit']})",
        "",
        _results_table(results, refs.cli),
        "",
        "### One process, the same pages",
        "",
        _reference_table(refs),
        "",
        "### CPU per process role during the throughput phase (/proc)",
        "",
        _cpu_table(results),
        "",
        "### Cores busy during each phase, by whose processes (/proc)",
        "",
        _load_table(results),
        "",
        "### Peak RSS per process (VmHWM, MB)",
        "",
        _rss_table(results),
    ]
    for r in results:
        if r.profile is not None:
            title = f"### Where the CPU went: {r.sink}, {r.mode} (py-spy, throughput phase)"
            out += ["", title, "", _profile_table(r.profile, r.cpu_s_by_role)]
    for r in results:
        if r.error:
            out += ["", f"**{r.sink}, {r.workers} worker(s) failed:** {r.error.splitlines()[0]}"]
    return "\n".join(out)


def machine_facts(pg_url: str | None) -> dict[str, Any]:
    """What the numbers depend on, recorded beside them."""
    meminfo = _read(Path("/proc/meminfo"))
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpus_usable": affinity,
        "memory_mb": (status_kb(meminfo, "MemTotal") or 0) / MB,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kafka": brokers.KAFKA_VERSION,
        "sqlite": sqlite3.sqlite_version,
        "postgres": server_version("postgres", pg_url),
        "commit": commit,
        "newsflow_dir": str(REPO),
    }


# --- main ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="throughput pages (3000)")
    parser.add_argument("--latency-pages", type=int, default=600, help="latency pages (600)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts")
    parser.add_argument("--sinks", nargs="+", choices=SINKS, default=list(SINKS))
    parser.add_argument("--profile", action="store_true", help="py-spy the throughput phase")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every number here")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--broker", help="use this kafka://host:port instead of starting one")
    parser.add_argument("--broker-port", type=int, help="port of the Kafka started here")
    parser.add_argument("--postgres-url", help="use this server (databases are created on it)")
    parser.add_argument("--postgres-port", type=int, default=DEFAULT_PG_PORT)
    parser.add_argument("--work-dir", type=Path, help="state folder (default: a temp dir)")
    parser.add_argument(
        "--process-pages",
        type=int,
        help="pages for the `newsflow process` timing (default: --pages; 0 skips it)",
    )
    parser.add_argument(
        "--warmup-pages",
        type=int,
        default=300,
        help="pages pushed through the broker before measuring (300; 0: none)",
    )
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    parser.add_argument(
        "--stall-timeout", type=float, default=120.0, help="give up after this long with no row"
    )
    return parser


def postmaster_pids(directory: Path) -> list[int]:
    """The PostgreSQL server this run started (its pid file's first line), if any: it
    runs detached, so it is not under this process in the process tree."""
    first = _read(directory / "postmaster.pid").split("\n", 1)[0].strip()
    return [int(first)] if first.isdigit() else []


def kafka_pids(home: Path) -> list[int]:
    """The broker this run started, if it did."""
    status = brokers.status("kafka", home=home)
    return [status.pid] if status.running and status.pid else []


@dataclass
class References:
    """The one-process figures every configuration is compared with."""

    in_process: InProcess
    cli: CliProcess | None
    load: dict[str, Load]


def measure_references(
    args: argparse.Namespace, pages: Sequence[BenchPage], settings: Settings, work_dir: Path
) -> References:
    """In-process rate, then `newsflow process`, before any service runs, with the
    machine's load during each."""
    mine = LoadMeter()
    loads: dict[str, Load] = {}
    log.info("in-process reference on %d pages (one core)", len(pages))
    mine.start()
    in_proc = measure_in_process(pages, settings)
    loads["in-process"] = mine.stop()
    log.info("in-process: %.1f articles/CPU-s", in_proc.per_cpu_s)
    if in_proc.id_mismatches:
        log.warning("%d pages are not stored under their URL's id", in_proc.id_mismatches)
    cli: CliProcess | None = None
    n_cli = args.pages if args.process_pages is None else args.process_pages
    if n_cli > 0:
        log.info("`newsflow process` on %d pages", n_cli)
        mine.start()
        cli = measure_cli_process(pages[:n_cli], work_dir, settings.data_dir)
        loads["newsflow process"] = mine.stop()
        log.info(
            "newsflow process: %.1f pages/s (%.1f steady)", cli.per_wall_s, cli.steady_per_wall_s
        )
    return References(in_proc, cli, loads)


def run_configs(
    args: argparse.Namespace,
    pages: tuple[list[BenchPage], list[BenchPage]],
    settings: Settings,
    work_dir: Path,
    in_process_cpu_rate: float,
) -> tuple[list[ConfigResult], dict[str, Any]]:
    """Start the services, run every sink x worker count, stop the services; also
    returns the machine facts (read while PostgreSQL still runs)."""
    processes_option = worker_has_processes_option()
    results: list[ConfigResult] = []
    pg_url: str | None = None
    pg_dir = work_dir / "pg"
    kafka_home = work_dir / "kafka"
    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(kafka_broker(args.broker, kafka_home, args.broker_port))
        if "postgres" in args.sinks:
            pg_url = stack.enter_context(
                postgres_server(args.postgres_url, pg_dir, args.postgres_port)
            )
        run_id = uuid.uuid4().hex[:6]
        if args.warmup_pages > 0:
            warm_settings = replace(settings, broker=broker, topic_prefix=f"bench-{run_id}-warm.")
            warm_s = asyncio.run(warm_broker(warm_settings, pages[0][: args.warmup_pages]))
            log.info("broker warmed with %d pages in %.1f s", args.warmup_pages, warm_s)
        plan = Plan(
            pages[0],
            pages[1],
            broker,
            work_dir,
            settings.data_dir,
            run_id,
            processes_option,
            args.profile,
            args.ready_timeout,
            args.stall_timeout,
            in_process_cpu_rate,
            drop_databases=args.postgres_url is not None,
            services=lambda: {"kafka": kafka_pids(kafka_home), "postgres": postmaster_pids(pg_dir)},
        )
        for sink in args.sinks:
            for workers in args.workers:
                log.info("=== %s sink, %d worker(s)", sink, workers)
                results.append(run_config(plan, sink, workers, pg_url))
        facts = machine_facts(pg_url)
    facts["worker_mode"] = "--processes" if processes_option else "separate worker processes"
    return results, facts


def main(argv: Sequence[str] | None = None) -> int:
    """Run every configuration, print the tables, write the JSON."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(message)s", stream=sys.stderr)
    for noisy in ("newsflow", "aiokafka", "charset_normalizer", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ["PYTHONPATH"] = _child_env()["PYTHONPATH"]  # workers run this checkout
    work_dir: Path = (args.work_dir or Path(tempfile.mkdtemp(prefix="newsflow-bench-"))).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    work_dir.chmod(0o755)  # PostgreSQL's user must traverse it
    settings = replace(Settings.from_env({}), data_dir=work_dir / "data")

    log.info("selecting corpus pages from %s", args.corpus)
    bases, selection = select_base_pages(args.corpus.resolve(), settings, datetime.now(UTC))
    log.info("%d usable pages: %s", len(bases), selection)
    pages = cycle_pages(bases, args.pages)
    latency_pages = cycle_pages(bases, args.latency_pages, start=args.pages)
    refs = measure_references(args, pages, settings, work_dir)
    results, facts = run_configs(
        args, (pages, latency_pages), settings, work_dir, refs.in_process.per_cpu_s
    )

    text = report(results, refs, facts)
    print(text)
    if args.json:
        payload = {
            "machine": facts,
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "corpus_selection": selection,
            "base_pages": len(bases),
            "base_pages_rewritten": sum(b.rewritten for b in bases),
            "settings": {
                k: v
                for k, v in settings.masked().items()
                if k
                in ("partitions", "sink_batch_size", "sink_flush_seconds", "store", "log_level")
            },
            "in_process": dataclasses.asdict(refs.in_process),
            "newsflow_process": dataclasses.asdict(refs.cli) if refs.cli else None,
            "reference_load": {k: dataclasses.asdict(v) for k, v in refs.load.items()},
            "configs": [dataclasses.asdict(r) for r in results],
            "table": text,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 1 if any(r.error or r.missing for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
