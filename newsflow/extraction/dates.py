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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import hijridate
import jdatetime

from newsflow.core.normalize import normalize_for_matching

GREGORIAN = "gregorian"
JALALI = "jalali"
HIJRI = "hijri"

# How far past fetched_at a published date may lie (clock skew, timezone slips).
FUTURE_TOLERANCE = timedelta(days=1)

# Only the first characters of a date line are read: bounded work on hostile text.
_MAX_CHARS = 400


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text, before the timezone decision.

    ``value`` is Gregorian; naive unless the text carried a zone. ``tz_source``
    overrides what ``finalize`` records for an aware ``value`` (a relative date
    is aware because ``now`` is, yet its zone did not come from the page).
    """

    value: datetime
    calendar: str
    has_time: bool
    tz_source: str | None = None


@dataclass(frozen=True)
class DateDecision:
    """The published date as the article carries it."""

    iso: str | None
    tz_source: str | None  # "page", "site-default", "utc-assumed"
    calendar: str | None
    note: str | None  # why iso is None although a date was seen


class AmbiguousDate(ValueError):
    """The text holds a date that cannot be read one way only.

    ``03/04/2024`` on a site of unknown day/month order, or ``1403/02/26`` with
    nothing telling Jalali from Hijri. The message says why, for ``date_note``.
    """


# --------------------------------------------------------------------------- tables
# Month names as data: one tuple per month, January/Farvardin/Muharram first.
# A space inside a name also matches no space (Persian pages join words with a
# zero-width non-joiner, which normalization drops). Spelling variants that
# ``normalize_for_matching`` already folds (ی/ي, ک/ك, أ/ا, ة/ه, harakat) need
# not be listed.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# European spellings (English, French, German, Spanish, Italian, Portuguese,
# Turkish, Dutch, Indonesian, Polish nominative and genitive), then Arabic
# (Egypt/Gulf, Maghreb, Levant/Iraq), then Persian.
GREGORIAN_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    (
        *_words("january jan janvier januar jänner enero gennaio janeiro ocak januari"),
        *_words("stycznia styczeń"),
        *("يناير", "ينير", "جانفي", "كانون الثاني", "كانون ثاني", "ژانویه"),
    ),
    (
        *_words("february feb fevrier février februar febrero febbraio fevereiro şubat"),
        *_words("subat februari lutego luty"),
        *("فبراير", "فبرير", "فيفري", "شباط", "فوریه", "فبرایر"),
    ),
    (
        *_words("march mar mars märz maerz mär marzo março marco mart maart maret"),
        *_words("marca marzec"),
        *("مارس", "آذار", "مارچ"),
    ),
    (
        *_words("april apr avril abril aprile nisan kwietnia kwiecień"),
        *("أبريل", "إبريل", "أفريل", "نيسان", "آوریل", "آبریل"),
    ),
    (
        *_words("may mai mayo maggio maio mayıs mayis mei maja maj"),
        *("مايو", "ماي", "أيار", "مه"),
    ),
    (
        *_words("june jun juin juni junio giugno junho haziran czerwca czerwiec"),
        *("يونيو", "يونيه", "جوان", "حزيران", "ژوئن"),
    ),
    (
        *_words("july jul juillet juli julio luglio julho temmuz lipca lipiec"),
        *("يوليو", "يوليه", "يوليوز", "جويلية", "تموز", "ژوئیه", "جولای"),
    ),
    (
        *_words("august aug août aout agosto ağustos agustos augustus agustus"),
        *_words("sierpnia sierpień"),
        *("أغسطس", "غشت", "أوت", "آب", "آگوست"),
    ),
    (
        *_words("september sep sept septembre septiembre settembre setembro eylül"),
        *_words("eylul września wrzesnia wrzesień"),
        *("سبتمبر", "شتنبر", "أيلول", "سپتامبر"),
    ),
    (
        *_words("october oct octobre oktober okt octubre ottobre outubro ekim"),
        *_words("października pazdziernika październik"),
        *("أكتوبر", "تشرين الأول", "تشرين اول", "اکتبر"),
    ),
    (
        *_words("november nov novembre noviembre novembro kasım kasim listopada listopad"),
        *("نوفمبر", "نونبر", "تشرين الثاني", "تشرين ثاني", "نوامبر"),
    ),
    (
        *_words("december dec dez décembre decembre dezember diciembre dicembre"),
        *_words("dezembro aralık aralik desember grudnia grudzień"),
        *("ديسمبر", "دجنبر", "كانون الأول", "كانون اول", "دسامبر"),
    ),
)

# Iranian names, then Dari (Afghanistan, zodiac names), then Pashto.
JALALI_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("فروردین", "فروردن", "حمل", "وری"),
    ("اردیبهشت", "اردبهشت", "ثور", "غویی"),
    ("خرداد", "خورداد", "جوزا", "جوزاء", "غبرگولی"),
    ("تیر", "سرطان", "چنگاښ"),
    ("مرداد", "امرداد", "اسد", "زمری"),
    ("شهریور", "سنبله", "وږی"),
    ("مهر", "میزان", "تله"),
    ("آبان", "عقرب", "لړم"),
    ("آذر", "قوس", "لیندۍ"),
    ("دی", "جدی", "مرغومی"),
    ("بهمن", "دلو", "سلواغه"),
    ("اسفند", "اسپند", "حوت", "کب"),
)

HIJRI_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("محرم", "محرم الحرام"),
    ("صفر",),
    ("ربيع الأول", "ربيع أول", "ربيع الاول"),
    ("ربيع الآخر", "ربيع الثاني", "ربيع ثاني", "ربيع آخر", "ربيع الثانی"),
    ("جمادى الأولى", "جمادى الأول", "جمادى أولى", "جمادى الاولی", "جمادی الاول"),
    (
        "جمادى الآخرة",
        "جمادى الآخر",
        "جمادى الثانية",
        "جمادى الثاني",
        "جمادى ثاني",
        "جمادی الثانی",
    ),
    ("رجب",),
    ("شعبان",),
    ("رمضان",),
    ("شوال",),
    ("ذو القعدة", "ذي القعدة", "ذی القعده", "ذی قعده"),
    ("ذو الحجة", "ذي الحجة", "ذی الحجه", "ذی حجه"),
)
# Honorifics printed after a Hijri month name ("رمضان المبارك", "صفر الخير").
HIJRI_EPITHETS = ("الحرام", "المظفر", "الخير", "الأنور", "المرجب", "المعظم", "المبارك", "المكرم")

# Names a Persian date line may put between the month and the year ("اسفندماه").
_MONTH_SUFFIXES = (*HIJRI_EPITHETS, "ماه")

# Zones named in words after a printed time ("بتوقيت مكة المكرمة", "به وقت تهران").
ZONE_NAMES: dict[str, str] = {
    "طهران": "Asia/Tehran",
    "تهران": "Asia/Tehran",
    "ایران": "Asia/Tehran",
    "tehran": "Asia/Tehran",
    "iran": "Asia/Tehran",
    "کابل": "Asia/Kabul",
    "افغانستان": "Asia/Kabul",
    "kabul": "Asia/Kabul",
    "مكة المكرمة": "Asia/Riyadh",
    "مكة": "Asia/Riyadh",
    "الرياض": "Asia/Riyadh",
    "السعودية": "Asia/Riyadh",
    "mecca": "Asia/Riyadh",
    "riyadh": "Asia/Riyadh",
    "القدس": "Asia/Jerusalem",
    "فلسطين": "Asia/Hebron",
    "غزة": "Asia/Gaza",
    "بيروت": "Asia/Beirut",
    "لبنان": "Asia/Beirut",
    "دمشق": "Asia/Damascus",
    "سوريا": "Asia/Damascus",
    "بغداد": "Asia/Baghdad",
    "العراق": "Asia/Baghdad",
    "baghdad": "Asia/Baghdad",
    "القاهرة": "Africa/Cairo",
    "مصر": "Africa/Cairo",
    "cairo": "Africa/Cairo",
    "الدوحة": "Asia/Qatar",
    "قطر": "Asia/Qatar",
    "أبوظبي": "Asia/Dubai",
    "أبو ظبي": "Asia/Dubai",
    "الإمارات": "Asia/Dubai",
    "دبي": "Asia/Dubai",
    "الكويت": "Asia/Kuwait",
    "المنامة": "Asia/Bahrain",
    "البحرين": "Asia/Bahrain",
    "مسقط": "Asia/Muscat",
    "صنعاء": "Asia/Aden",
    "اليمن": "Asia/Aden",
    "الخرطوم": "Africa/Khartoum",
    "تونس": "Africa/Tunis",
    "الجزائر": "Africa/Algiers",
    "المغرب": "Africa/Casablanca",
    "الرباط": "Africa/Casablanca",
    "أنقرة": "Europe/Istanbul",
    "إسطنبول": "Europe/Istanbul",
    "تركيا": "Europe/Istanbul",
    "غرينتش": "UTC",
    "جرينتش": "UTC",
    "گرینویچ": "UTC",
    "greenwich": "UTC",
}
_ZONE_PREFIXES = ("بتوقيت", "توقيت", "به وقت", "بوقت")

# Zone abbreviations accepted right after a time only; ambiguous ones (CST, IST,
# AST, BST) are left out on purpose. Hours east of UTC.
ZONE_ABBREVIATIONS: dict[str, float] = {
    "gmt": 0,
    "utc": 0,
    "wet": 0,
    "west": 1,
    "cet": 1,
    "cest": 2,
    "eet": 2,
    "eest": 3,
    "msk": 3,
    "irst": 3.5,
    "irdt": 4.5,
    "est": -5,
    "edt": -4,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "jst": 9,
    "kst": 9,
    "hkt": 8,
    "sgt": 8,
    "aest": 10,
    "aedt": 11,
}

# Page languages whose 14xx years are Jalali or Hijri.
_JALALI_LANGUAGES = frozenset({"fa", "prs", "ps"})
_HIJRI_LANGUAGES = frozenset({"ar"})


# --------------------------------------------------------------------- conversions


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


# --------------------------------------------------------------------------- regexes


def _n(word: str) -> str:
    return normalize_for_matching(word)


def _key(name: str) -> str:
    """Lookup key of a (normalized) name: spaces removed, as ZWNJ joins are."""
    return "".join(name.split())


def _alternation(names: Iterable[str]) -> str:
    """Regex alternation of normalized names, longest first, spaces optional."""
    forms = {_n(name) for name in names}
    parts = [r"\s?".join(re.escape(w) for w in f.split()) for f in forms if f.strip()]
    return "|".join(sorted(parts, key=len, reverse=True))


_MONTH_TABLES = (
    (GREGORIAN, GREGORIAN_MONTH_NAMES),
    (JALALI, JALALI_MONTH_NAMES),
    (HIJRI, HIJRI_MONTH_NAMES),
)
# normalized name without spaces -> (calendar, month number)
_MONTHS: dict[str, tuple[str, int]] = {
    _key(_n(name)): (calendar, month)
    for calendar, table in _MONTH_TABLES
    for month, names in enumerate(table, start=1)
    for name in names
}
_MONTH_ALT = _alternation(name for _, table in _MONTH_TABLES for names in table for name in names)
_SUFFIX_ALT = _alternation(_MONTH_SUFFIXES)
# \b-like boundaries that also work for Arabic letters (all are \w in Python).
_MON = rf"(?<!\w)(?P<mon>{_MONTH_ALT})(?:\s?(?:{_SUFFIX_ALT}))?(?!\w)\.?"
_D = r"(?P<d>\d{1,2})"
_Y = r"(?P<y>\d{4})"
_SEP = r"[\s,.\-/]{0,3}"
_NAMED = (
    re.compile(rf"(?<!\d){_D}(?:st|nd|rd|th|er|e)?\.?{_SEP}{_MON}{_SEP}{_Y}(?!\d)"),
    re.compile(rf"{_MON}{_SEP}{_D}(?:st|nd|rd|th)?(?!\d),?{_SEP}{_Y}(?!\d)"),
    re.compile(rf"(?<!\d){_Y}{_SEP}{_MON}{_SEP}{_D}(?!\d)"),
)
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,4})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{1,4})(?!\d)")

# 12-hour markers. Night words turn 7–11 into 19–23 but leave 1–5 alone
# ("۱ شب" is 1 a.m.); a marker on an hour above 12 is not a marker at all.
_AM = r"a\.?\s?m\.?(?!\w)|ق\.?\s?ظ(?!\w)|صباحا|صباح|صبح|بامداد|قبل\s?از\s?ظهر|فجرا|ص(?!\w)"
_PM = (
    r"p\.?\s?m\.?(?!\w)|ب\.?\s?ظ(?!\w)|مساءا?|مسا(?!\w)|بعد\s?از\s?ظهر|بعد\s?الظهر"
    r"|عصرا?|ظهرا|الظهر|م(?!\w)"
)
_NIGHT = r"شب|ليلا"
_ABBR_ALT = "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True))
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})\s?[:h]\s?(?P<mi>\d{2})(?:\s?:\s?(?P<s>\d{2})(?:[.,]\d{1,6})?)?"
    r"(?![\d:])"
    rf"(?:\s{{0,3}}(?:(?P<am>{_AM})|(?P<pm>{_PM})|(?P<night>{_NIGHT})))?"
    rf"(?:\s{{0,2}}(?:(?P<abbr>{_ABBR_ALT})(?!\w)(?!\s?[+-]\d)|(?P<off>\+\d{{2}}:?\d{{2}})(?![\d:])))?"
)
_GMT_WORDS = _alternation(("gmt", "utc", "غرينتش", "جرينتش", "گرینویچ"))
_OFFSET = re.compile(
    rf"(?<!\w)(?:{_GMT_WORDS})\s?(?:(?P<sign>[+-])\s?(?P<oh>\d{{1,2}})(?::?(?P<om>\d{{2}}))?)?"
    r"(?![\w:])"
)
_ZONE_WORDS = re.compile(
    rf"(?<!\w)(?:{_alternation(_ZONE_PREFIXES)})\s?(?P<city>{_alternation(ZONE_NAMES)})(?!\w)"
    rf"|(?<!\w)(?P<city_en>{_alternation(k for k in ZONE_NAMES if k.isascii())})\s+time(?!\w)"
)
_ZONES = {_key(_n(k)): v for k, v in ZONE_NAMES.items()}

# Calendar markers, matched on normalized text (tatweel dropped: "هـ" is "ه").
_JALALI_MARK = re.compile(r"ه\.\s?ش(?!\w)|شمسي|(?<=\d)\s?ش(?!\w)")
_HIJRI_MARK = re.compile(r"(?<=\d)\s?ه(?!\w)(?!\.\s?ش)|ه\.\s?ق(?!\w)|هجري|قمري|(?<=\d)\s?ق(?!\w)")
# Script cues, matched on the raw text: the letters normalization folds away.
_PERSIAN_CUE = re.compile(r"[\u06f0-\u06f9پچژگیک]|شنبه|ق\.?\s?ظ|ب\.?\s?ظ")
_ARABIC_CUE = re.compile(
    r"[\u0660-\u0669ةى]|(?<!\w)ال(?:أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة|سبت)(?!\w)"
    r"|الموافق|(?<=\d)\s?[صم](?!\w)"
)
_ISO_RE = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?\s*$",
    re.IGNORECASE,
)
_RFC2822 = re.compile(
    r"^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|GMT|UTC|[+-]\d{4})?\s*$",
    re.IGNORECASE,
)


# ------------------------------------------------------------------------ calendars


def _language(context: str | None) -> str:
    return (context or "").replace("_", "-").split("-")[0].lower()


def _calendar_for_year(
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
    lang = _language(context)
    if lang in _JALALI_LANGUAGES:
        votes.add(JALALI)
    elif lang in _HIJRI_LANGUAGES:
        votes.add(HIJRI)
    if _PERSIAN_CUE.search(raw):
        votes.add(JALALI)
    if _ARABIC_CUE.search(raw):
        votes.add(HIJRI)
    if len(votes) == 1:
        return votes.pop()
    why = "conflicting cues" if votes else "no month name, marker or page language"
    raise AmbiguousDate(f"year {y} may be Jalali or Hijri ({why})")


def _explicit_calendar(norm: str) -> str | None:
    """The calendar a ``هـ``/``ه.ق`` or ``ه.ش``/``شمسی`` marker names, if exactly one."""
    jalali = bool(_JALALI_MARK.search(norm))
    hijri = bool(_HIJRI_MARK.search(norm))
    if jalali != hijri:
        return JALALI if jalali else HIJRI
    return None


# --------------------------------------------------------------------------- parsing


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
    m = _ISO_RE.match(text[:64])
    if not m:
        return _parse_rfc2822(text)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    lang = _language(context)
    if 1900 <= y <= 2100:
        cal = GREGORIAN
    elif 1300 <= y <= 1500 and lang in _JALALI_LANGUAGES:
        cal = JALALI
    elif 1300 <= y <= 1500 and lang in _HIJRI_LANGUAGES:
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
    m = _RFC2822.match(text[:64])
    if not m:
        return None
    mon = _MONTHS.get(m.group(2).lower())
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
    for m in _TIME.finditer(text):
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
    m = _OFFSET.search(text)
    if m:
        if not m.group("sign"):
            return UTC
        sign = -1 if m.group("sign") == "-" else 1
        return _fixed_offset(sign, int(m.group("oh")), int(m.group("om") or 0))
    z = _ZONE_WORDS.search(text)
    if z:
        return zone(_ZONES.get(_key(z.group("city") or z.group("city_en") or "")))
    return None


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    calendar: str
    y: int
    m: int
    d: int


def _named_dates(norm: str) -> list[_Match]:
    """Every ``day month-name year`` date in ``norm`` whose year fits the month's calendar."""
    out: list[_Match] = []
    for rx in _NAMED:
        for m in rx.finditer(norm):
            cal, mon = _MONTHS[_key(m.group("mon"))]
            y = int(m.group("y"))
            in_range = 1900 <= y <= 2100 if cal == GREGORIAN else 1300 <= y <= 1500
            if in_range:  # "March 1402" or "مهر 2024" are not dates
                out.append(_Match(m.start(), m.end(), cal, y, mon, int(m.group("d"))))
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
    marked = _explicit_calendar(norm)
    for m in _NUMERIC.finditer(norm):
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
        cal = _calendar_for_year(y, marked=marked, context=context, raw=raw)
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
    norm = normalize_for_matching(raw).replace("\u2212", "-")
    named = _named_dates(norm)
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


