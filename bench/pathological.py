"""Pathological pages: what parse and enrich cost on pages built to be expensive.

Why: one page that holds the parse or enrich stage for a minute stalls every page
queued behind it (issue 9, item 4). Each case below is built in memory, within
``max_page_bytes``, and goes through the stages as in the pipeline: ``parse_page`` on
the raw bytes, then ``enrich_article`` on the article when parsing succeeded (the
``entities-*`` cases call ``ner.text_mentions``, what ``newsflow entities`` runs per
input line). Run from the repository root::

    .venv/bin/python bench/pathological.py                      # every case
    .venv/bin/python bench/pathological.py --case attrs-200k --case deep-100k
    .venv/bin/python bench/pathological.py --time-limit 20 --json var/patho.json

Every case runs in its own child process (so a runaway case can be stopped and its
memory is its own), pinned to one CPU, with at most ``--time-limit`` seconds (wall
clock) and ``--mem-limit`` MB of address space. The child warms up on a normal corpus
page first (gazetteer, tagger model, compiled passes), builds the case's input, then per stage
measures CPU time (``time.process_time``) and peak resident memory above the level
before the stage (``VmHWM`` of ``/proc/self/status``, reset through
``/proc/self/clear_refs``; Lexbor's C allocations count, which ``tracemalloc`` would
miss). The table gives each stage's ratio to the same stage on a normal corpus page
(``--normal``, default a 106 KB Arabic page of arfa-dev, so enrich runs the tagger)
timed in the same run, best of ``--normal-rounds``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, pin_one_core
from bench.nercorpus import CORPORA, DEFAULT_NER_DIR

MB = 1_000_000
NORMAL_PAGE = "arfa-dev/htmldate_mc_1784190729"
_LEAD = (
    "The council met on Tuesday to discuss the budget, and the minister said the plan "
    "would be published next week after a vote in parliament."
)


@dataclass(frozen=True)
class Case:
    """One pathological input: an HTML page (parse, then enrich) or a plain text
    (``ner.text_mentions``, as ``newsflow entities`` calls it)."""

    name: str
    what: str
    build: Callable[[], bytes | tuple[str, str]]


def _page(body: str, head: str = "", lang: str = "en") -> bytes:
    """A page with a title and one ordinary paragraph around the pathological part."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>Pathological page</title>{head}</head><body><article>"
        f"<h1>Pathological page</h1><p>{_LEAD}</p>{body}</article></body></html>"
    ).encode()


def _attrs(n: int, start: int = 0) -> str:
    return " ".join(f"a{i}=1" for i in range(start, start + n))


def _words(size: int, seed: int = 7) -> str:
    """``size`` characters of English-looking prose (deterministic)."""
    vocab = [
        *("the", "council", "minister", "said", "budget", "vote", "parliament", "plan"),
        *("week", "report", "city", "water", "court", "police", "market", "price", "oil"),
        *("talks", "peace", "army", "border", "school", "health", "hospital"),
    ]
    out: list[str] = []
    n = 0
    x = seed
    while n < size:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        w = vocab[x % len(vocab)]
        out.append(w)
        n += len(w) + 1
    return " ".join(out)[:size]


