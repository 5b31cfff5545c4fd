"""Publication and modification date *selection*: which string on the page is the
date, and what it means. Reading one string (calendars, digits, clocks) is
``dates``; finding candidate strings in the tree and deciding between them is here.

Published date (first that yields a date wins):

1. Machine values: JSON-LD ``datePublished``/``dateCreated`` →
   ``article:published_time`` & other meta → microdata ``datePublished`` → any
   ``namespace:published_time``/``…:uploaded``-style meta.
2. Dates shown near the headline. The headline is the ``<h1>``/``<h2>``/``<h3>``
   that prints the title (else the first ``<h1>``). Candidates are ``<time
   datetime>``, elements with a date class/id, and short text lines just around
   the headline (``<li>27 juin 2019</li>``, ``Do 25.04.24 | 14:07 Uhr``, two-digit
   years allowed there). Labelled lines ("Posted", "Datum", "تاريخ النشر") first,
   then by tree distance to the headline. Dates far from it, inside another
   heading, or in a link that also holds a headline are teasers: kept "weak".
3. A date-shaped URL path (``/YYYY/MM/DD/``, ``/YYYY/MMDD/``, ``/YYYY-MM/DD/``); a
   run of digits (an article id) is never a date.
4. Only when nothing above gave a date (the cost is a pass over the page text):
   a ``"datePublished"`` in the page source outside loaded JSON-LD, or a publication
   date handed to a script (``var publication_date = "…"``) → lines labelled as a
   date anywhere → the weak dates of step 2 → any short line with a web-era year,
   after the headline first, copyright lines skipped.

A masthead's "today" box is never a candidate. On a wiki's history or diff page the
newest date wins instead of the first (the old side of a diff comes first). A
relative date ("3 hours ago") is read only against ``fetched_at``.

Update/access lines ("Last updated", "آخر تحديث") never count. Timezone: an
offset on the page ("page"), else the site default from
``ParseOptions.site_timezones`` ("site-default"), else UTC ("utc-assumed"). A
UTC machine value is shown in the page's own offset when another candidate
shows the same instant with one (``<time datetime="…-08:00">`` beside a ``Z``
JSON-LD, or a printed ``21:18`` beside ``02:18Z``: an offset in use), since the day a
reader sees is the local one; when the page prints only a day, one day off the UTC
day, that day is the reader's (``tz_source`` ``printed-day``). ``published_raw`` is the
printed date line when one was found that agrees with the chosen date (same
day), else the string the date was read from. A date more than one day after
``fetched_at`` (else the current time), or with an undecidable day/month order,
gives ``published_at = None`` and a ``date_note``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from newsflow.extraction import dates
from newsflow.extraction import extract as ex
from newsflow.extraction import selectors as sel
from newsflow.extraction.date_words import (
    CJK_PUBLISHED_LABELS,
    CJK_UPDATED_LABELS,
    DATE_ORDERS,
    PUBLISHED_LABELS,
    UPDATED_LABELS,
)


@dataclass(frozen=True)
class DateCandidate:
    """A date string and its source: ``jsonld``, ``meta``, ``time``, ``printed``,
    ``url`` or ``text`` (a date line found by the whole-page fallback); or ``history``,
    no date but the mark of a revision history or diff page (``decide_dates`` then
    takes the newest date of the list instead of the first)."""

    source: str
    raw: str


_HAS_DIGIT = re.compile(r"\d")


def _words_alt(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# ``selectors.DATE_LABEL_RE`` / ``NOT_PUBLISHED_LINE_RE`` plus the words of the other
# languages whose dates are read (``date_words.PUBLISHED_LABELS``…).
LABEL_RE = re.compile(
    rf"(?:{sel.DATE_LABEL_RE.pattern})|\W*(?:(?:{_words_alt(PUBLISHED_LABELS)})(?!\w)"
    rf"|{_words_alt(CJK_PUBLISHED_LABELS)})",
    sel.DATE_LABEL_RE.flags,
)
NOT_PUBLISHED_RE = re.compile(
    rf"(?:{sel.NOT_PUBLISHED_LINE_RE.pattern})|^\W*(?:(?:{_words_alt(UPDATED_LABELS)})(?!\w)"
    rf"|{_words_alt(CJK_UPDATED_LABELS)})",
    sel.NOT_PUBLISHED_LINE_RE.flags,
)
# A date in the URL path needs separators or a path shape that says "date": a year
# segment with the month and day after it (``/2020/06/15/``, ``/2020-06-15-title``,
# ``/2020/0615/``, ``/2020-06/15/``, ``/202006/15/``). A run of digits alone
# (``/news/2020061512345``, an article id) is no date, and neither is a day followed
# by more digits.
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})(?:[/-](\d{1,2})[/-]|/(\d{2})|-?(\d{2})/)(\d{1,2})(?=[/._-]|$)"
)
# Tree steps searched between a candidate and the headline (deeper is "unrelated").
_MAX_STEPS = 30
_FAR = 99


@dataclass
class Anchor:
    """The headline element, next to which the article's own date is printed."""

    node: LexborNode
    text: str
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


