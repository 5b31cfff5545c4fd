"""Where ``parse_page`` spends its time, per stage, over the whole dev corpus.

Why: the speed goal (pages/s against trafilatura) is met by removing work, and
that needs to know which stage costs what before and after each change. The
stages are the functions ``parse.py`` calls; each is wrapped with a timer, so
the numbers are inclusive (``analyze`` contains ``read_meta``, ``classify_nodes``
and ``walk``) and follow the code as it changes. Run from the repository root::

    .venv/bin/python bench/profile_parse.py                 # per-stage ms/page
    .venv/bin/python bench/profile_parse.py --cprofile 25   # top functions by own time
    .venv/bin/python bench/profile_parse.py --dump var/out.json
    .venv/bin/python bench/profile_parse.py --compare var/out.json

``--dump`` writes every page's output fields and ``--compare`` lists the pages
whose fields differ from such a dump: an optimisation must leave them alone.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import gc
import json
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):  # run as a script: make `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages, pin_one_core
from newsflow.core.errors import PipelineError
from newsflow.core.types import RawPageDict
from newsflow.extraction import extract as ex
from newsflow.extraction import parse, pubdate
from newsflow.extraction.parse import ParseOptions, parse_page

FIELDS = (
    "title",
    "body",
    "published_at",
    "authors",
    "tags",
    "lead",
    "images",
    "language",
    "section",
    "external_id",
)

# (module, function name) pairs timed; the name printed is the function's.
STAGES: tuple[tuple[ModuleType, str], ...] = (
    (parse, "_page_text"),
    (parse, "decode_html"),
    (ex, "parse_tree"),
    (ex, "analyze"),
    (ex, "read_meta"),
    (ex, "classify_nodes"),
    (ex, "walk"),
    (ex, "extract_title"),
    (ex, "extract_lead"),
    (ex, "extract_authors"),
    (ex, "extract_tags"),
    (ex, "extract_section"),
    (pubdate, "date_candidates"),
    (ex, "extract_external_id"),
    (ex, "find_content_roots"),
    (ex, "extract_body"),
    (ex, "all_text_body"),
    (parse, "normalize_for_matching"),
    (parse, "detect_language"),
    (pubdate, "decide_dates"),
    (ex, "extract_images"),
    (parse, "_content_hash"),
    (parse, "_canonical"),
)


def load_pages(corpus: Path, sets: Sequence[str]) -> list[tuple[str, RawPageDict]]:
    """``(set/id, raw page)`` for every page, built as ``bench/extract.py`` builds them."""
    return [(cp.key, cp.raw) for cp in corpus_pages(corpus, sets, now=datetime.now(UTC))]


def outputs(pages: Sequence[tuple[str, RawPageDict]], options: ParseOptions) -> dict[str, Any]:
    """Every page's compared fields (or its error kind)."""
    result: dict[str, Any] = {}
    for key, raw in pages:
        try:
            art = parse_page(raw, options)
        except PipelineError as exc:
            result[key] = {"error": exc.kind}
            continue
        result[key] = {f: art[f] for f in FIELDS}  # type: ignore[literal-required]
    return result


def compare(old: dict[str, Any], new: dict[str, Any]) -> int:
    """Print every page/field that differs; return how many pages differ."""
    changed = 0
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        changed += 1
        fields = sorted({*(a or {}), *(b or {})})
        for f in fields:
            va, vb = (a or {}).get(f), (b or {}).get(f)
            if va != vb:
                print(f"{key} {f}: {str(va)[:150]!r} -> {str(vb)[:150]!r}")
    print(f"{changed} page(s) differ")
    return changed


def _run_all(pages: Sequence[tuple[str, RawPageDict]], options: ParseOptions) -> None:
    for _key, raw in pages:
        with contextlib.suppress(PipelineError):
            parse_page(raw, options)


def _timed(totals: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    clock = time.thread_time

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + clock() - start

    return wrapper


def profile_stages(
    pages: Sequence[tuple[str, RawPageDict]], rounds: int, options: ParseOptions
) -> None:
    """Print each stage's ms/page (best round), and the total without wrappers.

    CPU time of this thread, not wall time: other processes on a shared machine
    then hardly move the numbers.
    """
    n = len(pages)
    bare: list[float] = []
    for _ in range(rounds):
        gc.collect()
        start = time.thread_time()
        _run_all(pages, options)
        bare.append(time.thread_time() - start)
    best_bare = min(bare)
    print(f"parse_page: {best_bare / n * 1000:.3f} ms/page, {n / best_bare:.1f} pages/s")
    originals: list[tuple[ModuleType, str, Any]] = []
    rounds_totals: list[dict[str, float]] = []
    for _ in range(rounds):
        totals: dict[str, float] = {}
        for module, name in STAGES:
            fn = getattr(module, name)
            originals.append((module, name, fn))
            setattr(module, name, _timed(totals, name, fn))
        try:
            gc.collect()
            _run_all(pages, options)
        finally:
            for module, name, fn in reversed(originals):
                setattr(module, name, fn)
            originals.clear()
        rounds_totals.append(totals)
    for module, name in STAGES:
        best = min(t.get(name, 0.0) for t in rounds_totals)
        label = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
        print(f"  {label:34s} {best / n * 1000:7.3f} ms/page")


def profile_functions(
    pages: Sequence[tuple[str, RawPageDict]], top: int, options: ParseOptions
) -> None:
    """cProfile over one pass after a warm-up pass (the timed rounds of the benchmark
    run with warm caches): the ``top`` functions by own time."""
    _run_all(pages, options)
    prof = cProfile.Profile()
    prof.enable()
    _run_all(pages, options)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    """Profile, dump or compare; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="shared corpus root")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes (3)")
    parser.add_argument("--cprofile", type=int, metavar="N", help="print the top N functions")
    parser.add_argument("--dump", type=Path, metavar="PATH", help="write every page's output")
    parser.add_argument("--compare", type=Path, metavar="PATH", help="diff against a dump")
    parser.add_argument("--cpu", type=int, help="pin to this CPU (default: the first allowed)")
    parser.add_argument(
        "--python-passes",
        action="store_true",
        help="ParseOptions(compiled=False): the Python passes, to measure what the build saves",
    )
    args = parser.parse_args(argv)
    pin_one_core(args.cpu)
    options = ParseOptions(compiled=not args.python_passes)
    pages = load_pages(args.corpus.resolve(), SETS)
    if not pages:
        parser.error(f"no pages under {args.corpus}")
    if args.dump or args.compare:
        result = outputs(pages, options)
        if args.dump:
            args.dump.parent.mkdir(parents=True, exist_ok=True)
            args.dump.write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
            print(f"{len(result)} pages written to {args.dump}")
        if args.compare:
            old = json.loads(args.compare.read_text("utf-8"))
            return 1 if compare(old, result) else 0
        return 0
    if args.cprofile:
        profile_functions(pages, args.cprofile, options)
        return 0
    profile_stages(pages, max(1, args.rounds), options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