def _sentences(corpora: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in corpora:
        out.extend(s.text for s in CORPORA[name].read(DEFAULT_NER_DIR.resolve()))
    return out


def _english_sentences() -> list[str]:
    """Sentences of the English development text of ``../shared/ner`` (Universal NER,
    web text), one per ``# text =`` line."""
    out: list[str] = []
    for name in ("en_ewt-ud-dev.iob2", "en_ewt-ud-test.iob2"):
        path = DEFAULT_NER_DIR.resolve() / "uner-en-ewt" / name
        with path.open(encoding="utf-8") as fh:
            out.extend(line.split("=", 1)[1].strip() for line in fh if line.startswith("# text"))
    return out


def _text(sentences: Sequence[str], size_bytes: int) -> str:
    """Paragraphs of about eight sentences each, repeated until ``size_bytes`` of UTF-8."""
    paragraphs = [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
    out: list[str] = []
    n = 0
    i = 0
    while n < size_bytes:
        p = paragraphs[i % len(paragraphs)]
        out.append(p)
        n += len(p.encode()) + 2
        i += 1
    return "\n\n".join(out)


def _text_page(sentences: Sequence[str], size_bytes: int, lang: str) -> bytes:
    paragraphs = _text(sentences, size_bytes).split("\n\n")
    return _page("".join(f"<p>{p}</p>" for p in paragraphs), lang=lang)


def _fmt_clones(entries: int, paragraphs: int) -> str:
    """Unclosed formatting elements, each with its own attribute (so the "Noah's Ark"
    rule keeps them all), then paragraphs: the HTML tree builder clones every open
    entry into each new paragraph ("reconstruct the active formatting elements")."""
    return "<p>" + "".join(f"<b a{i}>" for i in range(entries)) + "x" + "<p>y" * paragraphs


CASES: tuple[Case, ...] = (
    Case(
        "attrs-20k",
        "one element, 20,000 attributes",
        lambda: _page(f"<div {_attrs(20_000)}>x</div>"),
    ),
    Case(
        "attrs-200k",
        "one element, 200,000 attributes",
        lambda: _page(f"<div {_attrs(200_000)}>x</div>"),
    ),
    Case(
        "attrs-300k",
        "one element, 300,000 attributes",
        lambda: _page(f"<div {_attrs(300_000)}>x</div>"),
    ),
    Case(
        "attrs-many",
        "9,000 elements with 100 attributes each",
        lambda: _page("".join(f"<div {_attrs(100, i * 100)}>x</div>" for i in range(9_000))),
    ),
    Case(
        "attrs-many-1k",
        "1,000 elements with 1,000 attributes each",
        lambda: _page("".join(f"<span {_attrs(1_000)}>x</span>" for i in range(1_000))),
    ),
    Case(
        "attrs-body",
        "100,000 <body> tags, one new attribute each",
        lambda: _page("".join(f"<body a{i}>" for i in range(100_000))),
    ),
    Case(
        "attr-names",
        "200,000 elements, each with an attribute name of its own",
        lambda: _page("".join(f"<i a{i}=1></i>" for i in range(200_000))),
    ),
    Case(
        "tag-names",
        "200,000 elements, each with a tag name of its own",
        lambda: _page("".join(f"<t{i}></t{i}>" for i in range(200_000))),
    ),
    Case(
        "attr-long",
        "4 attributes of 2 MB (class, style, title, data-x)",
        lambda: _page(
            f'<div class="{"w " * MB}" style="{"color:red;" * 200_000}" '
            f'title="{"t" * 2 * MB}" data-x="{"d" * 2 * MB}">x</div>'
        ),
    ),
    Case(
        "deep-100k",
        "100,000 nested <div>",
        lambda: _page("<div>" * 100_000 + "x" + "</div>" * 100_000),
    ),
    Case(
        "options-40k",
        "40,000 <option>s of one <select>",
        lambda: _page("<select>" + "<option>x" * 40_000 + "</select>"),
    ),
    Case(
        "tiny-elements",
        "1,400,000 empty <i></i>",
        lambda: _page("<i></i>" * 1_400_000),
    ),
    Case(
        "tiny-paragraphs",
        "900,000 <p>word</p>",
        lambda: _page("<p>word</p>" * 900_000),
    ),
    Case("text-huge", "one text node of 9.5 MB", lambda: _page(f"<p>{_words(9_500_000)}</p>")),
    Case("one-word", "one word of 9.5 MB", lambda: _page(f"<p>{'w' * 9_500_000}</p>")),
    Case(
        "script-huge",
        "one <script> of 9.5 MB",
        lambda: _page("", head=f"<script>var s = '{_words(9_500_000)}';</script>"),
    ),
    Case(
        "jsonld-huge",
        "JSON-LD NewsArticle, articleBody of 1.9 MB",
        lambda: _page(
            "",
            head='<script type="application/ld+json">'
            + json.dumps(
                {
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": "Pathological page",
                    "articleBody": _words(1_900_000),
                }
            )
            + "</script>",
        ),
    ),
    Case(
        "meta-many",
        "100,000 <meta> in the head",
        lambda: _page(
            "",
            head="".join(f'<meta name="k{i}" content="value {i}">' for i in range(100_000)),
        ),
    ),
    Case(
        "fmt-clones",
        "1,000 unclosed <b a=…>, then 4,000 <p> (24 KB)",
        lambda: _page(_fmt_clones(1_000, 4_000)),
    ),
    Case(
        "arabic-page",
        "5.4 MB of Arabic paragraphs",
        lambda: _text_page(_sentences(("anercorp", "newsfane", "aqmar")), 5_400_000, "ar"),
    ),
    Case(
        "persian-page",
        "5 MB of Persian paragraphs",
        lambda: _text_page(_sentences(("arman",)), 5 * MB, "fa"),
    ),
    Case(
        "english-page",
        "5 MB of English paragraphs",
        lambda: _text_page(_english_sentences(), 5 * MB, "en"),
    ),
    Case(
        "entities-ar",
        "newsflow entities: one line of 5 MB Arabic text",
        lambda: (_text(_sentences(("anercorp", "newsfane", "aqmar")), 5 * MB), "ar"),
    ),
)


# ------------------------------------------------------------------ child process


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in kB."""
    out: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def _measure(fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """Run ``fn``; its result (or the ``PipelineError``) and CPU seconds / peak MB."""
    from newsflow.core.errors import PipelineError

    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    before = _status()["VmRSS"]
    start = time.process_time()
    result: Any = None
    outcome = "ok"
    try:
        result = fn()
    except PipelineError as exc:
        outcome = f"{exc.kind}: {exc.message}"
    seconds = time.process_time() - start
    peak = max(0, _status()["VmHWM"] - before) / 1000
    return result, {"seconds": seconds, "peak_mb": peak, "outcome": outcome}


def _normal_raw(corpus: Path, key: str) -> tuple[Any, str]:
    from newsflow.inputs import raw_page

    set_name, page_id = key.split("/", 1)
    with (corpus / set_name / "expected.jsonl").open(encoding="utf-8") as fh:
        row = next(r for r in map(json.loads, fh) if r["id"] == page_id)
    body = gzip.decompress((corpus / set_name / row["file"]).read_bytes())
    url = row.get("url") or f"https://corpus.invalid/{key}"
    raw = raw_page(url, now=datetime.now(UTC), source="bench", body=body)
    return raw, url


def child(case_name: str, corpus: Path, normal: str, rounds: int) -> None:
    """Measure one case (or the normal page) and print one JSON line per stage."""
    from newsflow.entities import ner
    from newsflow.entities.enrich import enrich_article
    from newsflow.extraction.parse import parse_page
    from newsflow.inputs import raw_page

    now = datetime.now(UTC)
    normal_raw, _ = _normal_raw(corpus, normal)
    article = parse_page(normal_raw)
    # warm-up: gazetteer, model, caches, and the Latin-script rules (compiled on first use)
    enrich_article(article, now=now)
    english = parse_page(raw_page("https://example.org/w", now=now, source="bench", body=_page("")))
    enrich_article(english, now=now)

    def emit(stage: str, size: int, stats: dict[str, Any]) -> None:
        print(json.dumps({"case": case_name, "stage": stage, "bytes": size, **stats}), flush=True)

    if case_name == "normal":
        size = len(normal_raw["body_b64"] or "") * 3 // 4
        for stage, fn in (
            ("parse", lambda: parse_page(normal_raw)),
            ("enrich", lambda: enrich_article(article, now=now)),
        ):
            runs = [_measure(fn)[1] for _ in range(rounds)]
            best = min(runs, key=lambda r: r["seconds"])
            emit(stage, size, {**best, "peak_mb": max(r["peak_mb"] for r in runs)})
        return
    case = next(c for c in CASES if c.name == case_name)
    built = case.build()
    if isinstance(built, tuple):
        text, lang = built
        _, stats = _measure(lambda: ner.text_mentions(text, lang))
        emit("entities", len(text.encode()), stats)
        return
    raw = raw_page(f"https://example.org/{case_name}", now=now, source="bench", body=built)
    del case
    parsed, stats = _measure(lambda: parse_page(raw))
    emit("parse", len(built), stats)
    if parsed is not None:
        _, stats = _measure(lambda: enrich_article(parsed, now=now))
        emit("enrich", len(built), stats)


# ------------------------------------------------------------------ parent


def _limits(mem_mb: int) -> Callable[[], None]:
    # No RLIMIT_CPU: once a process CPU limit is armed, Linux samples the process clock
    # at the scheduler tick, and ``process_time`` of a 2 ms stage reads 0.
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 2**20, mem_mb * 2**20))

    return apply


def run_case(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """One child process for one case; its stage rows, or one row saying how it ended."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        name,
        "--corpus",
        str(args.corpus),
        "--normal",
        args.normal,
        "--normal-rounds",
        str(args.normal_rounds),
    ]
    if args.cpu is not None:
        cmd += ["--cpu", str(args.cpu)]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            preexec_fn=_limits(args.mem_limit),
            timeout=args.time_limit,
            check=False,
        )
        stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:  # the child is killed by then
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        stderr, code = "", None
    rows = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    if code != 0:
        if code is None:
            why = f"stopped at the {args.time_limit} s limit"
        elif "MemoryError" in stderr:
            why = f"MemoryError at the {args.mem_limit} MB limit"
        else:
            tail = stderr.strip().splitlines()[-1:] or [f"exit {code}"]
            why = f"failed: {tail[0][:100]}"
        if name.startswith("entities"):
            stage = "entities"
        else:
            stage = "enrich" if any(r["stage"] == "parse" for r in rows) else "parse"
        rows.append({"case": name, "stage": stage, "bytes": 0, "outcome": why})
    return rows