def _distance(node: LexborNode, anchor: Anchor | None) -> int:
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


def _same_title(heading: str, title: str) -> bool:
    short, long_ = sorted((heading, title), key=len)
    return len(short) >= 8 and short in long_ and len(short) * 2 >= len(long_)


def find_anchor(body: LexborNode | None, title: str | None) -> Anchor | None:
    """The headline: the ``<h1>`` that prints the title, else an ``<h2>``/``<h3>``
    that does, else the first ``<h1>``. None when the page has no heading to go
    by. Read from the tree: the walk may have dropped a headline kept in a
    ``<header>``. The ``<h2>``/``<h3>`` (teaser titles, often many) are read
    only when no ``<h1>`` prints the title."""
    if body is None:
        return None
    want = _squash(title or "")
    first: Anchor | None = None
    found: Anchor | None = None
    for query in ("h1", "h2, h3"):
        for node in body.css(query)[: sel.DATE_ANCHOR_MAX_HEADINGS]:
            text = ex.clean_text(node.text(deep=True))
            if not text:
                continue
            if first is None and query == "h1":
                first = Anchor(node, text, {})
            if want and _same_title(_squash(text), want):
                found = Anchor(node, text, {})
                break
        if found is not None or not want:
            break
    anchor = found or first
    if anchor is not None:
        anchor.ancestry = _ancestry(anchor.node)
    return anchor


def _date_line(text: str, max_chars: int = sel.DATE_CONTAINER_MAX_CHARS) -> str | None:
    """``text`` cleaned when it may be a printed date line, else None."""
    if len(text) > max_chars * 4:
        return None
    text = ex.clean_text(text)
    if not text or len(text) > max_chars:
        return None
    if not _HAS_DIGIT.search(text) and not sel.RELATIVE_DATE_HINT_RE.search(text):
        return None
    if NOT_PUBLISHED_RE.search(text):
        return None  # an update or access line is never the publication date
    return text


def _in_teaser(node: LexborNode, text_len: int, anchor: Anchor | None) -> bool:
    """Whether ``node`` sits in another story's heading, or in a link that also
    holds a headline, as the dates of teasers do ("<h2>Other story <span
    class=date>…</span></h2>"). A link around the date alone is a permalink."""
    cur = node.parent
    for _ in range(sel.DATE_TEASER_STEPS):
        if cur is None:
            return False
        tag = cur.tag
        if tag in sel.HEADING_TAGS and (anchor is None or cur != anchor.node):
            return True
        if tag == "a" and len(cur.text(deep=True).strip()) > text_len + sel.DATE_TEASER_EXTRA_CHARS:
            return True
        cur = cur.parent
    return False


# A bare label line (``DATE_LABEL_RE`` on the whole line but for a trailing " :",
# or ``NOT_PUBLISHED_LINE_RE``) in one regex: every label word ends in a letter, so
# ``[ :]*\Z`` after it is ``fullmatch`` of the line stripped of " :".
_GLUE_RE = re.compile(
    rf"(?:{LABEL_RE.pattern})[ :]*\Z|(?:{NOT_PUBLISHED_RE.pattern})",
    LABEL_RE.flags | NOT_PUBLISHED_RE.flags,
)


