"""The two pure stages side by side: parse and enrich milliseconds per article, timed in
the same process on the same pages, pinned to one core.

Why: issue 12 asks for enrich to cost no more than parse, and for the two together to
stay under a budget per article; separate benchmark runs are taken at different times
(another job, a warmer cache) so their ratio says little. Here each round times the parse
of every corpus page, then the enrich of every article those pages gave (parsed before,
outside the timed loop), with CPU time of the process; the figures are the median round,
both divided by the number of articles (a page that fails to parse costs parse time and
gives no article). Run from the repository root::

    .venv/bin/python bench/stages.py                 # 5 rounds over every corpus page
    .venv/bin/python bench/stages.py --rounds 9 --json var/stages.json
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages, pin_one_core
from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleDict, RawPageDict
from newsflow.entities.enrich import enrich_article
from newsflow.extraction.parse import ParseOptions, parse_page

# Pages with labels for other benchmarks only (dates) are still news pages to time.
STAGE_SETS = (*SETS, "mediacloud-dev")


def _articles(raws: Sequence[RawPageDict], options: ParseOptions) -> list[ArticleDict]:
    out: list[ArticleDict] = []
    for raw in raws:
        try:
            out.append(parse_page(raw, options))
        except PipelineError:
            continue
    return out


def time_stages(
    raws: Sequence[RawPageDict], rounds: int, options: ParseOptions
) -> dict[str, float | int]:
    """Median CPU milliseconds per article of each stage over ``rounds`` alternating
    rounds (a drift of the machine's speed then touches both stages alike)."""
    now = datetime.now(UTC)
    articles = _articles(raws, options)  # also the warm-up of parse
    for art in articles:  # warm-up: lazy tables, the model, caches
        enrich_article(art, now=now)
    parse_s: list[float] = []
    enrich_s: list[float] = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            t0 = time.process_time()
            for raw in raws:
                with contextlib.suppress(PipelineError):
                    parse_page(raw, options)
            parse_s.append(time.process_time() - t0)
            t0 = time.process_time()
            for art in articles:
                enrich_article(art, now=now)
            enrich_s.append(time.process_time() - t0)
    finally:
        gc.enable()
    n = len(articles)
    parse_ms = 1000 * statistics.median(parse_s) / n
    enrich_ms = 1000 * statistics.median(enrich_s) / n
    return {
        "pages": len(raws),
        "articles": n,
        "rounds": rounds,
        "parse_ms_per_article": round(parse_ms, 3),
        "enrich_ms_per_article": round(enrich_ms, 3),
        "total_ms_per_article": round(parse_ms + enrich_ms, 3),
        "enrich_over_parse": round(enrich_ms / parse_ms, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="shared corpus root")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (5)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures here")
    args = parser.parse_args(argv)
    cpu = pin_one_core()
    now = datetime.now(UTC)
    raws = [p.raw for p in corpus_pages(args.corpus.resolve(), STAGE_SETS, now=now)]
    if not raws:
        parser.error(f"no pages under {args.corpus}")
    result = time_stages(raws, max(1, args.rounds), ParseOptions())
    print(
        f"{result['pages']} pages, {result['articles']} articles, pinned to CPU {cpu}, "
        f"median of {result['rounds']} rounds (CPU time)\n"
        f"parse  {result['parse_ms_per_article']:.3f} ms/article\n"
        f"enrich {result['enrich_ms_per_article']:.3f} ms/article\n"
        f"total  {result['total_ms_per_article']:.3f} ms/article, "
        f"enrich/parse {result['enrich_over_parse']:.3f}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
