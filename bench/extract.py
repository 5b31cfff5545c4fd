"""Side-by-side extraction benchmark: newsflow's parse stage against trafilatura.

Why: "is our extractor good enough, and what does it cost?" needs one number per
question, measured the same way for both systems, on the same pages, in the
same process. Run from the repository root::

    .venv/bin/python bench/extract.py                  # full run, Markdown table
    .venv/bin/python bench/extract.py --quick          # a few pages per set, 1 round
    .venv/bin/python bench/extract.py --json var/bench.json --verbose
    .venv/bin/python bench/extract.py --floors bench/floors.json   # quality gate

What is compared (see ``bench/README.md`` for the full definitions):

* body text on aeb-dev with the article-extraction-benchmark's 4-gram shingle
  precision/recall/F1 (``bench.metrics``); the same metric on fundus-dev and
  arfa-dev bodies;
* titles (exact after whitespace normalisation, and relaxed), publication day,
  authors/bylines, and every arfa-dev field both systems can produce, including
  the publication minute where the arfa-dev label shows a time (same instant
  after converting offsets);
* pages per second on one pinned core, pages preloaded in memory.

newsflow gets the page bytes (``newsflow.inputs.raw_page(..., body=bytes)``) as
a crawler would publish them, so its timing includes charset detection.
trafilatura gets a ``str`` decoded beforehand by its own ``decode_file``
(outside the timed loop), with its default settings as its documentation
recommends for article text: ``include_comments=False`` (news pages, no reader
comments, as in the article-extraction-benchmark's own trafilatura runner),
``favor_precision``/``favor_recall`` left off (balanced mode), the page URL when
known. Quality uses ``trafilatura.extract`` for the body and
``trafilatura.extract_metadata`` (title, author, date via htmldate with
``original_date`` and extensive search) for metadata; speed times one
``bare_extraction(..., with_metadata=True)`` call per page, the equivalent of
one ``parse_page`` call (body and metadata), and ``extract`` alone as a second
row.

Exit status: 0, or 1 when ``--floors`` is given and a newsflow number is below
its floor (2 for usage errors).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import logging
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura
from tld import get_fld  # the public suffix list as the tld package ships it (trafilatura needs it)
from trafilatura.utils import decode_file

import newsflow
from bench import metrics as m
from bench.corpus import DEFAULT_CORPUS, corpus_pages, pin_one_core
from bench.corpus import SETS as SHARED_SETS
from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleDict, RawPageDict
from newsflow.extraction import extract as ex
from newsflow.extraction.parse import ParseOptions, parse_page

NEWSFLOW_DIR = Path(newsflow.__file__).resolve().parent  # which checkout is measured
SYSTEMS = ("newsflow", "trafilatura")
# The shared sets plus mediacloud-dev (worldwide news dates), which only this benchmark reads.
SETS = (*SHARED_SETS, "mediacloud-dev")
# mediacloud-dev is reported whole and in two halves split by site (registrable domain,
# hashed): the date rules of issue 15 were tuned looking at the tuning half only, so the
# held-out half says how they carry over to sites nobody looked at.
SPLIT_SET = "mediacloud-dev"
QUICK_PAGES_PER_SET = 8
FLOOR_MARGIN = 0.015  # about 2 pages of 130; any lost page on the 3-7 page arfa-dev set
BODY_FAILURE_F1 = 0.8  # a page below this body F1 is listed by --verbose
TRAFILATURA_OPTIONS: dict[str, Any] = {"include_comments": False}

log = logging.getLogger("bench.extract")


# --- pages and outputs --------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One corpus page with everything each system needs, prepared before timing."""

    corpus: str
    id: str
    url: str | None  # the page's real URL, when the set gives one
    html: str  # decoded by trafilatura's own decoder, for trafilatura
    raw: RawPageDict  # raw bytes (base64) with a URL, for newsflow
    expected: dict[str, Any]

    @property
    def key(self) -> str:
        """``set/id``, the name used in failure lists."""
        return f"{self.corpus}/{self.id}"