def _lines(node: LexborNode, limit: int = 0, last: bool = False) -> list[str]:
    """The text nodes under ``node``, whitespace collapsed, a bare label joined to
    the value after it ("<strong>Datum</strong> 28.04.2023", "<b>Last Updated:</b>
    January 7, 2025"): the label decides whether the line is a publication date.
    With ``limit``, only that many lines from the start (or, with ``last``, the
    end) are kept, read from a slice of the text: the loop stays short however
    large ``node`` is.
    """
    text = node.text(deep=True, separator="\n")
    if not limit:
        return _all_lines(text)
    window = limit * sel.DATE_LINE_WINDOW_CHARS
    text = text[-window:] if last else text[:window]
    # A head of ``limit`` lines is final once one more line has started (only the
    # last line can still take a value glued to it).
    stop = limit + 1 if not last else -1
    out: list[str] = []
    glue = False
    for piece in text.split("\n"):
        if not piece or piece.isspace():
            continue
        line = " ".join(piece.split())
        if glue:
            out[-1] = f"{out[-1]} {line}"
            glue = False
            continue
        out.append(line)
        if len(out) == stop:
            break
        glue = len(line) <= 30 and not _HAS_DIGIT.search(line) and bool(_GLUE_RE.match(line))
    return out[-limit:] if last else out[:limit]


def _all_lines(text: str) -> list[str]:
    """``_lines`` of a whole text (the fallback reads the whole body): the same lines
    from comprehensions instead of a loop per text node. ``" ".join(p.split())``
    is empty exactly for blank pieces, and only short lines can be a bare label."""
    lines = [line for line in [" ".join(p.split()) for p in text.split("\n")] if line]
    n = len(lines)
    glue = [
        i
        for i, line in enumerate(lines)
        if len(line) <= 30 and not _HAS_DIGIT.search(line) and _GLUE_RE.match(line)
    ]
    if not glue:
        return lines
    out: list[str] = []
    done = 0  # lines[:done] are in ``out``
    for i in glue:
        if i < done or i + 1 >= n:
            continue  # already glued to the label before it, or nothing after it
        out.extend(lines[done:i])
        out.append(f"{lines[i]} {lines[i + 1]}")
        done = i + 2
    out.extend(lines[done:])
    return out


def _header_lines(anchor: Anchor) -> list[tuple[int, str]]:
    """(steps, line): short date lines printed just before or after the headline,
    e.g. ``<li>27 juin 2019</li>`` beside an ``<h1>`` with no date class
    anywhere. Read from the siblings of the headline and of its nearest
    ancestors, a few text nodes on either side, however large the page."""
    before: list[str] = []  # nearest first
    after: list[str] = []
    node: LexborNode | None = anchor.node
    want_before, want_after = sel.DATE_HEADER_LINES_BEFORE, sel.DATE_HEADER_LINES_AFTER
    for steps in range(1, sel.DATE_HEADER_STEPS + 1):
        if node is None:
            break
        sib = node.next
        while sib is not None and len(after) < want_after:
            got = _lines(sib, want_after - len(after))
            if not (got and _HAS_DIGIT.search(got[0]) and _today_box(sib)):
                after.extend(got)
            sib = sib.next
        sib = node.prev
        while sib is not None and len(before) < want_before:
            got = _lines(sib, want_before - len(before), last=True)
            if not (got and _HAS_DIGIT.search(got[-1]) and _today_box(sib)):
                before.extend(reversed(got))
            sib = sib.prev
        out = [
            (steps, text)
            for text in (
                _date_line(x, sel.DATE_HEADER_LINE_MAX_CHARS)
                for x in (*after[:want_after], *before[:want_before])
            )
            if text is not None and text != anchor.text
        ]
        if out:
            return out
        node = node.parent
    return []


_MICRODATA_PUBLISHED = ("microdata:datepublished",)
_MICRODATA_MODIFIED = ("microdata:datemodified",)
_ANCESTOR_STEPS = 40


def _present(names: tuple[str, ...], meta: dict[str, list[str]]) -> list[str]:
    """The ``names`` a page has, in order: most of the long name lists are absent."""
    return [name for name in names if name in meta]


