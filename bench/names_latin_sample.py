"""The hand-judged sample behind the precision figure of `newsflow.entities.names_latin`.

Why: there is no English gold for names, and the issue's English target is "entities a
reader would call obviously right". So 30 English article bodies of the dev corpus were run
through ``latin_name_spans`` and every emitted span was judged by hand; this script picks
the same pages, prints every span per page, marks the spans judged wrong (``JUDGED_WRONG``)
and counts precision per type, so a reviewer can rerun it, read the spans and disagree.
A span that the judgement does not list is counted as right: after a change to the rules,
read the new spans (``--only-changed`` is not kept: the whole listing is short). Run from
the repository root::

    .venv/bin/python bench/names_latin_sample.py            # spans per page + precision
    .venv/bin/python bench/names_latin_sample.py --speed    # also µs per kB on those pages
    .venv/bin/python bench/names_latin_sample.py --corpus-speed      # ms per corpus article
    .venv/bin/python bench/names_latin_sample.py --spans-out a.json  # every page's spans
    .venv/bin/python bench/names_latin_sample.py --spans-check a.json  # same spans as then?

``--corpus-speed`` and the spans files read every corpus page as the entity stage does:
title, lead and body joined by a blank line, in the language ``parse_page`` detected.
``--spans-out`` before a change that must not alter the output and ``--spans-check``
after it is the equivalence test of a speed-up.

The sample: English pages (``parse_page`` language ``en``) of every set whose body has at
least 800 characters, ordered by the SHA-1 of ``set/id``, the first 30. Titles are printed
too (headline rule) but only bodies are counted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages
from newsflow.core.errors import PipelineError
from newsflow.entities.names_latin import latin_name_spans
from newsflow.extraction.parse import parse_page

SAMPLE_SIZE = 30
MIN_BODY = 800

# (page key, type, surface) of the spans a reader would not call obviously right: a wrong
# type, a wrong boundary, or not a name. Judged on the commit that added this file (the
# pages were not used to write the rules: precision 0.929, 78 wrong of 1,091), then the
# spans that the next rule changes added were judged too (entries no longer emitted stay
# listed: they are what that first judgement found).
JUDGED_WRONG: frozenset[tuple[str, str, str]] = frozenset(
    [
        (
            "aeb-dev/c00962aabe7bdd1fca78f5360ea7fa93cd7674863b05157e00827506a7aa58c4",
            "PERSON",
            "Ranking Member",
        ),
        (
            "aeb-dev/55bb6340e3d7dd8632ba45179ae43c39f8ad0cfcecb4719e3b9cf6106ffb70a3",
            "ORG",
            "Braun and The Carlyle Group",
        ),
        (
            "aeb-dev/55bb6340e3d7dd8632ba45179ae43c39f8ad0cfcecb4719e3b9cf6106ffb70a3",
            "ORG",
            "Big Machine and The Carlyle Group",
        ),
        ("htmldate-dev/5d867108f208", "ORG", "Jade Court"),
        ("htmldate-dev/5d867108f208", "ORG", "Supper Club"),
        ("fundus-dev/OccupyDemocrats-0", "ORG", "Superior Court"),
        ("fundus-dev/TaipeiTimes-0", "ORG", "Philippine Bureau of Fisheries"),
        ("fundus-dev/TaipeiTimes-0", "PERSON", "Aquatic Resources"),
        ("htmldate-dev/498f7f3c8b67", "ORG", "Centers for Disease Control"),
        (
            "aeb-dev/8cad00dc22de45ba42e9540421b5f78333f7ac57b385d69acb27a53b9fd69f0c",
            "ORG",
            "Jeongdong Perfomance News",
        ),
        (
            "aeb-dev/076f4f33bf75059db581bedf36e76fb65e89a8f7752db3339aa3ea11c5122f32",
            "ORG",
            "National Capital",
        ),
        ("readability-dev/wikipedia-2", "ORG", "Organisation for Economic Co"),
        ("readability-dev/wikipedia-2", "LOC", "Bay Province"),
        ("readability-dev/wikipedia-2", "PERSON", "Wing"),
        ("readability-dev/wikipedia-2", "LOC", "Gulf War"),
        ("readability-dev/wikipedia-2", "ORG", "Haast"),
        ("readability-dev/wikipedia-2", "LOC", "Rotorua Bay"),
        ("readability-dev/wikipedia-2", "PERSON", "Street"),
        ("readability-dev/wikipedia-2", "LOC", "Māori"),
        ("readability-dev/wikipedia-2", "PERSON", "Kong"),
        ("readability-dev/wikipedia-2", "ORG", "War and Society"),
        ("readability-dev/wikipedia-2", "ORG", "Māori Tribal Organisation"),
        ("readability-dev/wikipedia-2", "ORG", "Zealand Parliamentary Counsel Office"),
        ("readability-dev/wikipedia-2", "ORG", "Australian Department of Foreign Affairs"),
        ("readability-dev/wikipedia-2", "ORG", "National Institute of Water"),
        ("readability-dev/wikipedia-2", "ORG", "University Press"),
        ("readability-dev/wikipedia-2", "LOC", "New Zealand Island"),
        ("readability-dev/wikipedia-2", "LOC", "Socialism"),
        ("readability-dev/wikipedia-2", "ORG", "Cutting Back Government"),
        ("readability-dev/wikipedia-2", "ORG", "Wellington Regional Council"),
        ("readability-dev/wikipedia-2", "ORG", "Māori News"),
        ("readability-dev/wikipedia-2", "ORG", "Industry Association of New Zealand"),
        ("readability-dev/wikipedia-2", "LOC", "Pacific Island"),
        ("readability-dev/wikipedia-2", "LOC", "South Islands"),
        ("readability-dev/wikipedia-2", "GPE", "Antarctica"),
        ("readability-dev/wikipedia-2", "ORG", "Agricultural Products"),
        ("readability-dev/seattletimes-1", "PERSON", "Whole Foods"),
        ("readability-dev/seattletimes-1", "LOC", "Washington"),
    ]
)


def sample_pages(corpus: Path) -> list[tuple[str, str, str]]:
    """(key, title, body) of the judged sample, in sample order."""
    pages: list[tuple[str, str, str]] = []
    for cp in corpus_pages(corpus, SETS, now=datetime.now(UTC)):
        try:
            article = parse_page(cp.raw)
        except PipelineError:
            continue
        body = article["body"] or ""
        if article["language"] == "en" and len(body) >= MIN_BODY:
            pages.append((cp.key, article["title"] or "", body))
    pages.sort(key=lambda p: hashlib.sha1(p[0].encode()).hexdigest())
    return pages[:SAMPLE_SIZE]


def corpus_texts(corpus: Path) -> list[tuple[str, str | None, str]]:
    """(key, language, text) of every corpus page that parses: its title, lead and body
    joined by a blank line (as `newsflow.entities.ner` reads them), in the detected language."""
    out: list[tuple[str, str | None, str]] = []
    for cp in corpus_pages(corpus, SETS, now=datetime.now(UTC)):
        try:
            article = parse_page(cp.raw)
        except PipelineError:
            continue
        fields = (article["title"], article["lead"], article["body"])
        out.append((cp.key, article["language"], "\n\n".join(f for f in fields if f)))
    return out


def spans_file(corpus: Path, out: Path | None, check: Path | None) -> int:
    """Write every corpus page's spans to ``out``, or compare them with ``check``."""
    got = {
        f"{key} {lang}": [list(sp) for sp in latin_name_spans(text, lang)]
        for key, lang, text in corpus_texts(corpus)
    }
    if out is not None:
        out.write_text(json.dumps(got, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(got)} pages, {sum(map(len, got.values()))} spans -> {out}")
        return 0
    assert check is not None
    want = json.loads(check.read_text(encoding="utf-8"))
    differ = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
    for key in differ[:20]:
        print(f"differs: {key}")
    print(f"{len(want)} pages compared, {len(differ)} with other spans")
    return 1 if differ else 0


def corpus_speed(corpus: Path, rounds: int = 5) -> None:
    """CPU milliseconds per corpus article (and µs per kB), best of ``rounds`` passes."""
    texts = [(lang, text) for _, lang, text in corpus_texts(corpus)]
    english: list[tuple[str | None, str]] = [(lg, t) for lg, t in texts if lg == "en"]
    for lang, text in texts:  # warm-up: word lists of every language
        latin_name_spans(text, lang)
    for label, chosen in (("all pages", texts), ("English pages", english)):
        best = min(_timed_texts(chosen) for _ in range(rounds))
        size_kb = sum(len(t) for _, t in chosen) / 1000
        print(
            f"{label}: {best * 1000 / len(chosen):.3f} ms per article over {len(chosen)}, "
            f"{best * 1e6 / size_kb:.0f} µs per kB (CPU time, best of {rounds})"
        )


def _timed_texts(texts: list[tuple[str | None, str]]) -> float:
    t0 = time.process_time()
    for lang, text in texts:
        latin_name_spans(text, lang)
    return time.process_time() - t0


def main(argv: list[str] | None = None) -> int:
    """Print the spans of every sample page, then the precision per type."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--speed", action="store_true", help="also time the bodies (µs per kB)")
    ap.add_argument("--corpus-speed", action="store_true", help="only time the whole corpus")
    ap.add_argument("--spans-out", type=Path, help="only write every corpus page's spans")
    ap.add_argument("--spans-check", type=Path, help="only compare them with such a file")
    args = ap.parse_args(argv)
    if args.spans_out or args.spans_check:
        return spans_file(args.corpus, args.spans_out, args.spans_check)
    if args.corpus_speed:
        corpus_speed(args.corpus)
        return 0
    pages = sample_pages(args.corpus)
    emitted: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for key, title, body in pages:
        print(f"== {key}")
        head = [f"{k}:{title[s:e]}" for k, s, e in latin_name_spans(title, "en")]
        print(f"   title: {title!r} -> {' | '.join(head) or '-'}")
        marks = []
        for kind, s, e in latin_name_spans(body, "en"):
            surface = body[s:e]
            bad = (key, kind, surface) in JUDGED_WRONG
            emitted[kind] += 1
            wrong[kind] += bad
            marks.append(f"{'✗ ' if bad else ''}{kind}:{surface}")
        print("   " + (" | ".join(marks) or "-"))
    print()
    print("| type | emitted | judged wrong | precision |")
    print("|---|---:|---:|---:|")
    for kind in ("PERSON", "ORG", "GPE", "LOC"):
        n = emitted[kind]
        print(f"| {kind} | {n} | {wrong[kind]} | {(n - wrong[kind]) / n if n else 0:.3f} |")
    total, bad_total = sum(emitted.values()), sum(wrong.values())
    print(f"| all | {total} | {bad_total} | {(total - bad_total) / total if total else 0:.3f} |")
    if args.speed:
        bodies = [body for _, _, body in pages]
        latin_name_spans("Warm-up: Mr Smith said.", "en")
        size_kb = sum(len(b) for b in bodies) / 1000
        best = min(_timed(bodies) for _ in range(5))
        print(f"\nspeed: {best * 1e6 / size_kb:.0f} µs per kB of body text (CPU time, best of 5)")
    return 0


def _timed(bodies: list[str]) -> float:
    """CPU seconds of one pass over ``bodies`` (CPU time: the machine may be shared)."""
    t0 = time.process_time()
    for body in bodies:
        latin_name_spans(body, "en")
    return time.process_time() - t0


if __name__ == "__main__":
    sys.exit(main())