@dataclass
class Output:
    """What one system made of one page, reduced to the fields that are compared."""

    title: str | None = None
    body: str = ""
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    byline: str | None = None
    description: str | None = None
    language: str | None = None
    images: list[str] = field(default_factory=list)
    error: str | None = None


def load_pages(corpus: Path, sets: Sequence[str], per_set: int | None) -> list[Page]:
    """Read and prepare every page; missing sets are skipped with a warning.

    The raw pages carry no ``fetched_at``: the corpus does not record when its pages were
    fetched, and the time of the benchmark run is not it (a "3 hours ago" on a 2020 page
    would become today). Without it newsflow reads no relative date and bounds dates by
    the current time instead.
    """
    pages: list[Page] = []
    for cp in corpus_pages(corpus, sets, now=datetime.now(UTC), per_set=per_set):
        raw = cp.raw.copy()
        raw["fetched_at"] = None
        pages.append(
            Page(
                cp.set,
                str(cp.expected["id"]),
                cp.expected.get("url") or None,
                decode_file(cp.body),
                raw,
                cp.expected,
            )
        )
    return pages


def site_key(url: str) -> str:
    """The registrable domain of ``url`` (``hindi.business-standard.com`` ->
    ``business-standard.com``), the unit of the tuning/held-out split."""
    host = (urlsplit(url).hostname or "").lower()
    return str(get_fld(url, fail_silently=True) or host)


def split_half(url: str) -> str:
    """``tuning`` or ``held-out``: a fixed hash of the page's site, never of the page."""
    digest = hashlib.sha256(site_key(url).encode("utf-8")).digest()
    return "tuning" if digest[-1] % 2 == 0 else "held-out"


def check_split(urls: Sequence[str]) -> dict[str, set[str]]:
    """Sites per half; raises when a site falls on both sides (it cannot, by
    construction: the check guards the construction)."""
    sides: dict[str, set[str]] = {"tuning": set(), "held-out": set()}
    for url in urls:
        sides[split_half(url)].add(site_key(url))
    both = sides["tuning"] & sides["held-out"]
    if both:
        raise AssertionError(f"sites on both sides of the split: {sorted(both)}")
    return sides


def _from_article(article: ArticleDict) -> Output:
    return Output(
        title=article["title"],
        body=article["body"] or "",
        date=article["published_at"],
        authors=list(article["authors"]),
        byline=", ".join(article["authors"]) or None,
        description=article["lead"],
        language=article["language"],
        images=list(article["images"]),
    )


