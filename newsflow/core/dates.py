"""Dates as news pages print them, in three calendars and three digit systems.

Pure functions only. Text first goes through ``normalize_for_matching`` (one
spelling for Arabic/Persian letters, ASCII digits), then through small, linear
regular expressions (no nested quantifiers: they run on untrusted text).

* ``parse_iso``: machine dates from JSON-LD / meta / ``<time datetime>``.
* ``parse_printed``: human dates: numeric ``19/03/2024``, ``۱۴۰۳/۰۲/۲۶``,
  ``2024-03-19``; month names in English, Arabic (both ``يناير`` and
  ``كانون الثاني`` families), Persian Gregorian (``مارس``), Jalali (``اسفند``),
  Hijri (``رمضان``); a time with ``ص``/``م``, ``ق.ظ``/``ب.ظ``, AM/PM markers.
  The calendar follows the month name, or for numbers the year: 1300–1500 is
  Jalali (Hijri only with an explicit ``هـ``/``ق`` marker), never Gregorian.
  Conversions use jdatetime and hijridate.
* ``parse_relative``: ``منذ ساعتين``, ``2 hours ago``, ``دیروز``… against ``now``.
* ``finalize``: attach a timezone (page offset, else site default, else UTC
  assumed) and refuse dates after ``fetched_at`` + 1 day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import hijridate
import jdatetime

from newsflow.core.normalize import normalize_for_matching

GREGORIAN = "gregorian"
JALALI = "jalali"
HIJRI = "hijri"

# How far past fetched_at a published date may lie (clock skew, timezone slips).
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text, before the timezone decision.

    ``value`` is Gregorian; naive unless the text carried an offset.
    """

    value: datetime
    calendar: str
    has_time: bool


@dataclass(frozen=True)
class DateDecision:
    """The published date as the article carries it."""

    iso: str | None
    tz_source: str | None  # "page", "site-default", "utc-assumed"
    calendar: str | None
    note: str | None  # why iso is None although a date was seen


class AmbiguousDate(ValueError):
    """Day and month order cannot be decided (``03/04/2024`` on an unknown-order site)."""


# --------------------------------------------------------------------------- months


def _n(word: str) -> str:
    return normalize_for_matching(word)


_GREGORIAN_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "january jan janvier januar enero gennaio "
        "janeiro ocak يناير كانون_الثاني ژانویه ژانویه‌ی جانفي",
        "february feb fevrier février februar febrero febbraio "
        "fevereiro şubat subat فبراير شباط فوریه فيفري",
        "march mar mars märz maerz marzo março mart مارس آذار",
        "april apr avril abril aprile nisan أبريل ابريل نيسان آوریل آبریل أفريل افريل",
        "may mai mayo maggio maio mayıs mayis مايو أيار ايار مه ماي",
        "june jun juin juni junio giugno junho haziran يونيو يونيه حزيران ژوئن جوان",
        "july jul juillet juli julio luglio julho temmuz يوليو يوليه تموز ژوئیه جويلية",
        "august aug août aout agosto ağustos agustos أغسطس اغسطس آب اوت أوت",
        "september sep sept septembre septiembre settembre "
        "setembro eylül eylul سبتمبر أيلول ايلول سپتامبر",
        "october oct octobre oktober octubre ottobre outubro ekim أكتوبر اكتوبر تشرين_الأول اکتبر",
        "november nov novembre noviembre novembro kasım kasim نوفمبر تشرين_الثاني نوامبر",
        "december dec décembre decembre dezember diciembre "
        "dicembre dezembro aralık aralik ديسمبر كانون_الأول دسامبر",
    ],
    start=1,
):
    for _w in _names.split():
        _GREGORIAN_MONTHS[_n(_w.replace("_", " "))] = _i
_GREGORIAN_MONTHS[_n("mär")] = 3
_GREGORIAN_MONTHS[_n("dez")] = 12
_GREGORIAN_MONTHS[_n("okt")] = 10

