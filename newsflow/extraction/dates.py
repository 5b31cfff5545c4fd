"""Dates as news pages print them, in three calendars and three digit systems.

Pure functions only. Text first goes through ``normalize_for_matching`` (one
spelling for Arabic/Persian letters, ASCII digits for ASCII, Eastern Arabic and
Persian digits, even mixed in one string), then through small, linear regular
expressions (no nested quantifiers: they run on untrusted text).

* ``parse_iso``: machine dates from JSON-LD / meta / ``<time datetime>``.
* ``parse_printed``: human dates: numeric ``19/03/2024``, ``۱۴۰۳/۰۲/۲۶``,
  ``2024-03-19``; month names in European languages, Arabic (``يناير``,
  Maghreb ``جانفي``, Levant ``كانون الثاني``), Persian Gregorian (``مارس``),
  Jalali (``اسفند``, Dari ``حوت``, Pashto ``كب``), Hijri (``رمضان``); a time with
  ``ص``/``م``, ``ق.ظ``/``ب.ظ``, AM/PM markers; a zone (``GMT+3``,
  ``بتوقيت مكة المكرمة``, ``به وقت تهران``).
* ``parse_relative``: ``منذ ساعتين``, ``2 hours ago``, ``دیروز``… against ``now``.
* ``parse_text``: printed, then relative, never raising: ambiguity becomes a note.
* ``finalize``: attach a timezone (page, else site default, else UTC assumed)
  and refuse dates after ``fetched_at`` + 1 day.

Calendars are told apart without guessing. Years 1900–2100 are Gregorian.
Years 1300–1500 are either Jalali (solar, 1403 ≈ 2024) or Hijri (lunar,
1445 ≈ 2024): the ranges overlap, so the calendar comes from, in order, the
month name, an explicit marker (``هـ``/``ه.ق`` Hijri, ``ه.ش``/``شمسی`` Jalali),
then the page language (``context``) and the script of the date line itself
(Persian digits or letters vs Arabic-Indic digits or Arabic weekday names).
When those do not agree on exactly one calendar, ``AmbiguousDate`` is raised
(``parse_text`` turns it into a note) rather than picking one.

Modules: this one parses; `date_words` holds the month and weekday names and the
regular expressions built from them, `calendars` the conversions between calendars and
how a year's calendar is told, `timezones` the zone decision (`finalize`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from newsflow.core.normalize import normalize_for_matching
from newsflow.extraction.calendars import (
    AmbiguousDate,
    calendar_for_year,
    explicit_calendar,
    gregorian_to_hijri,
    gregorian_to_jalali,
    hijri_to_gregorian,
    jalali_to_gregorian,
    language,
    to_gregorian,
)
from newsflow.extraction.date_words import (
    CJK_DATE,
    CLDR_MONTH_KEYS,
    DAY_AFTER,
    DAY_BEFORE,
    DAY_YEAR_AFTER,
    GREGORIAN,
    HIJRI,
    HIJRI_LANGUAGES,
    ISO_RE,
    JALALI,
    JALALI_LANGUAGES,
    MONTH_TOKEN,
    MONTHS,
    NAMED,
    NUMERIC,
    OFFSET,
    RFC2822,
    THAI_MONTHS,
    TIME,
    YEAR_AFTER,
    YEAR_BEFORE,
    ZONE_ABBREVIATIONS,
    ZONE_WORDS,
    ZONES,
    alternation,
    key,
    month_of,
    n,
)
from newsflow.extraction.timezones import (
    ParsedDate,
    finalize,
    format_iso,
    localize,
    now_utc,
    parse_fetched_at,
    site_timezone,
    zone,
)

# Only the first characters of a date line are read: bounded work on hostile text.
_MAX_CHARS = 400


# Decimal digits of the scripts whose pages print them in dates (Devanagari, Bengali and
# the other Indic scripts, Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian,
# full-width) to ASCII; ``normalize_for_matching`` already folds Arabic and Persian.
DIGITS = {
    zero + i: str(i)
    for zero in (
        0x0966,
        0x09E6,
        0x0A66,
        0x0AE6,
        0x0B66,
        0x0BE6,
        0x0C66,
        0x0CE6,
        0x0D66,
        0x0DE6,
        0x0E50,
        0x0ED0,
        0x0F20,
        0x1040,
        0x17E0,
        0x1810,
        0xFF10,
    )
    for i in range(10)
}


def _at(day: date, h: int = 0, mi: int = 0, s: int = 0, tz: tzinfo | None = None) -> datetime:
    """Wall-clock time on ``day``; naive unless ``tz`` is given (the zone is decided later)."""
    return datetime(day.year, day.month, day.day, h, mi, s, tzinfo=tz)


def _aware(value: datetime, off: str | None) -> datetime | None:
    """``value`` with an ISO/RFC offset (``Z``, ``+03:30``, ``-0500``, ``GMT``)."""
    if not off:
        return value
    off = off.upper()
    if off in ("Z", "UTC", "GMT"):
        return value.replace(tzinfo=UTC)
    digits = off[1:].replace(":", "")
    oh, om = int(digits[:2]), int(digits[2:4] or 0)
    if oh > 14 or om > 59:
        return None
    sign = -1 if off[0] == "-" else 1
    return value.replace(tzinfo=timezone(sign * timedelta(hours=oh, minutes=om)))


def parse_iso(text: str, *, context: str | None = None) -> ParsedDate | None:
    """Parse an ISO 8601 / RFC 3339-like machine date (``2024-03-19T14:37:00+03:30``).

    Some Iranian and Saudi CMSs put Jalali or Hijri years in these fields; a
    1300–1500 year is read in the calendar of the page language ``context``, and
    is None without one (machine fields have no room for a note). Never raises.
    """
    m = ISO_RE.match(text[:64])
    if not m:
        return _parse_rfc2822(text)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    lang = language(context)
    if 1900 <= y <= 2100:
        cal = GREGORIAN
    elif 1300 <= y <= 1500 and lang in JALALI_LANGUAGES:
        cal = JALALI
    elif 1300 <= y <= 1500 and lang in HIJRI_LANGUAGES:
        cal = HIJRI
    else:
        return None
    has_time = m.group(4) is not None
    hh, mi, ss = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
    gd = to_gregorian(cal, y, mo, d)
    if gd is None or hh > 23 or mi > 59 or ss > 59:
        return None
    value = _aware(_at(gd, hh, mi, ss), m.group(7))
    return None if value is None else ParsedDate(value, cal, has_time)


def _parse_rfc2822(text: str) -> ParsedDate | None:
    m = RFC2822.match(text[:64])
    if not m:
        return None
    mon = MONTHS.get(m.group(2).lower())
    if mon is None or mon[0] != GREGORIAN:
        return None
    gd = to_gregorian(GREGORIAN, int(m.group(3)), mon[1], int(m.group(1)))
    if gd is None or not 1900 <= gd.year <= 2100:
        return None
    has_time = m.group(4) is not None
    hh, mi, ss = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
    if hh > 23 or mi > 59 or ss > 59:
        return None
    value = _aware(_at(gd, hh, mi, ss), m.group(7))
    return None if value is None else ParsedDate(value, GREGORIAN, has_time)


def _fixed_offset(sign: int, hours: int, minutes: int) -> tzinfo | None:
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@dataclass(frozen=True)
class _Clock:
    h: int
    mi: int
    s: int
    tz: tzinfo | None


def _find_time(text: str) -> _Clock | None:
    """The first valid clock time in normalized ``text``, with a zone printed right after it."""
    for m in TIME.finditer(text):
        h, mi, s = int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0)
        if 1 <= h <= 12:
            if m.group("pm") and h < 12:
                h += 12
            elif m.group("am") and h == 12:
                h = 0
            elif m.group("night"):
                h = 0 if h == 12 else h + 12 if h >= 7 else h
        if h > 23 or mi > 59 or s > 59:
            continue
        tz: tzinfo | None = None
        if m.group("abbr"):
            tz = timezone(timedelta(hours=ZONE_ABBREVIATIONS[m.group("abbr")]))
        elif m.group("off"):
            digits = m.group("off")[1:].replace(":", "")
            tz = _fixed_offset(1, int(digits[:2]), int(digits[2:]))
        return _Clock(h, mi, s, tz)
    return None


def _find_zone(text: str) -> tzinfo | None:
    """A zone printed anywhere in normalized ``text``: ``GMT+3``, ``UTC``, ``بتوقيت مكة``."""
    m = OFFSET.search(text)
    if m:
        if not m.group("sign"):
            return UTC
        sign = -1 if m.group("sign") == "-" else 1
        return _fixed_offset(sign, int(m.group("oh")), int(m.group("om") or 0))
    z = ZONE_WORDS.search(text)
    if z:
        return zone(ZONES.get(key(z.group("city") or z.group("city_en") or "")))
    return None


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    calendar: str
    y: int
    m: int
    d: int


def _named_dates(norm: str, lang: str | None = None) -> list[_Match]:
    """Every ``day month-name year`` date in ``norm`` whose year fits the month's
    calendar: the hand-curated names (three calendars), the CLDR names of some seventy
    languages, and the CJK ``2020年7月12日``. A name that means different months in
    different languages is read only in the page language ``lang``."""
    out: list[_Match] = []
    for rx in NAMED:
        for m in rx.finditer(norm):
            found = month_of(m.group("mon"), lang)
            if found is None:
                continue
            cal, mon = found
            y = int(m.group("y"))
            in_range = 1900 <= y <= 2100 if cal == GREGORIAN else 1300 <= y <= 1500
            if in_range:  # "March 1402" or "مهر 2024" are not dates
                out.append(_Match(m.start(), m.end(), cal, y, mon, int(m.group("d"))))
    out.extend(_cldr_dates(norm, lang))
    for m in CJK_DATE.finditer(norm):
        out.append(
            _Match(
                m.start(),
                m.end(),
                GREGORIAN,
                int(m.group("y")),
                int(m.group("m")),
                int(m.group("d")),
            )
        )
    return out


def _cldr_dates(norm: str, lang: str | None) -> list[_Match]:
    """Dates whose month is a CLDR name (``12 de julio de 2020``, ``12 ביולי 2020``,
    ``১২ জুলাই ২০২০``): each word is looked up, then the day and year are read
    around it in the three orders."""
    out: list[_Match] = []
    for tok in MONTH_TOKEN.finditer(norm):
        k = tok.group(0).rstrip(".")
        if k not in CLDR_MONTH_KEYS:
            continue
        found = month_of(k, lang)
        if found is None:
            continue
        mon = found[1]
        s, e = tok.start(), tok.end()
        lo, hi = max(0, s - 16), min(len(norm), e + 24)
        before = DAY_BEFORE.search(norm, lo, s)
        after = YEAR_AFTER.match(norm, e, hi)
        if before and after:
            hit = (before.start(), after.end(), int(after.group(1)), int(before.group(1)))
        elif (both := DAY_YEAR_AFTER.match(norm, e, hi)) is not None:
            hit = (s, both.end(), int(both.group(2)), int(both.group(1)))
        elif (yb := YEAR_BEFORE.search(norm, lo, s)) and (da := DAY_AFTER.match(norm, e, hi)):
            hit = (yb.start(), da.end(), int(yb.group(1)), int(da.group(1)))
        else:
            continue
        start, end, y, d = hit
        if k in THAI_MONTHS and 2443 <= y <= 2643:
            y -= 543  # Buddhist era
        if 1900 <= y <= 2100:
            out.append(_Match(start, end, GREGORIAN, y, mon, d))
    return out


def _short_year(yy: int) -> int:
    """A two-digit year: 00–69 are the 2000s, 70–99 the 1900s (the POSIX pivot),
    fixed rather than clock-relative so a page reads the same every day."""
    return 2000 + yy if yy < 70 else 1900 + yy


def _numeric_date(
    norm: str, raw: str, day_first: bool | None, context: str | None, short_year: bool = False
) -> _Match | None:
    """The first plausible ``a/b/c`` date; raises ``AmbiguousDate`` when it has two readings.

    ``short_year`` also accepts ``25.04.24`` / ``25/04/24``: only for text already
    known to be a date line, since in prose such triples are scores or versions.
    """
    marked = explicit_calendar(norm)
    for m in NUMERIC.finditer(norm):
        a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
        if len(a) == 4 and len(c) <= 2:
            if sep == ".":
                continue  # version numbers, IPs
            y, mo, d = int(a), int(b), int(c)
        elif (len(c) == 4 or (short_year and len(c) == 2 and sep != "-")) and len(a) <= 2:
            y = int(c) if len(c) == 4 else _short_year(int(c))
            x, z = int(a), int(b)
            if x > 12 and z <= 12:
                d, mo = x, z
            elif z > 12 and x <= 12:
                d, mo = z, x
            elif x == z or day_first is True:
                d, mo = x, z
            elif day_first is False:
                d, mo = z, x
            else:
                raise AmbiguousDate(f"day/month order unknown in {m.group(0)!r}")
        else:
            continue
        if not 1 <= mo <= 12 or not 1 <= d <= 31:
            continue
        cal = calendar_for_year(y, marked=marked, context=context, raw=raw)
        if cal is not None:
            return _Match(m.start(), m.end(), cal, y, mo, d)
    return None


def parse_printed(
    text: str,
    *,
    day_first: bool | None = True,
    context: str | None = None,
    short_year: bool = False,
) -> ParsedDate | None:
    """Parse a date as printed on a page; None when no date is found.

    ``day_first``: how to read ``a/b/YYYY`` when both ``a`` and ``b`` are ≤ 12:
    True for D/M/Y (Arabic, Persian, most of Europe), False for M/D/Y, None when
    unknown. ``context``: the page language (``fa``, ``ar``…), which decides the
    calendar of a bare 1300–1500 year. ``short_year``: the text is known to be a
    date line, so ``25.04.24`` (two-digit year) is read too. Raises ``AmbiguousDate`` when the text
    holds a date that could be read two ways; nothing else.

    A date with a month name wins over a numeric one, and a Gregorian date over a
    Hijri one printed beside it (``9 رمضان 1445 الموافق 19 مارس 2024``): printed
    Hijri days follow moon sighting, the Gregorian day is exact.
    """
    raw = text[:_MAX_CHARS]
    norm = normalize_for_matching(raw).replace("\u2212", "-").translate(DIGITS)
    named = _named_dates(norm, language(context) or None)
    chosen: _Match | None = None
    gd: date | None = None
    for found in sorted(named, key=lambda f: (f.calendar != GREGORIAN, f.start)):
        gd = to_gregorian(found.calendar, found.y, found.m, found.d)
        if gd is not None:
            chosen = found
            break
    if chosen is None and not named:
        chosen = _numeric_date(norm, raw, day_first, context, short_year)
        if chosen is not None:
            gd = to_gregorian(chosen.calendar, chosen.y, chosen.m, chosen.d)
    if chosen is None or gd is None:
        return None
    rest = norm[: chosen.start] + " " + norm[chosen.end :]
    clock = _find_time(rest)
    tz = clock.tz if clock and clock.tz else _find_zone(rest)
    h, mi, s = (clock.h, clock.mi, clock.s) if clock else (0, 0, 0)
    return ParsedDate(_at(gd, h, mi, s, tz), chosen.calendar, clock is not None)


_EXACT_UNITS = {"second": 1, "minute": 60, "hour": 3600}


# unit -> (singular words: one without a number, plural words: need a number).
# "منذ ساعات" / "hours ago" without a number is vague and never resolved; so is
# anything coarser than a day ("3 weeks ago" may be 21 or 27 days).
_REL_UNIT_WORDS: dict[str, tuple[str, str]] = {
    "second": ("ثانية ثانیه second sec", "ثوان ثواني seconds secs"),
    "minute": ("دقيقة دقیقه minute min", "دقائق minutes mins"),
    "hour": ("ساعة ساعت hour hr", "ساعات hours hrs"),
    "day": ("يوم روز day", "أيام days"),
    "coarse": (
        "أسبوع هفته week شهر ماه month سنة عام سال year",
        "أسابيع weeks أشهر شهور months سنوات أعوام years",
    ),
}


_REL_DUALS = {
    "دقيقتين": "minute",
    "دقيقتان": "minute",
    "ساعتين": "hour",
    "ساعتان": "hour",
    "يومين": "day",
    "يومان": "day",
    "أسبوعين": "coarse",
    "شهرين": "coarse",
    "سنتين": "coarse",
    "عامين": "coarse",
}


_NUM_WORD_VALUES = {
    "a an one یک يك واحد واحدة": 1,
    "two دو اثنين": 2,
    "three سه ثلاث ثلاثة": 3,
    "four چهار أربع أربعة": 4,
    "five پنج خمس خمسة": 5,
    "six شش ست ستة": 6,
    "seven هفت سبع سبعة": 7,
    "eight هشت ثماني ثمانية": 8,
    "nine تسع تسعة": 9,
    "ten ده عشر عشرة": 10,
}


# normalized word -> (unit, count without a number; 0 when a number is required)
_REL_UNITS: dict[str, tuple[str, int]] = {}


for _unit, (_one, _many) in _REL_UNIT_WORDS.items():
    _REL_UNITS.update({n(w): (_unit, 1) for w in _one.split()})
    _REL_UNITS.update({n(w): (_unit, 0) for w in _many.split()})


_REL_UNITS.update({n(w): (unit, 2) for w, unit in _REL_DUALS.items()})


_NUM_WORDS = {n(w): v for words, v in _NUM_WORD_VALUES.items() for w in words.split()}


_REL_AGO = re.compile(
    rf"(?:(?<!\w)(?P<pre>منذ|قبل)\s+)?(?:(?P<num>\d{{1,3}}|{alternation(_NUM_WORDS)})\s+)?"
    rf"(?<!\w)(?P<unit>{alternation(_REL_UNITS)})(?!\w)\s*(?P<ago>ago|پيش|قبل)?"
)


_MOMENTS = re.compile(
    r"(?<!\w)(?:just now|moments? ago|(?:منذ|قبل)\s(?:لحظات|لحظه)|لحظاتي\s?پيش"
    r"|لحظه\s?اي\s?پيش|همين\s?الان)(?!\w)"
)


_DAY_WORDS = (
    (re.compile(r"(?<!\w)(?:اول|قبل)\s(?:امس|البارحه)(?!\w)|(?<!\w)پريروز(?!\w)"), 2),
    (re.compile(r"(?<!\w)(?:yesterday|امس|البارحه|ديروز)(?!\w)"), 1),
    (re.compile(r"(?<!\w)(?:today|اليوم|امروز)(?!\w)"), 0),
)


def _local_day(now: datetime, site_tz: str | None, days_back: int) -> date:
    tz = zone(site_tz)
    local = now.astimezone(tz) if tz is not None and now.tzinfo is not None else now
    return local.date() - timedelta(days=days_back)


def _relative_match(norm: str) -> tuple[str, int] | None:
    """(unit, count) of the first ``منذ ساعتين`` / ``2 hours ago`` phrase.

    The unit is ``vague`` for a plural without a number (``منذ ساعات``) and
    ``coarse`` beyond days. ``منذ يوم الاثنين`` ("since Monday") is no phrase.
    """
    for m in _REL_AGO.finditer(norm):
        if not (m.group("pre") or m.group("ago")):
            continue  # "5 hours" is a duration, not a date
        if norm[m.end("unit") :].lstrip().startswith("ال"):
            continue  # "منذ يوم الاثنين", "قبل ساعات الفجر"
        unit, count = _REL_UNITS[key(m.group("unit"))]
        num = m.group("num")
        if num:
            count = int(num) if num.isdigit() else _NUM_WORDS.get(key(num), 0)
        if count == 0 and unit != "coarse":
            unit = "vague"
        return unit, count
    return None


def parse_relative(
    text: str, now: datetime, *, site_tz: str | None = None
) -> tuple[datetime, bool] | None:
    """Resolve ``منذ ساعتين`` / ``2 hours ago`` / ``دیروز`` against ``now``.

    Returns ``(datetime, has_time)``. Seconds, minutes and hours give an exact
    instant in ``now``'s zone. Days (``قبل يومين``, ``yesterday``) give a naive
    local day, midnight unless a time is printed, counted in ``site_tz`` when
    given (yesterday in Tehran is not yesterday in UTC at 01:00 Tehran time), so
    the caller zones it like any printed date. Weeks, months and years are too
    coarse to give a day and return None.
    """
    norm = normalize_for_matching(text[:_MAX_CHARS])
    if _MOMENTS.search(norm):
        return now.replace(microsecond=0), True
    rel = _relative_match(norm)
    if rel is not None:
        unit, count = rel
        if unit in _EXACT_UNITS:
            return now - timedelta(seconds=count * _EXACT_UNITS[unit]), True
        if unit == "day":
            day = _local_day(now, site_tz, count)
            return _at(day), False
        return None
    for rx, back in _DAY_WORDS:
        if rx.search(norm):
            day = _local_day(now, site_tz, back)
            clock = _find_time(norm)
            if clock:
                return _at(day, clock.h, clock.mi, clock.s), True
            return _at(day), False
    return None


def parse_text(
    text: str,
    *,
    now: datetime,
    day_first: bool | None = True,
    context: str | None = None,
    site_tz: str | None = None,
) -> tuple[ParsedDate | None, str | None]:
    """A printed date line, absolute or relative, as ``(date, note)``; never raises.

    ``note`` says why no date came out of a line that holds one (ambiguous
    order or calendar, a relative date coarser than a day). A relative instant
    is expressed in ``site_tz`` when given and carries its own ``tz_source``.
    """
    try:
        parsed = parse_printed(text, day_first=day_first, context=context)
    except AmbiguousDate as exc:
        return None, str(exc)
    if parsed is not None:
        return parsed, None
    rel = parse_relative(text, now, site_tz=site_tz)
    if rel is not None:
        value, has_time = rel
        if value.tzinfo is None:
            return ParsedDate(value, GREGORIAN, has_time), None
        tz = zone(site_tz)
        source = "site-default" if tz is not None else "utc-assumed"
        value = value.astimezone(tz) if tz is not None else value
        return ParsedDate(value, GREGORIAN, has_time, tz_source=source), None
    found = _relative_match(normalize_for_matching(text[:_MAX_CHARS]))
    if found is not None and found[0] in ("coarse", "vague"):
        return None, f"relative date {text[:60]!r} does not name a day"
    return None, None


# The dates API, wherever each part lives (pubdate, parse and the tests import it here).
__all__ = [
    "GREGORIAN",
    "HIJRI",
    "JALALI",
    "AmbiguousDate",
    "ParsedDate",
    "finalize",
    "format_iso",
    "gregorian_to_hijri",
    "gregorian_to_jalali",
    "hijri_to_gregorian",
    "jalali_to_gregorian",
    "localize",
    "now_utc",
    "parse_fetched_at",
    "parse_iso",
    "parse_printed",
    "parse_relative",
    "parse_text",
    "site_timezone",
]
