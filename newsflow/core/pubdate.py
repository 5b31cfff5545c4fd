"""Publication and modification date *selection*: which string on the page is the
date, and what it means. Reading one string (calendars, digits, clocks) is
``dates``; finding candidate strings in the tree and deciding between them is here.

Published date (first that yields a date wins):
JSON-LD ``datePublished`` → ``article:published_time`` & other meta →
``<time datetime>`` → the printed date line (``١٩/٠٣/٢٠٢٤، ٢:٣٧ م``,
``۲۹ اسفند ۱۴۰۲ - ۱۴:۳۷``, ``منذ ساعتين``) → ``/YYYY/MM/DD/`` in the URL.
Timezone: an offset on the page ("page"), else the site default from
``ParseOptions.site_timezones`` ("site-default"), else UTC ("utc-assumed").
``published_raw`` is the printed date line when one was found that agrees with
the chosen date (same day), else the string the date was read from. A date more
than one day after ``fetched_at``, or with an undecidable day/month order, gives
``published_at = None`` and a ``date_note``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from newsflow.core import dates
from newsflow.core import extract as ex
from newsflow.core import selectors as sel


@dataclass(frozen=True)
class DateCandidate:
    """A date string and its source: ``jsonld``, ``meta``, ``time``, ``printed``,
    ``url`` or ``text`` (a date line found by the whole-page fallback)."""

    source: str
    raw: str


_HAS_DIGIT = re.compile(r"\d")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$|\.)")
# Tree steps searched between a candidate and the headline (deeper is "unrelated").
_MAX_STEPS = 30
_FAR = 99


@dataclass
class _Anchor:
    """The headline block: where the article's own date line is printed next to."""

    block: int
    ancestry: dict[int, int]  # mem_id of the headline and its ancestors -> steps up


def _ancestry(node: LexborNode) -> dict[int, int]:
    out: dict[int, int] = {}
    cur: LexborNode | None = node
    steps = 0
    while cur is not None and steps < _MAX_STEPS:
        out[cur.mem_id] = steps
        cur = cur.parent
        steps += 1
    return out


def _distance(node: LexborNode, anchor: _Anchor | None) -> int:
    """Tree steps from ``node`` to the headline through their closest common
    ancestor: a date line beside the headline is a few steps away, a teaser in a
    sidebar or footer many (their common ancestor is the page wrapper)."""
    if anchor is None:
        return 0
    cur: LexborNode | None = node
    steps = 0
    while cur is not None and steps < _MAX_STEPS:
        up = anchor.ancestry.get(cur.mem_id)
        if up is not None:
            return steps + up
        cur = cur.parent
        steps += 1
    return _FAR


def _squash(text: str) -> str:
    return " ".join(text.casefold().split())


def find_anchor(page: ex.Page | None, title: str | None) -> _Anchor | None:
    """The headline: the ``<h1>`` that prints the title, else a heading that does,
    else the first ``<h1>``. None when the page has no heading to go by."""
    if page is None or not page.texts:
        return None
    want = _squash(title or "")
    first_h1: int | None = None
    heading: int | None = None
    for i, tag in enumerate(page.tags[: sel.DATE_ANCHOR_MAX_BLOCKS]):
        if tag not in sel.HEADING_TAGS:
            continue
        if tag == "h1" and first_h1 is None:
            first_h1 = i
        if want and len(want) >= 8:
            got = _squash(page.texts[i])
            short, long_ = sorted((got, want), key=len)
            if len(short) >= 8 and short in long_ and len(short) * 2 >= len(long_):
                if tag == "h1":
                    heading = i
                    break
                if heading is None:
                    heading = i
    block = heading if heading is not None else first_h1
    if block is None:
        return None
    node = page.boxes[page.owner[block]].node
    return _Anchor(block, _ancestry(node))


def _date_line(text: str) -> str | None:
    """``text`` cleaned when it may be a printed date line, else None."""
    if len(text) > sel.DATE_CONTAINER_MAX_CHARS * 4:
        return None
    text = ex.clean_text(text)
    if not text or len(text) > sel.DATE_CONTAINER_MAX_CHARS:
        return None
    if not _HAS_DIGIT.search(text) and not sel.RELATIVE_DATE_HINT_RE.search(text):
        return None
    if sel.NOT_PUBLISHED_LINE_RE.search(text):
        return None  # an update or access line is never the publication date
    return text


