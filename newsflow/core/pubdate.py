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
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from newsflow.core import dates
from newsflow.core import extract as ex
from newsflow.core import selectors as sel


@dataclass(frozen=True)
class DateCandidate:
    """A date string and its source: ``jsonld``, ``meta``, ``time``, ``printed`` or ``url``."""

    source: str
    raw: str


_HAS_DIGIT = re.compile(r"\d")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$|\.)")


def date_candidates(
    hints: ex.DomHints, pm: ex.PageMeta, url: str
) -> tuple[list[DateCandidate], list[DateCandidate]]:
    """(published candidates, modified candidates), most reliable first.

    Published: JSON-LD ``datePublished``/``dateCreated`` → ``article:published_time``
    and other meta → microdata ``datePublished`` → ``<time datetime>`` → printed
    date lines (``.item-date``, ``.date``…, within ``<article>``/``<main>`` first)
    → a ``/YYYY/MM/DD/`` URL path.
    """
    pub: list[DateCandidate] = []
    mod: list[DateCandidate] = []
    for key in ("datePublished", "dateCreated"):
        v = ex.ld_get(pm, key)
        if v:
            pub.append(DateCandidate("jsonld", v))
    pub.extend(DateCandidate("meta", v) for v in pm.all(sel.META_PUBLISHED[:-1]))
    pub.extend(DateCandidate("meta", v) for v in pm.all(("microdata:datepublished",)))
    pub.extend(DateCandidate("time", v) for v in hints.time_values)
    printed_in: list[DateCandidate] = []
    printed_out: list[DateCandidate] = []
    for node in hints.date_nodes:
        text = node.text(deep=True)
        if len(text) > sel.DATE_CONTAINER_MAX_CHARS * 4:
            continue
        text = ex.clean_text(text)
        if not text or len(text) > sel.DATE_CONTAINER_MAX_CHARS:
            continue
        if not _HAS_DIGIT.search(text) and not sel.RELATIVE_DATE_HINT_RE.search(text):
            continue
        if sel.NOT_PUBLISHED_LINE_RE.search(text):
            continue  # an update or access line is never the publication date
        ancestors = ex.ancestor_tags(node)
        if ancestors & ex.ARTICLE_TAGS:
            printed_in.append(DateCandidate("printed", text))
        elif "aside" not in ancestors:
            printed_out.append(DateCandidate("printed", text))
    pub.extend(printed_in)
    pub.extend(printed_out)
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
    ``11/01/2023`` in a German page's meta must become a note, not 11 January)."""
    if cand.source in ("jsonld", "meta", "time", "url"):
        parsed = dates.parse_iso(cand.raw, context=language)
        if parsed is None and cand.source != "url":
            parsed = dates.parse_printed(cand.raw, day_first=None, context=language)
        return parsed
    parsed = dates.parse_printed(cand.raw, day_first=day_first, context=language)
    if parsed is None:
        rel = dates.parse_relative(cand.raw, fetched, site_tz=site_tz)
        if rel is not None:
            value, has_time = rel
            return dates.ParsedDate(value, dates.GREGORIAN, has_time)
    return parsed


def decide_dates(
    pub: list[DateCandidate],
    mod: list[DateCandidate],
    *,
    site_tz: str | None,
    fetched_at: datetime | None,
    day_first: bool | None,
    language: str | None = None,
) -> DateDecision:
    out = DateDecision()
    fetched = fetched_at or dates.now_utc()
    notes: list[str] = []
    chosen: dates.ParsedDate | None = None
    chosen_value: datetime | None = None
    chosen_raw: str | None = None
    printed: list[tuple[str, dates.ParsedDate]] = []
    for cand in pub[:40]:
        try:
            parsed = parse_candidate(
                cand, day_first=day_first, fetched=fetched, language=language, site_tz=site_tz
            )
        except dates.AmbiguousDate as exc:
            notes.append(str(exc))
            continue
        if parsed is None:
            continue
        if cand.source == "printed":
            printed.append((cand.raw, parsed))
        if chosen is not None:
            continue
        decision, value = dates.finalize(parsed, site_tz=site_tz, fetched_at=fetched_at)
        if value is None:
            notes.append(decision.note or "date rejected")
            out.calendar = out.calendar or decision.calendar
            continue
        chosen, chosen_value, chosen_raw = parsed, value, cand.raw
        out.published_at = decision.iso
        out.tz_source = decision.tz_source
        out.calendar = decision.calendar
        if cand.source == "printed":
            break
    if chosen is None:
        if notes:
            out.note = "; ".join(dict.fromkeys(notes))[:300]
            out.published_raw = pub[0].raw if pub else None
    else:
        out.published_raw = chosen_raw
        if chosen_value is not None:
            for raw_text, p in printed:
                local_value, _ = dates.localize(p.value, site_tz)
                local_chosen = chosen_value.astimezone(local_value.tzinfo)
                if local_value.date() == local_chosen.date():
                    out.published_raw = raw_text
                    out.calendar = p.calendar
                    break
    for cand in mod[:10]:
        parsed = dates.parse_iso(cand.raw, context=language)
        if parsed is None:
            continue
        decision, value = dates.finalize(parsed, site_tz=site_tz, fetched_at=fetched_at)
        if value is not None:
            out.modified_at = decision.iso
            break
    return out