def _outside_article(node: LexborNode) -> int | None:
    """None when ``node`` is in an ``<aside>``, else 1 when it is outside any
    ``<article>``/``<main>`` (0 inside), looking ``_ANCESTOR_STEPS`` levels up."""
    outside = 1
    parent = node.parent
    for _ in range(_ANCESTOR_STEPS):
        if parent is None:
            break
        tag = parent.tag
        if tag == "aside":
            return None
        if tag in ex.ARTICLE_TAGS:
            outside = 0
        parent = parent.parent
    return outside


@dataclass
class Candidates:
    """What ``date_candidates`` found: published (most reliable first), modified,
    and the weak published candidates kept for ``fallback_candidates``."""

    pub: list[DateCandidate]
    mod: list[DateCandidate]
    weak: list[DateCandidate]


# Class or id of a masthead's "today's date" box: the day the page was served, never
# the day the article was published (``<div class="today">Wednesday, August 19, 2020``).
_TODAY_BOX = re.compile(
    r"today|current[-_]?(?:date|day|time)|date[-_]?(?:today|now|current)|(?:header|top|masthead)[-_]?date"
    r"|fecha[-_]?(?:hoy|actual)|heute|aujourd",
    re.IGNORECASE,
)


def _today_box(node: LexborNode) -> bool:
    """Whether ``node`` or its parent is a masthead box for the current date."""
    cur: LexborNode | None = node
    for _ in range(2):
        if cur is None or cur.tag == "-text":
            return False
        attrs = cur.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if names.strip() and _TODAY_BOX.search(names):
            return True
        cur = cur.parent
    return False


# A wiki's history or diff page lists revisions, each with its date: the page is as new
# as its newest revision, not as old as the first date printed on it (the old side of a
# diff comes first). Told by the URL (MediaWiki ``action=history``/``diff=``/``oldid=``,
# DokuWiki ``do=diff``/``do=revisions``, ``Special:History``) or by MediaWiki's markup.
_HISTORY_URL_RE = re.compile(
    r"[?&](?:action=history|diff=|oldid=|do=(?:diff|revisions)|type=revision)"
    r"|/special:(?:history|comparepages)|/(?:history|revisions|diff)(?:/|$)",
    re.IGNORECASE,
)
_HISTORY_MARKUP = (
    'id="pagehistory"',
    'class="diff-ntitle"',
    "mw-diff-ntitle",
    '"wgAction":"history"',
)
# The candidate that says "choose the newest date" (``decide_dates``); it holds no date.
HISTORY = "history"


_HISTORY_CSS = "#pagehistory, .diff-ntitle, #mw-diff-ntitle1, .page-revisions, #page__revisions"


def _wiki_revisions(pm: ex.PageMeta, node: LexborNode) -> bool:
    """Whether a page whose ``generator`` meta names a wiki lists revisions (MediaWiki's
    history list or diff header, DokuWiki's revisions): the tree is searched only on
    wiki pages."""
    generator = " ".join(pm.meta.get("generator", ())).lower()
    if "wiki" not in generator:
        return False
    root: LexborNode = node
    while root.parent is not None:
        root = root.parent
    return root.css_first(_HISTORY_CSS) is not None


def history_page(url: str, html: str | None = None) -> bool:
    """Whether the page is a revision history or a diff (``_HISTORY_URL_RE``)."""
    if _HISTORY_URL_RE.search(url):
        return True
    head = (html or "")[: sel.DATE_SOURCE_MAX_CHARS]
    return any(marker in head for marker in _HISTORY_MARKUP)


def url_date(url: str) -> str | None:
    """``YYYY-MM-DD`` from a date-shaped URL path (``_URL_DATE``), else None."""
    m = _URL_DATE.search(urlsplit(url).path)
    if m is None:
        return None
    month = m.group(2) or m.group(3) or m.group(4)
    if m.group(3) and len(m.group(5)) != 2:
        return None  # /2020/06 + 1 digit: not the /YYYY/MMDD/ shape
    return f"{m.group(1)}-{int(month):02d}-{int(m.group(5)):02d}"