_JALALI_MONTHS = {
    _n(w): i
    for i, w in enumerate(
        [
            "فروردین",
            "اردیبهشت",
            "خرداد",
            "تیر",
            "مرداد",
            "شهریور",
            "مهر",
            "آبان",
            "آذر",
            "دی",
            "بهمن",
            "اسفند",
        ],
        start=1,
    )
}

_HIJRI_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "محرم محرم_الحرام",
        "صفر",
        "ربيع_الأول ربيع_الاول ربیع_الاول ربيع_أول",
        "ربيع_الآخر ربيع_الثاني ربيع_ثاني ربیع_الثانی",
        "جمادى_الأولى جمادى_الاولى جمادى_الأول جمادی_الاولی",
        "جمادى_الآخرة جمادى_الاخرة جمادى_الثانية جمادی_الثانیه",
        "رجب",
        "شعبان",
        "رمضان",
        "شوال",
        "ذو_القعدة ذي_القعدة ذیقعده ذی_القعده",
        "ذو_الحجة ذي_الحجة ذیحجه ذی_الحجه",
    ],
    start=1,
):
    for _w in _names.split():
        _HIJRI_MONTHS[_n(_w.replace("_", " "))] = _i

_MONTHS: dict[str, tuple[str, int]] = {}
for _k, _v in _GREGORIAN_MONTHS.items():
    _MONTHS[_k] = (GREGORIAN, _v)
for _k, _v in _JALALI_MONTHS.items():
    _MONTHS[_k] = (JALALI, _v)
for _k, _v in _HIJRI_MONTHS.items():
    _MONTHS[_k] = (HIJRI, _v)

_MONTH_ALT = "|".join(re.escape(k) for k in sorted(_MONTHS, key=len, reverse=True))
# \b-like boundaries that also work for Arabic letters (all are \w in Python).
_MON = rf"(?<!\w)(?P<mon>{_MONTH_ALT})\.?(?!\w)"

_D = r"(?P<d>\d{1,2})"
_Y = r"(?P<y>\d{4})"
_SEP = r"[\s,.\-/]{0,3}"
_NAMED_DMY = re.compile(rf"(?<!\d){_D}(?:st|nd|rd|th|er)?\.?{_SEP}{_MON}{_SEP}{_Y}(?!\d)")
_NAMED_MDY = re.compile(rf"{_MON}{_SEP}{_D}(?:st|nd|rd|th)?(?!\d),?{_SEP}{_Y}(?!\d)")
_NAMED_YMD = re.compile(rf"(?<!\d){_Y}{_SEP}{_MON}{_SEP}{_D}(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,4})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{1,4})(?![\d])")
_TIME = re.compile(
    r"(?<!\d)(?P<h>\d{1,2})\s?:\s?(?P<mi>\d{2})(?:\s?:\s?(?P<s>\d{2}))?(?!\d)"
    r"(?:\s{0,3}(?P<ampm>[ap]\.?\s?m\b\.?|ق\.?\s?ظ|ب\.?\s?ظ|ص(?!\w)|م(?!\w)"
    r"|صباحا|مساء|مساءا|قبل\s?از\s?ظهر|بعد\s?از\s?ظهر|عصر|شب|صبح))?"
)
_OFFSET = re.compile(
    r"(?:\b(?:gmt|utc)\s?(?P<sign>[+-])\s?(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)"
    r"|(?P<zulu>\b(?:gmt|utc)\b)"
)
_HIJRI_MARK = re.compile(r"(?:\d\s?هـ?(?!\w))|(?:\d\s?ق(?!\w))|هجري|هجريه|(?<!\w)ه\.ق")
_ISO_RE = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?\s*$",
    re.IGNORECASE,
)


def _pm_flag(marker: str | None) -> bool | None:
    """True for afternoon markers, False for morning, None when absent."""
    if not marker:
        return None
    m = marker.replace(" ", "").replace(".", "").lower()
    return m in ("pm", "بظ", "م", "مساء", "مساءا", "بعدازظهر", "عصر", "شب")