def _fmt_row(row: dict[str, Any], what: str, normal: dict[str, float]) -> str:
    if "seconds" not in row:
        return f"| {row['case']} | {what} | | {row['stage']} | {row['outcome']} | | | |"
    ratio = row["seconds"] / normal[row["stage"]] if normal.get(row["stage"]) else None
    size = f"{row['bytes'] / MB:.2f} MB" if row["bytes"] >= 10_000 else f"{row['bytes']} B"
    outcome = row["outcome"] if len(row["outcome"]) <= 70 else row["outcome"][:67] + "..."
    return (
        f"| {row['case']} | {what} | {size} | {row['stage']} | {outcome} "
        f"| {row['seconds'] * 1000:,.1f} | {'' if ratio is None else f'{ratio:,.0f}'} "
        f"| {row['peak_mb']:.0f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cases (or, with ``--child``, one of them) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    names = ["normal", *(c.name for c in CASES)]
    parser.add_argument("--case", action="append", choices=names[1:], help="only these cases")
    parser.add_argument("--time-limit", type=int, default=60, help="seconds per case (60)")
    parser.add_argument("--mem-limit", type=int, default=4000, help="MB of address space (4000)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="shared corpus root")
    parser.add_argument("--normal", default=NORMAL_PAGE, help=f"set/id ({NORMAL_PAGE})")
    parser.add_argument("--normal-rounds", type=int, default=20, help="normal page runs (20)")
    parser.add_argument("--cpu", type=int, help="pin to this CPU (default: the first allowed)")
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    parser.add_argument("--child", choices=names, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.corpus = args.corpus.resolve()
    pin_one_core(args.cpu)
    if args.child:
        child(args.child, args.corpus, args.normal, args.normal_rounds)
        return 0
    rows: list[dict[str, Any]] = []
    normal_rows = run_case("normal", args)
    normal = {r["stage"]: r["seconds"] for r in normal_rows if "seconds" in r}
    whats = {c.name: c.what for c in CASES}
    whats["normal"] = f"corpus page {args.normal} (best of {args.normal_rounds})"
    print(
        "| case | what | input | stage | outcome | CPU ms | × normal | peak MB |\n"
        "|---|---|---:|---|---|---:|---:|---:|"
    )
    for row in normal_rows:
        print(_fmt_row(row, whats["normal"], normal), flush=True)
    rows.extend(normal_rows)
    for name in args.case or names[1:]:
        for row in run_case(name, args):
            print(_fmt_row(row, whats[name], normal), flush=True)
            rows.append(row)
    print(
        f"\nOne child process per case, pinned to one CPU; limits {args.time_limit} s, "
        f"{args.mem_limit} MB address space. Peak MB: resident memory above the level "
        "before the stage. Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs."
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