def date_candidates(
    hints: ex.DomHints, pm: ex.PageMeta, url: str, anchor: Anchor | None = None
) -> Candidates:
    """Published and modified candidates.

    Published: JSON-LD ``datePublished``/``dateCreated`` → ``article:published_time``
    and other meta → microdata ``datePublished`` → the dates shown near the
    headline (``<time datetime>``, ``.date``/``.time``/``.publish`` elements, short
    lines beside it), a line labelled "Published"/"Datum"… first, then the nearest
    → a ``/YYYY/MM/DD/`` URL path. Shown dates far from the headline or inside a
    link or another heading (teasers, "most read", comments) are weak: they are
    tried only after the whole-page search for a labelled date line.
    """
    pub: list[DateCandidate] = []
    mod: list[DateCandidate] = []
    for key in ("datePublished", "dateCreated"):
        v = ex.ld_get(pm, key)
        if v:
            pub.append(DateCandidate("jsonld", v))
    meta = pm.meta
    pub.extend(DateCandidate("meta", v) for v in pm.all(_present(sel.META_PUBLISHED[:-1], meta)))
    pub.extend(DateCandidate("meta", v) for v in pm.all(_present(_MICRODATA_PUBLISHED, meta)))
    pub.extend(
        DateCandidate("meta", v)
        for v in pm.all(
            k
            for k in pm.meta
            if ":" in k
            and k.rsplit(":", 1)[1] in sel.DATE_META_SUFFIXES
            and k not in sel.META_PUBLISHED
            and not k.startswith("microdata:")
        )[:5]
    )
    # sort key: (weak?, unlabelled?, steps from the headline, kind, outside <article>?, order)
    shown: list[tuple[tuple[int, int, int, int, int, int], DateCandidate]] = []

    def add(
        node: LexborNode | None,
        steps: int,
        kind: int,
        outside: int,
        order: int,
        cand: DateCandidate,
    ) -> None:
        weak = steps > sel.DATE_NEAR_STEPS or (
            node is not None and _in_teaser(node, len(cand.raw), anchor)
        )
        unlabelled = 0 if LABEL_RE.match(cand.raw) else 1
        shown.append(((int(weak), unlabelled, steps, kind, outside, order), cand))

    for order, (node, value) in enumerate(zip(hints.time_nodes, hints.time_values, strict=False)):
        add(node, _distance(node, anchor), 0, 0, order, DateCandidate("time", value))
    for order, node in enumerate(hints.date_nodes):
        text = _date_line(node.text(deep=True))
        if text is None or _today_box(node):
            continue
        outside = _outside_article(node)
        if outside is None:
            continue
        add(node, _distance(node, anchor), 1, outside, order, DateCandidate("printed", text))
    if anchor is not None:
        for order, (steps, text) in enumerate(_header_lines(anchor)):
            add(None, steps, 2, 0, order, DateCandidate("printed", text))
    shown.sort(key=lambda item: item[0])
    pub.extend(cand for key, cand in shown if not key[0])
    weak = [cand for key, cand in shown if key[0]]
    day = url_date(url)
    if day:
        pub.append(DateCandidate("url", day))
    if _HISTORY_URL_RE.search(url) or (anchor is not None and _wiki_revisions(pm, anchor.node)):
        pub.insert(0, DateCandidate(HISTORY, url))
    v = ex.ld_get(pm, "dateModified")
    if v:
        mod.append(DateCandidate("jsonld", v))
    mod.extend(DateCandidate("meta", x) for x in pm.all(_present(sel.META_MODIFIED, meta)))
    mod.extend(DateCandidate("meta", x) for x in pm.all(_present(_MICRODATA_MODIFIED, meta)))
    return Candidates(pub, mod, weak)


# ``selectors.DATE_IN_TEXT_RE`` without its leading look-behind, which keeps the
# regex engine from skipping ahead to a "1"/"2": four times faster over a page.
_YEAR_RE = re.compile(r"(?:199|20\d)\d(?!\d)")


def _year_lines(lines: list[str]) -> list[int]:
    """The indexes of the ``lines`` where ``DATE_IN_TEXT_RE`` finds a year, ascending."""
    joined = "\n".join(lines)
    starts = list(itertools.accumulate((len(x) + 1 for x in lines), initial=0))
    found: list[int] = []
    for m in _YEAR_RE.finditer(joined):
        at = m.start()
        if at and joined[at - 1].isdecimal():
            continue  # the look-behind: the year is the tail of a longer number
        i = bisect.bisect_right(starts, at) - 1
        if not found or found[-1] != i:
            found.append(i)
    return found


