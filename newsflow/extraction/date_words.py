"""Month, weekday and relative-time words of every calendar and language as data, and
the linear regular expressions built from them (no nested quantifiers: they run on
untrusted text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsflow.core.normalize import normalize_for_matching

GREGORIAN = "gregorian"


JALALI = "jalali"


HIJRI = "hijri"


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
JALALI_LANGUAGES = frozenset({"fa", "prs", "ps"})


HIJRI_LANGUAGES = frozenset({"ar"})


def n(word: str) -> str:
    return normalize_for_matching(word)


def key(name: str) -> str:
    """Lookup key of a (normalized) name: spaces removed, as ZWNJ joins are."""
    return "".join(name.split())


def alternation(names: Iterable[str]) -> str:
    """Regex alternation of normalized names, longest first, spaces optional."""
    forms = {n(name) for name in names}
    parts = [r"\s?".join(re.escape(w) for w in f.split()) for f in forms if f.strip()]
    return "|".join(sorted(parts, key=len, reverse=True))


_MONTH_TABLES = (
    (GREGORIAN, GREGORIAN_MONTH_NAMES),
    (JALALI, JALALI_MONTH_NAMES),
    (HIJRI, HIJRI_MONTH_NAMES),
)


# normalized name without spaces -> (calendar, month number)
MONTHS: dict[str, tuple[str, int]] = {
    key(n(name)): (calendar, month)
    for calendar, table in _MONTH_TABLES
    for month, names in enumerate(table, start=1)
    for name in names
}


_MONTH_ALT = alternation(name for _, table in _MONTH_TABLES for names in table for name in names)


_SUFFIX_ALT = alternation(_MONTH_SUFFIXES)


# \b-like boundaries that also work for Arabic letters (all are \w in Python).
_MON = rf"(?<!\w)(?P<mon>{_MONTH_ALT})(?:\s?(?:{_SUFFIX_ALT}))?(?!\w)\.?"


_D = r"(?P<d>\d{1,2})"


_Y = r"(?P<y>\d{4})"


_SEP = r"[\s,.\-/]{0,3}"


NAMED = (
    re.compile(rf"(?<!\d){_D}(?:st|nd|rd|th|er|e)?\.?{_SEP}{_MON}{_SEP}{_Y}(?!\d)"),
    re.compile(rf"{_MON}{_SEP}{_D}(?:st|nd|rd|th)?(?!\d),?{_SEP}{_Y}(?!\d)"),
    re.compile(rf"(?<!\d){_Y}{_SEP}{_MON}{_SEP}{_D}(?!\d)"),
)


NUMERIC = re.compile(r"(?<![\d.])(\d{1,4})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{1,4})(?!\d)")


# 12-hour markers. Night words turn 7–11 into 19–23 but leave 1–5 alone
# ("۱ شب" is 1 a.m.); a marker on an hour above 12 is not a marker at all.
_AM = r"a\.?\s?m\.?(?!\w)|ق\.?\s?ظ(?!\w)|صباحا|صباح|صبح|بامداد|قبل\s?از\s?ظهر|فجرا|ص(?!\w)"


_PM = (
    r"p\.?\s?m\.?(?!\w)|ب\.?\s?ظ(?!\w)|مساءا?|مسا(?!\w)|بعد\s?از\s?ظهر|بعد\s?الظهر"
    r"|عصرا?|ظهرا|الظهر|م(?!\w)"
)


_NIGHT = r"شب|ليلا"


_ABBR_ALT = "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True))


TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})\s?[:h]\s?(?P<mi>\d{2})(?:\s?:\s?(?P<s>\d{2})(?:[.,]\d{1,6})?)?"
    r"(?![\d:])"
    rf"(?:\s{{0,3}}(?:(?P<am>{_AM})|(?P<pm>{_PM})|(?P<night>{_NIGHT})))?"
    rf"(?:\s{{0,2}}(?:(?P<abbr>{_ABBR_ALT})(?!\w)(?!\s?[+-]\d)|(?P<off>\+\d{{2}}:?\d{{2}})(?![\d:])))?"
)


_GMT_WORDS = alternation(("gmt", "utc", "غرينتش", "جرينتش", "گرینویچ"))


OFFSET = re.compile(
    rf"(?<!\w)(?:{_GMT_WORDS})\s?(?:(?P<sign>[+-])\s?(?P<oh>\d{{1,2}})(?::?(?P<om>\d{{2}}))?)?"
    r"(?![\w:])"
)


ZONE_WORDS = re.compile(
    rf"(?<!\w)(?:{alternation(_ZONE_PREFIXES)})\s?(?P<city>{alternation(ZONE_NAMES)})(?!\w)"
    rf"|(?<!\w)(?P<city_en>{alternation(k for k in ZONE_NAMES if k.isascii())})\s+time(?!\w)"
)


ZONES = {key(n(k)): v for k, v in ZONE_NAMES.items()}


# Calendar markers, matched on normalized text (tatweel dropped: "هـ" is "ه").
JALALI_MARK = re.compile(r"ه\.\s?ش(?!\w)|شمسي|(?<=\d)\s?ش(?!\w)")


HIJRI_MARK = re.compile(r"(?<=\d)\s?ه(?!\w)(?!\.\s?ش)|ه\.\s?ق(?!\w)|هجري|قمري|(?<=\d)\s?ق(?!\w)")


# Script cues, matched on the raw text: the letters normalization folds away.
PERSIAN_CUE = re.compile(r"[\u06f0-\u06f9پچژگیک]|شنبه|ق\.?\s?ظ|ب\.?\s?ظ")


ARABIC_CUE = re.compile(
    r"[\u0660-\u0669ةى]|(?<!\w)ال(?:أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة|سبت)(?!\w)"
    r"|الموافق|(?<=\d)\s?[صم](?!\w)"
)


ISO_RE = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?\s*$",
    re.IGNORECASE,
)


RFC2822 = re.compile(
    r"^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|GMT|UTC|[+-]\d{4})?\s*$",
    re.IGNORECASE,
)