def _to_gregorian(calendar: str, y: int, m: int, d: int) -> date | None:
    try:
        if calendar == JALALI:
            g = jdatetime.date(y, m, d).togregorian()
            return date(g.year, g.month, g.day)
        if calendar == HIJRI:
            g = hijridate.Hijri(y, m, d).to_gregorian()
            return date(g.year, g.month, g.day)
        return date(y, m, d)
    except (ValueError, OverflowError, TypeError):
        return None


def _calendar_for_year(y: int, hijri_marked: bool) -> str | None:
    if 1300 <= y <= 1500:
        return HIJRI if hijri_marked else JALALI
    if 1900 <= y <= 2100:
        return GREGORIAN
    return None


def parse_iso(text: str) -> ParsedDate | None:
    """Parse an ISO 8601 / RFC 3339-like machine date (``2024-03-19T14:37:00+03:30``)."""
    m = _ISO_RE.match(text[:64])
    if not m:
        return _parse_rfc2822(text)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    cal = _calendar_for_year(y, False)
    if cal is None:
        return None
    has_time = m.group(4) is not None
    hh = int(m.group(4) or 0)
    mi = int(m.group(5) or 0)
    ss = int(m.group(6) or 0)
    gd = _to_gregorian(cal, y, mo, d)
    if gd is None or hh > 23 or mi > 59 or ss > 59:
        return None
    tz: tzinfo | None = None
    off = m.group(7)
    if off:
        off = off.upper()
        if off in ("Z", "UTC", "GMT"):
            tz = UTC
        else:
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            oh, om = int(digits[:2]), int(digits[2:4] or 0)
            if oh > 14 or om > 59:
                return None
            tz = timezone(sign * timedelta(hours=oh, minutes=om))
    value = datetime(gd.year, gd.month, gd.day, hh, mi, ss, tzinfo=tz)
    return ParsedDate(value, cal, has_time)


_RFC2822 = re.compile(
    r"^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|GMT|UTC|[+-]\d{4})?\s*$",
    re.IGNORECASE,
)


def _parse_rfc2822(text: str) -> ParsedDate | None:
    m = _RFC2822.match(text[:64])
    if not m:
        return None
    mon = _GREGORIAN_MONTHS.get(m.group(2).lower())
    if mon is None:
        return None
    gd = _to_gregorian(GREGORIAN, int(m.group(3)), mon, int(m.group(1)))
    if gd is None or not 1900 <= gd.year <= 2100:
        return None
    has_time = m.group(4) is not None
    hh, mi, ss = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
    if hh > 23 or mi > 59 or ss > 59:
        return None
    tz: tzinfo | None = None
    off = (m.group(7) or "").upper()
    if off in ("Z", "GMT", "UTC"):
        tz = UTC
    elif off:
        sign = -1 if off[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5])))
    return ParsedDate(
        datetime(gd.year, gd.month, gd.day, hh, mi, ss, tzinfo=tz), GREGORIAN, has_time
    )


def _find_time(text: str) -> tuple[int, int, int] | None:
    m = _TIME.search(text)
    if not m:
        return None
    h, mi = int(m.group("h")), int(m.group("mi"))
    s = int(m.group("s") or 0)
    pm = _pm_flag(m.group("ampm"))
    if pm is True and h < 12:
        h += 12
    elif pm is False and h == 12:
        h = 0
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s


def _find_offset(text: str) -> tzinfo | None:
    m = _OFFSET.search(text)
    if not m:
        return None
    if m.group("zulu"):
        return UTC
    sign = -1 if m.group("sign") == "-" else 1
    oh, om = int(m.group("oh")), int(m.group("om") or 0)
    if oh > 14 or om > 59:
        return None
    return timezone(sign * timedelta(hours=oh, minutes=om))