def run_newsflow(page: Page, options: ParseOptions) -> Output:
    """Parse the page with newsflow; a failure becomes an empty output with its reason."""
    try:
        return _from_article(parse_page(page.raw, options))
    except PipelineError as exc:
        return Output(error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a crash is a benchmark result, not an abort
        return Output(error=f"crash: {exc!r}")


def run_trafilatura(page: Page) -> Output:
    """Body via ``extract`` and metadata via ``extract_metadata``, as their docs show."""
    try:
        body = trafilatura.extract(page.html, url=page.url, **TRAFILATURA_OPTIONS) or ""
        meta = trafilatura.extract_metadata(page.html, default_url=page.url)
    except Exception as exc:  # noqa: BLE001 - a crash is a benchmark result, not an abort
        return Output(error=f"crash: {exc!r}")
    author = meta.author or None
    authors = [a.strip() for a in (author or "").split(";") if a.strip()]
    return Output(
        title=meta.title,
        body=body,
        date=meta.date,
        authors=authors,
        byline=", ".join(authors) or None,
        description=meta.description,
        language=meta.language,
        images=[meta.image] if meta.image else [],
    )


# --- scoring --------------------------------------------------------------------


@dataclass
class Metric:
    """One number for one system; counts are kept for accuracies."""

    corpus: str
    label: str
    value: float | None  # None: the system does not produce this field
    correct: int | None = None
    total: int | None = None
    kind: str = "accuracy"  # "accuracy", "score" or "speed"


@dataclass
class Report:
    """All metrics of one system plus the per-page failures behind them."""

    metrics: dict[str, Metric] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def accuracy(self, key: str, corpus: str, label: str, hits: Sequence[bool]) -> None:
        """Record a share of correct pages (nothing when no page was eligible)."""
        if hits:
            ok = sum(hits)
            self.metrics[key] = Metric(corpus, label, ok / len(hits), ok, len(hits))

    def score(self, key: str, corpus: str, label: str, value: float | None, n: int) -> None:
        """Record a mean score over ``n`` pages."""
        self.metrics[key] = Metric(corpus, label, value, None, n, "score")

    def fail(self, page: Page, what: str, got: object, want: object) -> None:
        """Remember a wrong field for ``--verbose``."""
        self.failures.append(f"{page.key}: {what}: got {_short(got)} want {_short(want)}")


def _short(value: object, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _gold_date(exp: dict[str, Any]) -> tuple[bool, str | None]:
    """(labelled?, value) for whichever date key the set uses. A page whose corpus notes
    say its source carries no gold date (trafilatura's evaldata leaves the field empty)
    is not labelled: its null means "not annotated", not "the page has no date"."""
    if "no gold date" in str(exp.get("checks", "")):
        return False, None
    for key in ("date", "publish_date", "publishing_date"):
        if key in exp:
            value = exp[key]
            return True, str(value) if value else None
    return False, None


def _gold_body(exp: dict[str, Any]) -> str | None:
    for key in ("body", "body_text"):
        if exp.get(key):
            return str(exp[key])
    paragraphs = exp.get("body_paragraphs")
    if isinstance(paragraphs, list) and paragraphs:
        return "\n\n".join(str(p) for p in paragraphs)
    return None


def _check_title(
    rep: Report, page: Page, out: Output, exact: list[bool], relaxed: list[bool]
) -> None:
    gold = page.expected.get("title")
    if not gold:  # an empty label means "no title to find": not scored, like readability's tests
        return
    ok = m.title_exact(out.title, gold)
    exact.append(ok)
    relaxed.append(m.title_relaxed(out.title, gold))
    if not ok:
        rep.fail(page, "title", out.title, gold)


def _check_date(
    rep: Report, page: Page, out: Output, hits: list[bool], null_is_label: bool
) -> None:
    has, gold = _gold_date(page.expected)
    if not has or (gold is None and not null_is_label):
        return
    ok = m.same_day(out.date, gold)
    hits.append(ok)
    if not ok:
        rep.fail(page, "date", out.date, gold)


def _same_minute(pred: str | None, gold: str) -> bool:
    """Same instant at minute resolution: offsets converted when both sides carry
    one, wall clocks compared when either is naive. An unreadable or date-only
    prediction is wrong (the label shows a time)."""
    g = m.parse_when(gold)
    p = m.parse_when(pred)
    if not isinstance(g, datetime) or not isinstance(p, datetime):
        return False
    if g.tzinfo is not None and p.tzinfo is not None:
        p = p.astimezone(g.tzinfo)
    else:
        p, g = p.replace(tzinfo=None), g.replace(tzinfo=None)
    return p.replace(second=0, microsecond=0) == g.replace(second=0, microsecond=0)


def _check_minute(rep: Report, page: Page, out: Output, hits: list[bool]) -> None:
    """Minute accuracy on pages whose date label carries a time of day."""
    _has, gold = _gold_date(page.expected)
    if not gold or len(gold.strip()) <= 10:
        return
    ok = _same_minute(out.date, gold)
    hits.append(ok)
    if not ok:
        rep.fail(page, "date minute", out.date, gold)


def _check_body(rep: Report, page: Page, out: Output, pairs: list[tuple[str, str]]) -> None:
    gold = _gold_body(page.expected)
    if gold is None:
        return
    pairs.append((gold, out.body))
    f1 = m.page_f1(gold, out.body)
    if f1 < BODY_FAILURE_F1:
        tp, fp, fn = m.shingle_tp_fp_fn(gold, out.body)
        rep.failures.append(
            f"{page.key}: body F1 {f1:.3f} (P {m.precision_score(tp, fp, fn):.3f} "
            f"R {m.recall_score(tp, fp, fn):.3f}, {len(m.tokenize(out.body))} tokens "
            f"vs {len(m.tokenize(gold))})"
        )


def _body_metrics(rep: Report, corpus: str, pairs: list[tuple[str, str]], full: bool) -> None:
    if not pairs:
        return
    s = m.score_bodies(pairs)
    rep.score(f"{corpus}/body_f1", corpus, "body F1 (4-gram shingles)", s.f1, s.pages)
    if full:
        rep.score(f"{corpus}/body_precision", corpus, "body precision", s.precision, s.pages)
        rep.score(f"{corpus}/body_recall", corpus, "body recall", s.recall, s.pages)


def score_system(results: Sequence[tuple[Page, Output]], system: str) -> Report:
    """Every quality metric of one system over the pages it was run on."""
    rep = Report()
    by_set: dict[str, list[tuple[Page, Output]]] = {}
    for page, out in results:
        by_set.setdefault(page.corpus, []).append((page, out))
        if out.error:
            rep.failures.append(f"{page.key}: error: {out.error}")
    rep.accuracy("all/no_error", "all", "pages without error", [not o.error for _, o in results])

    if rows := by_set.get("aeb-dev"):
        pairs: list[tuple[str, str]] = []
        for page, out in rows:
            _check_body(rep, page, out, pairs)
        _body_metrics(rep, "aeb-dev", pairs, full=True)

    if rows := by_set.get("fundus-dev"):
        exact: list[bool] = []
        relaxed: list[bool] = []
        dates: list[bool] = []
        author_exact: list[bool] = []
        author_f1: list[float] = []
        pairs = []
        for page, out in rows:
            _check_title(rep, page, out, exact, relaxed)
            _check_date(rep, page, out, dates, null_is_label=True)
            gold_authors = [str(a) for a in page.expected.get("authors") or []]
            same, f1 = m.author_sets(out.authors, gold_authors)
            author_exact.append(same)
            author_f1.append(f1)
            if not same:
                rep.fail(page, "authors", out.authors, gold_authors)
            _check_body(rep, page, out, pairs)
        rep.accuracy("fundus-dev/title_exact", "fundus-dev", "title exact", exact)
        rep.accuracy("fundus-dev/title_relaxed", "fundus-dev", "title relaxed", relaxed)
        rep.accuracy("fundus-dev/date_day", "fundus-dev", "date, day", dates)
        rep.accuracy("fundus-dev/authors_exact", "fundus-dev", "authors, set exact", author_exact)
        rep.score(
            "fundus-dev/authors_f1",
            "fundus-dev",
            "authors, set F1 (mean)",
            statistics.fmean(author_f1),
            len(author_f1),
        )
        _body_metrics(rep, "fundus-dev", pairs, full=False)

    if rows := by_set.get("readability-dev"):
        exact, relaxed, dates = [], [], []
        by_exact: list[bool] = []
        by_relaxed: list[bool] = []
        for page, out in rows:
            _check_title(rep, page, out, exact, relaxed)
            _check_date(rep, page, out, dates, null_is_label=False)
            gold = page.expected.get("byline")
            if gold:  # null = readability found none; not a label of "no author"
                ok, ok_relaxed = m.byline_match(out.byline, str(gold))
                by_exact.append(ok)
                by_relaxed.append(ok_relaxed)
                if not ok:
                    rep.fail(page, "byline", out.byline, gold)
        rep.accuracy("readability-dev/title_exact", "readability-dev", "title exact", exact)
        rep.accuracy("readability-dev/title_relaxed", "readability-dev", "title relaxed", relaxed)
        rep.accuracy("readability-dev/date_day", "readability-dev", "date, day (labelled)", dates)
        rep.accuracy("readability-dev/byline_exact", "readability-dev", "byline exact", by_exact)
        rep.accuracy(
            "readability-dev/byline_relaxed", "readability-dev", "byline relaxed", by_relaxed
        )

    if rows := by_set.get("htmldate-dev"):
        dates = []
        dated: list[bool] = []
        undated: list[bool] = []
        for page, out in rows:
            _check_date(rep, page, out, dates, null_is_label=True)
            (dated if page.expected.get("date") else undated).append(dates[-1])
        rep.accuracy("htmldate-dev/date_day", "htmldate-dev", "date, day (null = none)", dates)
        if undated:  # split only when the set labels some pages as undated
            rep.accuracy("htmldate-dev/date_day_dated", "htmldate-dev", "date, day (dated)", dated)
            rep.accuracy("htmldate-dev/date_null", "htmldate-dev", "no date (undated)", undated)

    if rows := by_set.get("arfa-dev"):
        _score_arfa(rep, rows, system)

    if rows := by_set.get(SPLIT_SET):
        dates = []
        halves: dict[str, list[bool]] = {"tuning": [], "held-out": []}
        sites = check_split([page.url or "" for page, _ in rows])
        for page, out in rows:
            _check_date(rep, page, out, dates, null_is_label=True)
            halves[split_half(page.url or "")].append(dates[-1])
        rep.accuracy(f"{SPLIT_SET}/date_day", SPLIT_SET, "date, day (null = none)", dates)
        for half, hits in halves.items():
            label = f"date, day, {half} half ({len(sites[half])} sites)"
            rep.accuracy(f"{SPLIT_SET}/date_day_{half.replace('-', '')}", SPLIT_SET, label, hits)
    return rep


def _score_arfa(rep: Report, rows: Sequence[tuple[Page, Output]], system: str) -> None:
    """Every arfa-dev field that either system can produce, each on the pages labelling it."""
    corpus = "arfa-dev"
    exact: list[bool] = []
    relaxed: list[bool] = []
    dates: list[bool] = []
    minutes: list[bool] = []
    pairs: list[tuple[str, str]] = []
    body_exact: list[bool] = []
    authors: list[bool] = []
    descriptions: list[bool] = []
    images: list[bool] = []
    langs: list[bool] = []
    with_hits = with_total = without_hits = without_total = 0
    for page, out in rows:
        exp = page.expected
        _check_title(rep, page, out, exact, relaxed)
        _check_date(rep, page, out, dates, null_is_label=True)
        _check_minute(rep, page, out, minutes)
        _check_body(rep, page, out, pairs)
        if exp.get("body_text"):  # newspaper4k checks text.strip() == txt.strip()
            body_exact.append(m.tokenize(out.body) == m.tokenize(str(exp["body_text"])))
        if isinstance(exp.get("authors"), list):
            same, _ = m.author_sets(out.authors, [str(a) for a in exp["authors"]])
            authors.append(same)
            if not same:
                rep.fail(page, "authors", out.authors, exp["authors"])
        if exp.get("description"):
            ok = m.title_exact(out.description, str(exp["description"]))
            descriptions.append(ok)
            if not ok:
                rep.fail(page, "description", out.description, exp["description"])
        cover = [
            str(v["url"])
            for img in exp.get("images") or []
            if isinstance(img, dict) and img.get("is_cover")
            for v in img.get("versions", [])[:1]
        ]
        if cover:
            ok = cover[0] in out.images
            images.append(ok)
            if not ok:
                rep.fail(page, "cover image", out.images[:1], cover[0])
        want_lang = exp.get("language") or exp.get("lang")
        if want_lang and system != "trafilatura":
            langs.append(out.language == want_lang)
            if out.language != want_lang:
                rep.fail(page, "language", out.language, want_lang)
        must = [str(s) for s in exp.get("body_must_contain") or []]
        must_not = [str(s) for s in exp.get("body_must_not_contain") or []]
        hit = m.snippet_hits(out.body, must)
        bad = m.snippet_hits(out.body, must_not)
        with_hits, with_total = with_hits + hit, with_total + len(must)
        without_hits, without_total = (
            without_hits + len(must_not) - bad,
            without_total + len(must_not),
        )
        if hit < len(must) or bad:
            rep.failures.append(
                f"{page.key}: snippets: {hit}/{len(must)} wanted present, {bad} unwanted present"
            )
    rep.accuracy(f"{corpus}/title_exact", corpus, "title exact", exact)
    rep.accuracy(f"{corpus}/title_relaxed", corpus, "title relaxed", relaxed)
    rep.accuracy(f"{corpus}/date_day", corpus, "date, day (null = none)", dates)
    rep.accuracy(f"{corpus}/date_minute", corpus, "date, minute (labels with a time)", minutes)
    _body_metrics(rep, corpus, pairs, full=False)
    rep.accuracy(f"{corpus}/body_exact", corpus, "body exact (tokens)", body_exact)
    if with_total:
        rep.metrics[f"{corpus}/body_with"] = Metric(
            corpus, "wanted snippets present", with_hits / with_total, with_hits, with_total
        )
    if without_total:
        rep.metrics[f"{corpus}/body_without"] = Metric(
            corpus,
            "unwanted snippets absent",
            without_hits / without_total,
            without_hits,
            without_total,
        )
    rep.accuracy(f"{corpus}/authors_exact", corpus, "authors, set exact", authors)
    rep.accuracy(f"{corpus}/description", corpus, "description exact", descriptions)
    rep.accuracy(f"{corpus}/cover_image", corpus, "cover image found", images)
    if system == "trafilatura":  # trafilatura identifies no language without target_language
        rep.metrics[f"{corpus}/language"] = Metric(corpus, "language", None)
    else:
        rep.accuracy(f"{corpus}/language", corpus, "language", langs)


# --- speed ----------------------------------------------------------------------


def time_systems(
    systems: dict[str, Callable[[Page], object]], pages: Sequence[Page], rounds: int
) -> dict[str, list[list[float]]]:
    """Seconds per page, per round, per system.

    Each page is timed alone, the systems taking turns page by page, so that a
    burst of load from elsewhere on the machine hits both systems alike instead
    of whichever pass happened to be running. The garbage collector stays on
    (a worker runs with it) but is emptied before each round.
    """
    seconds: dict[str, list[list[float]]] = {name: [] for name in systems}
    clock = time.perf_counter
    for _ in range(rounds):
        gc.collect()
        times: dict[str, list[float]] = {name: [] for name in systems}
        for page in pages:
            for name, fn in systems.items():
                start = clock()
                with contextlib.suppress(Exception):  # failing pages still cost their time
                    fn(page)
                times[name].append(clock() - start)
        for name in systems:
            seconds[name].append(times[name])
    return seconds


def _trafilatura_full(page: Page) -> object:
    return trafilatura.bare_extraction(
        page.html, url=page.url, with_metadata=True, **TRAFILATURA_OPTIONS
    )


def _trafilatura_body(page: Page) -> object:
    return trafilatura.extract(page.html, url=page.url, **TRAFILATURA_OPTIONS)


# --- output ---------------------------------------------------------------------


def _fmt(metric: Metric | None) -> str:
    if metric is None or metric.value is None:
        return "n/a"
    if metric.kind == "speed":
        return f"{metric.value:.1f}"
    if metric.kind == "accuracy" and metric.correct is not None:
        return f"{metric.value:.3f} ({metric.correct}/{metric.total})"
    return f"{metric.value:.3f}"


def ratio(a: Metric | None, b: Metric | None) -> float | None:
    """newsflow / trafilatura, or None when either is missing or the divisor is 0."""
    if a is None or b is None or a.value is None or b.value is None or b.value == 0:
        return None
    return a.value / b.value


def markdown_table(reports: dict[str, Report]) -> str:
    """The comparison as a plain Markdown table, one metric per row, in scoring order."""
    keys: list[str] = []
    for rep in reports.values():
        keys += [k for k in rep.metrics if k not in keys]
    lines = [
        "| set | metric | pages | newsflow | trafilatura | newsflow/trafilatura |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for key in keys:
        a = reports["newsflow"].metrics.get(key)
        b = reports["trafilatura"].metrics.get(key)
        ref = a or b
        assert ref is not None
        r = ratio(a, b)
        lines.append(
            f"| {ref.corpus} | {ref.label} | {ref.total if ref.total is not None else ''} "
            f"| {_fmt(a)} | {_fmt(b)} | {'n/a' if r is None else f'{r:.2f}'} |"
        )
    return "\n".join(lines)


def check_floors(report: Report, path: Path) -> list[str]:
    """Every newsflow metric that is below (or missing for) its pinned floor."""
    floors = json.loads(path.read_text(encoding="utf-8"))["floors"]
    problems: list[str] = []
    for key, floor in sorted(floors.items()):
        metric = report.metrics.get(key)
        if metric is None or metric.value is None:
            problems.append(f"{key}: missing (floor {floor})")
        elif metric.value < float(floor):
            problems.append(f"{key}: {metric.value:.4f} < floor {floor}")
    return problems


def write_floors(report: Report, path: Path, margin: float) -> None:
    """Pin floors ``margin`` under today's newsflow numbers (speed and zero values left out).

    Speed is left out because it depends on the machine; a value of 0 would
    give a floor that can never fail.
    """
    floors = {
        key: math.floor((metric.value - margin) * 1000) / 1000
        for key, metric in report.metrics.items()
        if metric.kind != "speed" and metric.value
    }
    payload = {
        "comment": (
            "Quality floors for newsflow on the shared dev corpus, checked by "
            "`python bench/extract.py --floors bench/floors.json`. Each sits "
            f"{margin} under the value measured when it was set; raise them on purpose."
        ),
        "measured_at": datetime.now(UTC).date().isoformat(),
        "floors": {k: max(0.0, v) for k, v in floors.items()},
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _speed_metrics(seconds: dict[str, list[list[float]]], n: int) -> dict[str, dict[str, Metric]]:
    """Pages per second from the best and the median round, and from each page's best time.

    The last (sum of every page's fastest run) is the least sensitive to other
    load on a shared machine; best and median rounds are what was asked for.
    """
    out: dict[str, dict[str, Metric]] = {}
    for name, per_round in seconds.items():
        rounds = len(per_round)
        totals = [sum(times) for times in per_round]
        page_best = sum(min(ts) for ts in zip(*per_round, strict=True))
        out[name] = {
            "speed/best": Metric(
                "all", f"pages/s, 1 core, best of {rounds}", n / min(totals), None, n, "speed"
            ),
            "speed/median": Metric(
                "all",
                f"pages/s, 1 core, median of {rounds}",
                n / statistics.median(totals),
                None,
                n,
                "speed",
            ),
            "speed/page_best": Metric(
                "all",
                f"pages/s, 1 core, each page's best of {rounds}",
                n / page_best,
                None,
                n,
                "speed",
            ),
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run both systems, print the table, optionally write JSON and apply floors."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="shared corpus root")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every number here")
    parser.add_argument(
        "--quick", action="store_true", help=f"first {QUICK_PAGES_PER_SET} pages per set, 1 round"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed passes per system (3)")
    parser.add_argument("--no-speed", action="store_true", help="skip the timing passes")
    parser.add_argument("--verbose", action="store_true", help="list every failing page")
    parser.add_argument(
        "--floors", type=Path, metavar="PATH", help="exit 1 if newsflow is below a floor here"
    )
    parser.add_argument(
        "--write-floors",
        type=Path,
        metavar="PATH",
        help="write floors FLOOR_MARGIN under the current newsflow numbers",
    )
    args = parser.parse_args(argv)
    if (args.floors or args.write_floors) and args.quick:
        parser.error("floors need the full corpus; drop --quick")
    corpus: Path = args.corpus.resolve()
    if not corpus.is_dir():
        parser.error(f"corpus not found: {corpus}")
    rounds = 1 if args.quick else max(1, args.rounds)

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for noisy in ("trafilatura", "htmldate", "newsflow", "charset_normalizer", "courlan"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    cpu = pin_one_core()

    pages = load_pages(corpus, SETS, QUICK_PAGES_PER_SET if args.quick else None)
    options = ParseOptions()
    results: dict[str, list[tuple[Page, Output]]] = {
        "newsflow": [(p, run_newsflow(p, options)) for p in pages],
        "trafilatura": [(p, run_trafilatura(p)) for p in pages],
    }
    reports = {name: score_system(results[name], name) for name in SYSTEMS}

    seconds: dict[str, list[list[float]]] = {}
    if not args.no_speed:
        seconds = time_systems(
            {
                "newsflow": lambda p: parse_page(p.raw, options),
                "trafilatura": _trafilatura_full,
                "trafilatura_extract": _trafilatura_body,
            },
            pages,
            rounds,
        )
        speed = _speed_metrics(seconds, len(pages))
        for name in SYSTEMS:
            reports[name].metrics.update(speed[name])
        body_only = speed["trafilatura_extract"]
        reports["trafilatura"].metrics["speed/extract_best"] = Metric(
            "all",
            f"pages/s, 1 core, best of {rounds}, trafilatura body only (extract)",
            body_only["speed/best"].value,
            None,
            len(pages),
            "speed",
        )

    table = markdown_table(reports)
    print(table)
    print()
    print(
        f"{len(pages)} pages, corpus {corpus}; newsflow parse_page on raw bytes; trafilatura "
        f"{trafilatura.__version__} {TRAFILATURA_OPTIONS} on pre-decoded text; "
        f"pinned to CPU {cpu}, {rounds} round(s); newsflow from {NEWSFLOW_DIR}, "
        f"compiled passes {'built' if ex.COMPILED_AVAILABLE else 'NOT built (Python passes)'}."
    )
    if args.verbose:
        for name in SYSTEMS:
            print(f"\n## {name} failures ({len(reports[name].failures)})\n")
            for line in reports[name].failures:
                print(f"- {line}")

    if args.write_floors:
        ok = reports["newsflow"].metrics["all/no_error"]
        if ok.value is None or ok.value < 0.95:
            failed = (ok.total or 0) - (ok.correct or 0)
            print(f"\nnewsflow failed on {failed} pages: floors not written.")
            return 1
        write_floors(reports["newsflow"], args.write_floors, FLOOR_MARGIN)
        print(f"\nFloors written to {args.write_floors}.")
    problems = check_floors(reports["newsflow"], args.floors) if args.floors else []
    if args.json:
        keys = list(dict.fromkeys(k for rep in reports.values() for k in rep.metrics))
        payload: dict[str, Any] = {
            "meta": {
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "corpus": str(corpus),
                "pages": len(pages),
                "pages_per_set": {s: sum(1 for p in pages if p.corpus == s) for s in SETS},
                "quick": args.quick,
                "rounds": rounds,
                "cpu_pinned": cpu,
                "python": platform.python_version(),
                "platform": platform.platform(),
                "newsflow_dir": str(NEWSFLOW_DIR),
                "trafilatura": trafilatura.__version__,
                "trafilatura_options": TRAFILATURA_OPTIONS,
            },
            "metrics": {
                key: {
                    "newsflow": _metric_json(reports["newsflow"].metrics.get(key)),
                    "trafilatura": _metric_json(reports["trafilatura"].metrics.get(key)),
                    "ratio": ratio(
                        reports["newsflow"].metrics.get(key),
                        reports["trafilatura"].metrics.get(key),
                    ),
                }
                for key in keys
            },
            "seconds_per_round": {k: [sum(r) for r in v] for k, v in seconds.items()},
            "failures": {name: reports[name].failures for name in SYSTEMS},
            "floors": {"file": str(args.floors), "problems": problems} if args.floors else None,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if args.floors:
        if problems:
            print("\nBelow floor:", *problems, sep="\n- ")
            return 1
        print(f"\nAll newsflow numbers at or above the floors in {args.floors}.")
    return 0


def _metric_json(metric: Metric | None) -> dict[str, Any] | None:
    return None if metric is None else asdict(metric)


if __name__ == "__main__":
    sys.exit(main())