def date_candidates(
    hints: ex.DomHints,
    pm: ex.PageMeta,
    url: str,
    page: ex.Page | None = None,
    anchor: _Anchor | None = None,
) -> tuple[list[DateCandidate], list[DateCandidate]]:
    """(published candidates, modified candidates), most reliable first.

    Published: JSON-LD ``datePublished``/``dateCreated`` → ``article:published_time``
    and other meta → microdata ``datePublished`` → the elements that show a date
    (``<time datetime>``, ``.date``/``.time``/``.publish`` lines, short lines just
    around the headline), nearest to the headline first → a ``/YYYY/MM/DD/`` URL path.
    Nearness is what tells the article's own date from the dates of teasers,
    "most read" lists and comments, which a page may print before its own.
    """
    pub: list[DateCandidate] = []
    mod: list[DateCandidate] = []
    for key in ("datePublished", "dateCreated"):
        v = ex.ld_get(pm, key)
        if v:
            pub.append(DateCandidate("jsonld", v))
    pub.extend(DateCandidate("meta", v) for v in pm.all(sel.META_PUBLISHED[:-1]))
    pub.extend(DateCandidate("meta", v) for v in pm.all(("microdata:datepublished",)))
    # (near?, kind, outside <article>?, order) sorts the visible candidates.
    shown: list[tuple[tuple[int, int, int, int], DateCandidate]] = []
    for order, (node, value) in enumerate(zip(hints.time_nodes, hints.time_values, strict=False)):
        near = _distance(node, anchor) > sel.DATE_NEAR_STEPS
        shown.append(((near, 0, 0, order), DateCandidate("time", value)))
    for order, node in enumerate(hints.date_nodes):
        text = _date_line(node.text(deep=True))
        if text is None:
            continue
        ancestors = ex.ancestor_tags(node)
        if "aside" in ancestors:
            continue
        near = _distance(node, anchor) > sel.DATE_NEAR_STEPS
        outside = 0 if ancestors & ex.ARTICLE_TAGS else 1
        shown.append(((near, 1, outside, order), DateCandidate("printed", text)))
    if anchor is not None and page is not None:
        lo = max(0, anchor.block - sel.DATE_HEADER_BLOCKS_BEFORE)
        hi = min(len(page.texts), anchor.block + sel.DATE_HEADER_BLOCKS_AFTER + 1)
        for i in range(lo, hi):
            if i == anchor.block:
                continue
            text = _date_line(page.texts[i])
            if text is not None:
                shown.append(((0, 2, 0, abs(i - anchor.block)), DateCandidate("printed", text)))
    shown.sort(key=lambda item: item[0])
    pub.extend(cand for _, cand in shown)
    m = _URL_DATE.search(urlsplit(url).path)
    if m:
        pub.append(
            DateCandidate("url", f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
        )
    v = ex.ld_get(pm, "dateModified")
    if v:
        mod.append(DateCandidate("jsonld", v))
    mod.extend(DateCandidate("meta", x) for x in pm.all(sel.META_MODIFIED))
    mod.extend(DateCandidate("meta", x) for x in pm.all(("microdata:datemodified",)))
    return pub, mod


def fallback_candidates(body: LexborNode | None, anchor_text: str | None) -> list[DateCandidate]:
    """Short text nodes anywhere in ``<body>`` that hold a year, for pages whose
    markup names no date at all: those after the headline first (the byline, the
    end of the article), then those before it, nearest first; document order
    when the headline is not found. Read from the tree rather than the walk's
    blocks, which leave out share bars and footers where such a line often sits.
    Lines with a copyright mark are skipped (a footer's year is no publication date).
    """
    if body is None:
        return []
    lines = [
        t
        for t in (" ".join(x.split()) for x in body.text(deep=True, separator="\n").split("\n"))
        if t
    ]
    start = 0
    if anchor_text:
        head = anchor_text[:60]
        for i, line in enumerate(lines):
            if line.startswith(head) or (len(line) >= 20 and head.startswith(line)):
                start = i + 1
                break
    order = [*range(start, len(lines)), *range(start - 2, -1, -1)]
    out: list[DateCandidate] = []
    for i in order:
        text = lines[i]
        if len(text) > sel.DATE_FALLBACK_MAX_CHARS or not sel.DATE_IN_TEXT_RE.search(text):
            continue
        if sel.NOT_PUBLISHED_LINE_RE.search(text) or sel.DATE_COPYRIGHT_RE.search(text):
            continue
        out.append(DateCandidate("text", text))
        if len(out) >= sel.DATE_FALLBACK_MAX_LINES:
            break
    return out


def day_first(language: str | None, hint: str | None) -> bool | None:
    if language in ("ar", "fa", "ur", "de", "fr", "es", "it", "pt", "nl", "tr", "ru", "cs"):
        return True
    h = (hint or "").lower()
    if h in ("en-us", "en_us", "en-ph"):
        return False
    if h.startswith("en-") and h not in ("en-us",):
        return True
    if language and language != "en":
        return True
    return None


@dataclass
class DateDecision:
    published_at: str | None = None
    published_raw: str | None = None
    tz_source: str | None = None
    calendar: str | None = None
    note: str | None = None
    modified_at: str | None = None


def parse_candidate(
    cand: DateCandidate,
    *,
    day_first: bool | None,
    fetched: datetime,
    language: str | None,
    site_tz: str | None,
) -> dates.ParsedDate | None:
    """Read one candidate. Machine fields (JSON-LD, meta, ``<time>``) are read as
    ISO first; printed as a fallback, never day-first-guessed (a US-ordered
    ``11/01/2023`` in a German page's meta must become a note, not 11 January).
    A line from the whole-page fallback must hold an absolute date of the web era:
    "two days ago" or "7 May 1856" in a page's text says nothing about the page."""
    if cand.source in ("jsonld", "meta", "time", "url"):
        parsed = dates.parse_iso(cand.raw, context=language)
        if parsed is None and cand.source != "url":
            parsed = dates.parse_printed(cand.raw, day_first=None, context=language)
        return parsed
    if cand.source == "text":
        parsed = dates.parse_printed(cand.raw, day_first=day_first, context=language)
        if parsed is None or parsed.value.year < sel.DATE_MIN_YEAR:
            return None
        return parsed
    parsed = dates.parse_printed(cand.raw, day_first=day_first, context=language, short_year=True)
    if parsed is None:
        rel = dates.parse_relative(cand.raw, fetched, site_tz=site_tz)
        if rel is not None:
            value, has_time = rel
            return dates.ParsedDate(value, dates.GREGORIAN, has_time)
    return parsed


_MACHINE = frozenset({"jsonld", "meta", "time"})
_QUARTER_HOUR = timedelta(minutes=15)
_MAX_OFFSET = timedelta(hours=14)


def _page_offset(
    instant: datetime, seen: list[tuple[DateCandidate, dates.ParsedDate]]
) -> tzinfo | None:
    """The page's own UTC offset for ``instant``, when another candidate shows the
    same instant in it: an aware value with a non-zero offset, or a machine
    wall-clock value (``2023-11-08 22:35:29``) off by whole quarter hours with
    the same minutes and seconds. Sites often put UTC in JSON-LD and the local
    time in ``<time>`` or meta; the day a reader sees is the local one."""
    for cand, p in seen:
        value = p.value
        if not p.has_time:
            continue
        if value.tzinfo is not None:
            off = value.utcoffset()
            if off and abs(value - instant) < timedelta(minutes=1):
                return value.tzinfo
            continue
        if cand.source not in _MACHINE:
            continue
        delta = value - instant.replace(tzinfo=None)
        if (
            delta
            and abs(delta) <= _MAX_OFFSET
            and delta % _QUARTER_HOUR == timedelta(0)
            and value.second == instant.second
        ):
            return timezone(delta)
    return None


@dataclass
class _Choice:
    parsed: dates.ParsedDate
    value: datetime
    cand: DateCandidate


def decide_dates(
    pub: list[DateCandidate],
    mod: list[DateCandidate],
    *,
    site_tz: str | None,
    fetched_at: datetime | None,
    day_first: bool | None,
    language: str | None = None,
    fallback: Callable[[], list[DateCandidate]] | None = None,
) -> DateDecision:
    """The published and modified dates from the candidates, first usable wins.

    ``fallback`` is called only when no candidate gave a date: it may scan the
    whole page, which costs more than everything else here.
    """
    out = DateDecision()
    fetched = fetched_at or dates.now_utc()
    notes: list[str] = []
    seen: list[tuple[DateCandidate, dates.ParsedDate]] = []

    def choose(cands: list[DateCandidate]) -> _Choice | None:
        chosen: _Choice | None = None
        for cand in cands[:40]:
            try:
                parsed = parse_candidate(
                    cand, day_first=day_first, fetched=fetched, language=language, site_tz=site_tz
                )
            except dates.AmbiguousDate as exc:
                notes.append(str(exc))
                continue
            if parsed is None:
                continue
            seen.append((cand, parsed))
            if chosen is not None:
                if cand.source in ("printed", "text"):
                    break  # read enough to find the printed line of the chosen date
                continue
            decision, value = dates.finalize(parsed, site_tz=site_tz, fetched_at=fetched_at)
            if value is None:
                notes.append(decision.note or "date rejected")
                out.calendar = out.calendar or decision.calendar
                continue
            chosen = _Choice(parsed, value, cand)
            out.published_at = decision.iso
            out.tz_source = decision.tz_source
            out.calendar = decision.calendar
            if cand.source in ("printed", "text"):
                break
        return chosen

    chosen = choose(pub)
    if chosen is None and fallback is not None:
        chosen = choose(fallback())
    if chosen is None:
        if notes:
            out.note = "; ".join(dict.fromkeys(notes))[:300]
            out.published_raw = pub[0].raw if pub else None
    else:
        out.published_raw = chosen.cand.raw
        value = chosen.value
        if value.utcoffset() == timedelta(0) and chosen.parsed.value.tzinfo is not None:
            tz = _page_offset(value, seen)
            if tz is not None:
                value = value.astimezone(tz)
                out.published_at = dates.format_iso(value)
        for cand, p in seen:
            if cand.source not in ("printed", "text"):
                continue
            local_value, _ = dates.localize(p.value, site_tz)
            if local_value.date() == value.astimezone(local_value.tzinfo).date():
                out.published_raw = cand.raw
                out.calendar = p.calendar
                break
    for cand in mod[:10]:
        parsed = dates.parse_iso(cand.raw, context=language)
        if parsed is None:
            continue
        decision, mvalue = dates.finalize(parsed, site_tz=site_tz, fetched_at=fetched_at)
        if mvalue is not None:
            out.modified_at = decision.iso
            break
    return out