# A publication date handed to a script in the page source: ``var publication_date =
# "2020-02-17 21:18:11"``, ``showDate("2020/04/17 01:43:09")``, ``"pubDate": "…"``. The
# name must say "published" or "created" (not "modified", "start", "expires"), right
# before the value; read only when nothing else gave a date.
_SCRIPT_DATE_VALUE_RE = re.compile(
    r"[\"']((?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?(?:[T ]\d\d?:\d\d(?::\d\d)?)?"
    r"(?:Z|[+-]\d\d:?\d\d)?)(?=[\"' ])"
)
_SCRIPT_DATE_KEY_RE = re.compile(
    r"(?<![\w-])(?:publi(?:sh|cation)(?:ed)?[_-]?(?:date|time|at|on)|pub[_-]?date"
    r"|post(?:ed)?[_-]?date|show[_-]?date|date[_-]?(?:published|created|posted)"
    r"|created?[_-]?(?:date|at|time)|article[_-]?date|news[_-]?date"
    r"|first[_-]?publish(?:ed)?(?:[_-]?date)?)[\"']?\s{0,3}[:=(]\s{0,3}\Z",
    re.IGNORECASE,
)
_SCRIPT_KEY_CHARS = 40


def _script_dates(html: str, limit: int) -> list[str]:
    """The date values of ``_SCRIPT_DATE_VALUE_RE`` whose key before them says
    "published" (``_SCRIPT_DATE_KEY_RE``); the value is searched first, the key only
    behind a value: one fast pass over the source."""
    out: list[str] = []
    for m in _SCRIPT_DATE_VALUE_RE.finditer(html):
        start = m.start()
        if _SCRIPT_DATE_KEY_RE.search(html, max(0, start - _SCRIPT_KEY_CHARS), start):
            out.append(m.group(1))
            if len(out) >= limit:
                break
    return out


def fallback_candidates(
    body: LexborNode | None,
    anchor: Anchor | None,
    weak: list[DateCandidate],
    html: str | None = None,
    deadline: ex.Deadline | None = None,
) -> list[DateCandidate]:
    """For pages where no reliable candidate gave a date: a ``"datePublished"``
    value anywhere in the page source ``html`` (JSON-LD the parser could not
    load, such as CDATA-wrapped or broken JSON, and script state blobs), then
    lines labelled as a date anywhere in ``<body>`` ("Datum 28.04.2023",
    "Posted: …"), then the weak shown dates, then any short text line holding
    a year — those after the
    headline first (the byline, the end of the article), then those before it,
    nearest first; document order when there is no headline. Read from the tree
    rather than the walk's blocks, which leave out share bars and footers where
    such a line often sits. Lines with a copyright mark are skipped.
    """
    source: list[DateCandidate] = []
    if html and history_page("", html):
        source.append(DateCandidate(HISTORY, "markup"))
    if html:
        for m in sel.DATE_SOURCE_PUBLISHED_RE.finditer(html[: sel.DATE_SOURCE_MAX_CHARS]):
            source.append(DateCandidate("jsonld", m.group(1)))
            if len(source) >= 3:
                break
        head = html[: sel.DATE_SOURCE_MAX_CHARS]
        source.extend(DateCandidate("meta", v) for v in _script_dates(head, 3))
    if body is None:
        return [*source, *weak]
    if deadline is not None:
        deadline.check()
    lines = _lines(body)
    start = 0
    if anchor is not None:
        head = anchor.text[:60]
        for i, line in enumerate(lines):
            if line.startswith(head) or (len(line) >= 20 and head.startswith(line)):
                start = i + 1
                break
    # The lines holding a year, found by one search over the joined lines (a year
    # never spans a line break) instead of one search per line.
    years = _year_lines(lines)
    order = [*(i for i in years if i >= start), *(i for i in reversed(years) if i <= start - 2)]
    labelled: list[DateCandidate] = []
    plain: list[DateCandidate] = []
    for n, i in enumerate(order):
        if deadline is not None and n & 1023 == 1023:
            deadline.check()
        text = lines[i]
        if len(text) > sel.DATE_FALLBACK_MAX_CHARS:
            continue
        if NOT_PUBLISHED_RE.search(text) or sel.DATE_COPYRIGHT_RE.search(text):
            continue
        if LABEL_RE.match(text):
            labelled.append(DateCandidate("text", text))
        else:
            plain.append(DateCandidate("text", text))
        if len(labelled) + len(plain) >= sel.DATE_FALLBACK_MAX_LINES:
            break
    return [*source, *labelled, *weak, *plain]