# ----------------------------------------------------------------------- relative

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
    _REL_UNITS.update({_n(w): (_unit, 1) for w in _one.split()})
    _REL_UNITS.update({_n(w): (_unit, 0) for w in _many.split()})
_REL_UNITS.update({_n(w): (unit, 2) for w, unit in _REL_DUALS.items()})
_NUM_WORDS = {_n(w): v for words, v in _NUM_WORD_VALUES.items() for w in words.split()}
_REL_AGO = re.compile(
    rf"(?:(?<!\w)(?P<pre>منذ|قبل)\s+)?(?:(?P<num>\d{{1,3}}|{_alternation(_NUM_WORDS)})\s+)?"
    rf"(?<!\w)(?P<unit>{_alternation(_REL_UNITS)})(?!\w)\s*(?P<ago>ago|پيش|قبل)?"
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
        unit, count = _REL_UNITS[_key(m.group("unit"))]
        num = m.group("num")
        if num:
            count = int(num) if num.isdigit() else _NUM_WORDS.get(_key(num), 0)
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


# ----------------------------------------------------------------------- timezone


def zone(name: str | None) -> tzinfo | None:
    """IANA zone by name, None when unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def site_timezone(host: str, mapping: Mapping[str, str] | None) -> str | None:
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
    """The crawler's ``fetched_at``; None when missing, UTC when it has no offset."""
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
    if parsed.tz_source is not None:
        source = parsed.tz_source
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