def parse_printed(text: str, *, day_first: bool | None = True) -> ParsedDate | None:
    """Parse a date as printed on a page; None when no date is found.

    ``day_first``: how to read ``a/b/YYYY`` when both ``a`` and ``b`` are ≤ 12:
    True for D/M/Y (Arabic, Persian, most of Europe), False for M/D/Y, None when
    unknown, in which case such a date raises ``AmbiguousDate``.
    """
    norm = normalize_for_matching(text[:400])
    norm = norm.replace("\u00a0", " ")
    hijri_marked = bool(_HIJRI_MARK.search(norm))
    ymd: tuple[str, int, int, int] | None = None
    span = (0, 0)
    for rx in (_NAMED_DMY, _NAMED_MDY, _NAMED_YMD):
        m = rx.search(norm)
        if m:
            cal, mon = _MONTHS[m.group("mon")]
            y, d = int(m.group("y")), int(m.group("d"))
            year_cal = _calendar_for_year(y, cal == HIJRI)
            if year_cal is None or (year_cal == GREGORIAN) != (cal == GREGORIAN):
                continue  # e.g. "مهر 1400" read as Gregorian, or "March 1402"
            ymd = (cal, y, mon, d)
            span = m.span()
            break
    if ymd is None:
        for m in _NUMERIC.finditer(norm):
            a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
            if len(a) == 4 and len(c) <= 2:
                y, mo, d = int(a), int(b), int(c)
            elif len(c) == 4 and len(a) <= 2:
                y = int(c)
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
            if sep == "." and len(a) == 4:
                continue  # version numbers, IPs
            num_cal = _calendar_for_year(y, hijri_marked)
            if num_cal is None or not 1 <= mo <= 12 or not 1 <= d <= 31:
                continue
            ymd = (num_cal, y, mo, d)
            span = m.span()
            break
    if ymd is None:
        return None
    cal, y, mo, d = ymd
    gd = _to_gregorian(cal, y, mo, d)
    if gd is None:
        return None
    rest = norm[: span[0]] + " " + norm[span[1] :]
    hms = _find_time(rest)
    tz = _find_offset(rest)
    h, mi, s = hms if hms else (0, 0, 0)
    return ParsedDate(
        datetime(gd.year, gd.month, gd.day, h, mi, s, tzinfo=tz), cal, hms is not None
    )


# ----------------------------------------------------------------------- relative

_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
}
_REL_UNITS: dict[str, tuple[str, int]] = {}
for _unit, _words in {
    "second": "ثانية ثوان ثواني ثانيه ثانیه second seconds sec secs",
    "minute": "دقيقة دقائق دقيقه دقیقه min mins minute minutes",
    "hour": "ساعة ساعات ساعه ساعت hour hours hr hrs",
    "day": "يوم أيام ايام روز day days",
    "week": "أسبوع اسبوع أسابيع اسابيع هفته week weeks",
}.items():
    for _w in _words.split():
        _REL_UNITS[_n(_w)] = (_unit, 1)
for _w, _unit in {
    "دقيقتين": "minute",
    "دقيقتان": "minute",
    "ساعتين": "hour",
    "ساعتان": "hour",
    "يومين": "day",
    "يومان": "day",
    "أسبوعين": "week",
}.items():
    _REL_UNITS[_n(_w)] = (_unit, 2)
_NUM_WORDS = {
    _n(w): v
    for w, v in {
        "a": 1,
        "an": 1,
        "one": 1,
        "two": 2,
        "three": 3,
        "یک": 1,
        "دو": 2,
        "سه": 3,
        "واحد": 1,
        "واحدة": 1,
        "ثلاث": 3,
        "ثلاثة": 3,
    }.items()
}
_REL_UNIT_ALT = "|".join(re.escape(k) for k in sorted(_REL_UNITS, key=len, reverse=True))
_NUM_ALT = "|".join(re.escape(k) for k in sorted(_NUM_WORDS, key=len, reverse=True))
_REL_AGO = re.compile(
    rf"(?:(?<!\w)(?P<pre>منذ|قبل)\s+)?(?:(?P<num>\d{{1,3}}|{_NUM_ALT})\s+)?"
    rf"(?P<unit>{_REL_UNIT_ALT})(?!\w)\s*(?P<ago>ago|پیش|پيش|قبل)?"
)
_YESTERDAY = re.compile(r"(?<!\w)(?:yesterday|امس|البارحه|ديروز)(?!\w)")
_TODAY = re.compile(r"(?<!\w)(?:today|اليوم|امروز)(?!\w)")