_DAY_FIRST_LANGUAGES = frozenset(
    ("ar", "fa", "ur", "de", "fr", "es", "it", "pt", "nl", "tr", "ru", "cs")
)


def day_first(language: str | None, hint: str | None) -> bool | None:
    """How ``03/04/2020`` reads on this page: True day first, False month first, None
    when nothing tells (an English page without a region). The CLDR order of the
    ``<html lang>`` locale (``en-us``: month first, ``en-gb``: day first), else of the
    detected language (``fil``: month first); year-first locales (``zh``, ``hu``) print
    ``a/b/YYYY`` day first when they print it at all."""
    if language in _DAY_FIRST_LANGUAGES:
        return True
    h = (hint or "").strip().lower().replace("_", "-")
    if "-" in h:
        order = DATE_ORDERS.get(h)
        if order == "mdy":
            return False
        if order == "dmy" or (order == "ymd" and not h.startswith("en-")):
            return True
        if h.startswith("en-"):
            return None if order == "ymd" else True
    if language and language != "en":
        return DATE_ORDERS.get(language) != "mdy"
    if h.startswith("en-"):
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
    fetched: datetime | None,
    language: str | None,
    site_tz: str | None,
) -> dates.ParsedDate | None:
    """Read one candidate. Machine fields (JSON-LD, meta, ``<time>``) are read as
    ISO first; printed as a fallback, never day-first-guessed (a US-ordered
    ``11/01/2023`` in a German page's meta must become a note, not 11 January).
    A line from the whole-page fallback must hold an absolute date of the web era:
    "two days ago" or "7 May 1856" in a page's text says nothing about the page.
    A relative date ("3 hours ago") is read only against the crawler's ``fetched``
    time: without one it names no day (the current clock is not when the page was
    seen), and the next candidate is tried."""
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
    if parsed is None and fetched is not None:
        rel = dates.parse_relative(cand.raw, fetched, site_tz=site_tz)
        if rel is not None:
            value, has_time = rel
            return dates.ParsedDate(value, dates.GREGORIAN, has_time)
    return parsed


_MACHINE = frozenset({"jsonld", "meta", "time"})
_MAX_OFFSET = timedelta(hours=14)
# UTC offsets in use: whole hours from -12 to +14 and the few half and quarter hours
# (Newfoundland, Iran, Afghanistan, India, Nepal, Myanmar, Eucla, central Australia,
# Chatham). A wall clock off by anything else ("Updated 7:25" beside 23:55 UTC) is
# another moment, not the same one in another zone.
_REAL_OFFSETS = frozenset(
    {timedelta(hours=h) for h in range(-12, 15) if h}
    | {
        timedelta(
            minutes=m
        )  # -9:30 -3:30 +3:30 +4:30 +5:30 +5:45 +6:30 +8:45 +9:30 +10:30 +12:45 +13:45
        for m in (-570, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765, 825)
    }
)


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
        if cand.source in _MACHINE:
            base = instant.replace(tzinfo=None)
        elif cand.source in ("printed", "text") and value.second == 0:
            base = instant.replace(tzinfo=None, second=0, microsecond=0)  # "21:18", no seconds
        else:
            continue
        delta = value - base
        if delta in _REAL_OFFSETS and value.second == base.second:
            return timezone(delta)
    return None


_HOUR = timedelta(hours=1)
_MIN_OFFSET = timedelta(hours=-12)


