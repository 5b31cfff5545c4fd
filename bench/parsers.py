"""Why the parse stage builds its trees with Lexbor (selectolax): tree build time per page.

Every corpus page is parsed by each HTML parser a Python news pipeline would pick —
Lexbor (selectolax, what newsflow uses), lxml's HTML parser, and BeautifulSoup over
lxml and over Python's ``html.parser`` — one after the other, page by page, in
``--rounds`` rounds, timing CPU per page. The figure that matters is the ratio to
Lexbor in the same run; the absolute milliseconds depend on the machine.

BeautifulSoup is a development extra of this benchmark only (``pip install -e .[dev]``):
newsflow does not use it at run time.

    python bench/parsers.py [--corpus ../shared/corpus] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages, pin_one_core


def _lexbor(html: bytes) -> Any:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(html)


def _lxml(html: bytes) -> Any:
    import lxml.html

    return lxml.html.document_fromstring(html)


def _soup_lxml(html: bytes) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "lxml")


def _soup_python(html: bytes) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


PARSERS: dict[str, Callable[[bytes], Any]] = {
    "lexbor (selectolax)": _lexbor,
    "lxml.html": _lxml,
    "beautifulsoup4 + lxml": _soup_lxml,
    "beautifulsoup4 + html.parser": _soup_python,
}


def measure(pages: list[bytes], rounds: int) -> dict[str, list[float]]:
    """CPU milliseconds per page and parser, the median of ``rounds`` for each page."""
    per_page: dict[str, list[list[float]]] = {name: [] for name in PARSERS}
    for html in pages:
        for name in PARSERS:
            per_page[name].append([])
        for _ in range(rounds):
            for name, parse in PARSERS.items():  # interleaved: load hits all alike
                t0 = time.process_time()
                parse(html)
                per_page[name][-1].append((time.process_time() - t0) * 1000)
    return {name: [statistics.median(t) for t in times] for name, times in per_page.items()}


def table(ms: dict[str, list[float]]) -> str:
    base = statistics.median(ms["lexbor (selectolax)"])
    lines = [
        "| parser | pages | median ms/page | p95 ms/page | total s | median vs Lexbor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, times in ms.items():
        ordered = sorted(times)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        med = statistics.median(times)
        lines.append(
            f"| {name} | {len(times)} | {med:.2f} | {p95:.2f} | {sum(times) / 1000:.2f} "
            f"| {med / base:.1f}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--per-set", type=int, default=None, help="pages per corpus set")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    cpu = pin_one_core()
    now = datetime.now(UTC)
    pages = [p.body for p in corpus_pages(args.corpus, SETS, now=now, per_set=args.per_set)]
    if not pages:
        print(f"no corpus pages under {args.corpus}", file=sys.stderr)
        return 1
    for parse in PARSERS.values():  # imports and first-use costs outside the timing
        parse(pages[0])
    ms = measure(pages, args.rounds)
    print(f"Tree build, one core (cpu {cpu}), median of {args.rounds} rounds per page:\n")
    print(table(ms))
    if args.json:
        args.json.write_bytes(orjson.dumps(ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