def parse_relative(text: str, now: datetime) -> tuple[datetime, bool] | None:
    """Resolve ``منذ ساعتين`` / ``2 hours ago`` / ``دیروز`` against ``now``.

    Returns ``(datetime, has_time)``; ``has_time`` is False for day-level words
    (yesterday/today), whose result is ``now``'s calendar day.
    """
    norm = normalize_for_matching(text[:200])
    for m in _REL_AGO.finditer(norm):
        if m.group("pre") or m.group("ago"):
            unit, count = _REL_UNITS[m.group("unit")]
            num = m.group("num")
            if num:
                count = int(num) if num.isdigit() else _NUM_WORDS.get(num, 1)
            return now - timedelta(seconds=count * _UNIT_SECONDS[unit]), unit in (
                "second",
                "minute",
                "hour",
            )
    if _YESTERDAY.search(norm):
        day = now - timedelta(days=1)
        hms = _find_time(norm)
        if hms:
            return day.replace(hour=hms[0], minute=hms[1], second=hms[2], microsecond=0), True
        return day.replace(hour=0, minute=0, second=0, microsecond=0), False
    if _TODAY.search(norm):
        hms = _find_time(norm)
        if hms:
            return now.replace(hour=hms[0], minute=hms[1], second=hms[2], microsecond=0), True
        return now.replace(hour=0, minute=0, second=0, microsecond=0), False
    return None


# ----------------------------------------------------------------------- timezone


def zone(name: str | None) -> tzinfo | None:
    """IANA zone by name, None when unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def site_timezone(host: str, mapping: dict[str, str] | None) -> str | None:
    """The zone for the longest host suffix in ``mapping`` that matches ``host``."""
    if not mapping:
        return None
    host = host.lower()
    best: str | None = None
    best_len = -1
    for suffix, tz in mapping.items():
        s = suffix.lower().lstrip(".")
        if (host == s or host.endswith("." + s)) and len(s) > best_len:
            best, best_len = tz, len(s)
    return best


def localize(value: datetime, site_tz: str | None) -> tuple[datetime, str]:
    """Give a naive datetime a zone: the page's own offset wins, then the site's."""
    if value.tzinfo is not None:
        return value, "page"
    tz = zone(site_tz)
    if tz is not None:
        return value.replace(tzinfo=tz), "site-default"
    return value.replace(tzinfo=UTC), "utc-assumed"


def format_iso(value: datetime) -> str:
    """ISO 8601 with offset, seconds precision (``2024-03-19T14:37:00+03:30``)."""
    return value.replace(microsecond=0).isoformat()


def parse_fetched_at(text: str | None) -> datetime | None:
    """The crawler's ``fetched_at``; None when missing or without an offset."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def finalize(
    parsed: ParsedDate, *, site_tz: str | None, fetched_at: datetime | None
) -> tuple[DateDecision, datetime | None]:
    """Zone the date and check it against ``fetched_at``; returns the decision and value."""
    value, source = localize(parsed.value, site_tz)
    if fetched_at is not None and value > fetched_at + FUTURE_TOLERANCE:
        return (
            DateDecision(
                None,
                None,
                parsed.calendar,
                f"date {format_iso(value)} is after fetched_at {format_iso(fetched_at)} + 1 day",
            ),
            None,
        )
    return DateDecision(format_iso(value), source, parsed.calendar, None), value


def now_utc() -> datetime:
    """Wall clock in UTC (only used when a page has no fetched_at)."""
    return datetime.now(UTC)