def _printed_day_offset(
    instant: datetime, chosen: DateCandidate, seen: list[tuple[DateCandidate, dates.ParsedDate]]
) -> tzinfo | None:
    """An offset that puts the UTC ``instant`` on the day the page shows, when the page
    shows a day without a time that is one day off the UTC day.

    ``datePublished: 2020-02-18T02:18:11Z`` beside a printed ``17 de febrero 2020`` (or a
    ``/2020/02/17/`` permalink) is an evening in the Americas: the day the site's
    readers saw is the 17th. Which offset exactly the page does not say, so the
    smallest whole-hour one that reaches that day is used (the instant stays exact);
    None when the page's day agrees with UTC, is further off, or no real offset
    (-12 h to +14 h) reaches it. The witness is the first date the page shows
    (a printed line, a ``<time>``), not a URL: permalinks often carry the day a
    story was filed.
    """
    for cand, p in seen:
        if cand is chosen or cand.source not in ("printed", "text", "time"):
            continue
        if p.has_time or p.value.tzinfo is not None:
            return None  # a shown time: the same instant (``_page_offset``) or another
        shown = p.value.date()
        tod = instant - instant.replace(hour=0, minute=0, second=0, microsecond=0)
        if shown == instant.date() - timedelta(days=1):
            off = -(tod // _HOUR + 1) * _HOUR
            return timezone(off) if off >= _MIN_OFFSET else None
        if shown == instant.date() + timedelta(days=1):
            off = -((tod - timedelta(days=1)) // _HOUR) * _HOUR
            return timezone(off) if off <= _MAX_OFFSET else None
        return None
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
    notes: list[str] = []
    seen: list[tuple[DateCandidate, dates.ParsedDate]] = []

    def choose(cands: list[DateCandidate], newest: bool = False) -> _Choice | None:
        chosen: _Choice | None = None
        for cand in cands[:40]:
            if cand.source == HISTORY:
                continue
            try:
                parsed = parse_candidate(
                    cand,
                    day_first=day_first,
                    fetched=fetched_at,
                    language=language,
                    site_tz=site_tz,
                )
            except dates.AmbiguousDate as exc:
                notes.append(str(exc))
                continue
            if parsed is None:
                continue
            seen.append((cand, parsed))
            if chosen is not None and not newest:
                if cand.source in ("printed", "text"):
                    break  # read enough to find the printed line of the chosen date
                continue
            decision, value = dates.finalize(parsed, site_tz=site_tz, fetched_at=fetched_at)
            if value is None:
                notes.append(decision.note or "date rejected")
                out.calendar = out.calendar or decision.calendar
                continue
            if newest and chosen is not None and value <= chosen.value:
                continue  # a history page: the newest revision's date wins
            chosen = _Choice(parsed, value, cand)
            out.published_at = decision.iso
            out.tz_source = decision.tz_source
            out.calendar = decision.calendar
            if cand.source in ("printed", "text") and not newest:
                break
        return chosen

    if any(c.source == HISTORY for c in pub):
        chosen = choose([*pub, *(fallback() if fallback is not None else [])], newest=True)
    else:
        chosen = choose(pub)
        if chosen is None and fallback is not None:
            more = fallback()
            chosen = choose(more, newest=any(c.source == HISTORY for c in more))
    if chosen is None:
        if notes:
            out.note = "; ".join(dict.fromkeys(notes))[:300]
            out.published_raw = pub[0].raw if pub else None
    else:
        out.published_raw = chosen.cand.raw
        value = chosen.value
        if value.utcoffset() == timedelta(0) and chosen.parsed.value.tzinfo is not None:
            tz = _page_offset(value, seen)
            if tz is None:
                tz = _printed_day_offset(value, chosen.cand, seen)
                if tz is not None:
                    out.tz_source = "printed-day"
            if tz is not None:
                value = value.astimezone(tz)
                out.published_at = dates.format_iso(value)
        for cand, p in seen:
            if cand.source not in ("printed", "text"):
                continue
            if p.value.tzinfo is None and site_tz is None:
                same = p.value.date() == value.date()  # both the page's wall clock
            else:
                local_value, _ = dates.localize(p.value, site_tz)
                same = local_value.date() == value.astimezone(local_value.tzinfo).date()
            if same:
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
