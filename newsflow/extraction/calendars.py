"""Gregorian, Jalali and Hijri: conversions between them (jdatetime, hijridate) and how
the calendar of a printed year is told without guessing (month name, explicit marker,
page language, script of the date line).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import hijridate
import jdatetime

from newsflow.extraction.date_words import (
    ARABIC_CUE,
    GREGORIAN,
    HIJRI,
    HIJRI_LANGUAGES,
    HIJRI_MARK,
    JALALI,
    JALALI_LANGUAGES,
    JALALI_MARK,
    PERSIAN_CUE,
)


@lru_cache(maxsize=4096)
def jalali_to_gregorian(y: int, m: int, d: int) -> date | None:
    """The Gregorian day of a Jalali date; None when the date does not exist.

    Cached: jdatetime reads the process locale on every construction, and a
    stream sees the same few days over and over.
    """
    try:
        g = jdatetime.date(y, m, d).togregorian()
    except (ValueError, OverflowError, TypeError):
        return None
    return date(g.year, g.month, g.day)


def gregorian_to_jalali(day: date) -> tuple[int, int, int]:
    """(year, month, day) in the Jalali calendar."""
    j = jdatetime.date.fromgregorian(date=day)
    return j.year, j.month, j.day


@lru_cache(maxsize=4096)
def hijri_to_gregorian(y: int, m: int, d: int) -> date | None:
    """Umm al-Qura Hijri to Gregorian; None outside hijridate's 1343–1500 AH table.

    Printed Hijri dates follow local moon sighting and may differ from Umm al-Qura
    by a day; ``parse_printed`` prefers a Gregorian date printed beside them.
    """
    try:
        g = hijridate.Hijri(y, m, d).to_gregorian()
    except (ValueError, OverflowError, TypeError):
        return None
    return date(g.year, g.month, g.day)


def gregorian_to_hijri(day: date) -> tuple[int, int, int] | None:
    """(year, month, day) in the Umm al-Qura calendar; None outside its range."""
    try:
        h = hijridate.Gregorian(day.year, day.month, day.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    return h.year, h.month, h.day


def to_gregorian(calendar: str, y: int, m: int, d: int) -> date | None:
    """Any of the three calendars to a Gregorian date; None when invalid."""
    if calendar == JALALI:
        return jalali_to_gregorian(y, m, d)
    if calendar == HIJRI:
        return hijri_to_gregorian(y, m, d)
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        return None


def language(context: str | None) -> str:
    return (context or "").replace("_", "-").split("-")[0].lower()


def calendar_for_year(
    y: int, *, marked: str | None = None, context: str | None = None, raw: str = ""
) -> str | None:
    """The calendar of a bare 4-digit year; None when the year fits none.

    Raises ``AmbiguousDate`` for 1300–1500 when nothing decides between Jalali
    and Hijri: ``marked`` (an explicit marker or month name), the page language
    ``context`` and the script of ``raw`` are consulted, and must agree.
    """
    if 1900 <= y <= 2100:
        return GREGORIAN
    if not 1300 <= y <= 1500:
        return None
    if marked is not None:
        return marked
    votes: set[str] = set()
    lang = language(context)
    if lang in JALALI_LANGUAGES:
        votes.add(JALALI)
    elif lang in HIJRI_LANGUAGES:
        votes.add(HIJRI)
    if PERSIAN_CUE.search(raw):
        votes.add(JALALI)
    if ARABIC_CUE.search(raw):
        votes.add(HIJRI)
    if len(votes) == 1:
        return votes.pop()
    why = "conflicting cues" if votes else "no month name, marker or page language"
    raise AmbiguousDate(f"year {y} may be Jalali or Hijri ({why})")


def explicit_calendar(norm: str) -> str | None:
    """The calendar a ``هـ``/``ه.ق`` or ``ه.ش``/``شمسی`` marker names, if exactly one."""
    jalali = bool(JALALI_MARK.search(norm))
    hijri = bool(HIJRI_MARK.search(norm))
    if jalali != hijri:
        return JALALI if jalali else HIJRI
    return None


class AmbiguousDate(ValueError):
    """The text holds a date that cannot be read one way only.

    ``03/04/2024`` on a site of unknown day/month order, or ``1403/02/26`` with
    nothing telling Jalali from Hijri. The message says why, for ``date_note``.
    """
