"""Month, weekday and relative-time words of every calendar and language as data, and
the linear regular expressions built from them (no nested quantifiers: they run on
untrusted text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

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


# Month names and numeric orders of ~70 languages from CLDR, built offline by
# scripts/build_date_words.py (babel) into a shipped file: nothing is read from babel at
# run time, and an upgrade of babel changes no date until the file is rebuilt.
_CLDR = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "date_words.json").read_text("utf-8")
)


# CLDR locale or language (``en-gb``, ``es``) -> ``dmy``/``mdy``/``ymd``: how the
# short numeric date of that locale is ordered.
DATE_ORDERS: dict[str, str] = dict(_CLDR["orders"])


# normalized name without spaces -> (calendar, month number): the hand-curated
# tables (three calendars), then every CLDR name that means one month in every
# language that has it.
MONTHS: dict[str, tuple[str, int]] = {
    key(n(name)): (calendar, month)
    for calendar, table in _MONTH_TABLES
    for month, names in enumerate(table, start=1)
    for name in names
}


# language -> normalized name -> month: CLDR names per language. A name that means
# different months in different languages ("listopada": November in Polish, October in
# Croatian) is only read through the page language; without one it is no month.
LANG_MONTHS: dict[str, dict[str, int]] = {}


_CLDR_FORMS: set[str] = set()  # normalized CLDR names as printed (spaces kept), for the regex


def _add_cldr_months() -> set[str]:
    meanings: dict[str, set[int]] = {}
    for lang, table in _CLDR["months"].items():
        names = LANG_MONTHS.setdefault(lang.split("-")[0], {})
        for month, forms in enumerate(table, start=1):
            for form in forms:
                k = key(n(form))
                if len(k) < 3 or (k in MONTHS and MONTHS[k][0] != GREGORIAN):
                    continue  # a Jalali or Hijri month name keeps its meaning
                names.setdefault(k, month)
                _CLDR_FORMS.add(n(form))
                meanings.setdefault(k, set()).add(month)
    ambiguous = set()
    for k, months in meanings.items():
        if k in MONTHS:
            months.add(MONTHS[k][1])  # the hand-curated meaning counts too
        if len(months) > 1:
            ambiguous.add(k)
            MONTHS.pop(k, None)
        else:
            MONTHS.setdefault(k, (GREGORIAN, months.pop()))
    return ambiguous


AMBIGUOUS_MONTHS = frozenset(_add_cldr_months())


def month_of(name: str, lang: str | None) -> tuple[str, int] | None:
    """(calendar, month) of a matched month name; the page language decides a name
    that means different months in different languages (None when it cannot)."""
    k = key(name)
    if lang:
        m = LANG_MONTHS.get(lang, {}).get(k)
        if m is not None and (k not in MONTHS or MONTHS[k][0] == GREGORIAN):
            return GREGORIAN, m
    return MONTHS.get(k)


# Names of the Thai table: a year 2443-2643 beside one is of the Buddhist era (2563 = 2020).
THAI_MONTHS = frozenset(LANG_MONTHS.get("th", {}))


# The hand-curated names are found by the ``NAMED`` expressions below (optional spaces,
# Persian suffixes, Hijri epithets); the CLDR names by ``MONTH_TOKEN`` and a dictionary
# look-up, which costs nothing at import (an alternation of two thousand names costs
# 15 ms to compile, three times).
HAND_MONTH_KEYS = frozenset(
    key(n(name)) for _, table in _MONTH_TABLES for names in table for name in names
)


CLDR_MONTH_KEYS = frozenset(
    k for names in LANG_MONTHS.values() for k in names if k not in HAND_MONTH_KEYS
)


# A word that may be a month name: letters, marks and inner dots (Thai ``ส.ค``), up to a
# space, digit or date separator.
MONTH_TOKEN = re.compile(r"[^\W\d_](?:[^\s\d,;:/\-()|.]|\.(?=[^\W\d_]))*")


# Context of a month word found by ``MONTH_TOKEN``: the day before it (D MON Y), the
# year after it; the day and year after it (MON D Y); the year before it (Y MON D), the
# day after it. Spanish, Portuguese and Catalan put "de"/"del" between the parts.
_CONNECT = r"[\s,.\-/]{0,3}(?:(?:de|del|d'|d’)\s{0,2})?"
DAY_BEFORE = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?{_CONNECT}\Z")
YEAR_BEFORE = re.compile(rf"(?<!\d)(\d{{4}})\.?{_CONNECT}\Z")
YEAR_AFTER = re.compile(rf"\.?{_CONNECT}(\d{{4}})(?!\d)")
DAY_YEAR_AFTER = re.compile(
    rf"\.?[\s,.\-/]{{0,3}}(\d{{1,2}})(?:st|nd|rd|th)?(?!\d),?{_CONNECT}(\d{{4}})(?!\d)"
)
DAY_AFTER = re.compile(r"\.?[\s,.\-/]{0,3}(\d{1,2})(?!\d)")


# Chinese, Japanese and Korean: 2020年7月12日, 2020년 7월 12일.
CJK_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s?[年년]\s?(?P<m>\d{1,2})\s?[月월]\s?(?P<d>\d{1,2})(?!\d)\s?[日일号號]?"
)


_MONTH_ALT = alternation(name for _, table in _MONTH_TABLES for names in table for name in names)


_SUFFIX_ALT = alternation(_MONTH_SUFFIXES)


# \b-like boundaries that also work for Arabic letters (all are \w in Python).
_MON = rf"(?<!\w)(?P<mon>{_MONTH_ALT})(?:\s?(?:{_SUFFIX_ALT}))?(?!\w)\.?"


_D = r"(?P<d>\d{1,2})"


_Y = r"(?P<y>\d{4})"


_SEP = r"[\s,.\-/]{0,3}(?:(?:de|del)\s{1,2})?"


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


# Words that label a date line as the publication date, beyond those of
# ``selectors.DATE_LABEL_RE`` (English, German, French, Spanish, Italian, Dutch,
# Turkish, Arabic, Persian): the languages whose month names CLDR adds. Words of
# scripts without spaces (Chinese, Japanese) match without a word boundary.
PUBLISHED_LABELS = (
    *_words("publicat publicată data fecha publicado pubblicato publicerad publicerat"),
    *_words("publiceret udgivet publisert julkaistu dato päivämäärä közzétéve publikálva"),
    *_words("dátum opublikowano publikováno publikované objavljeno опубликовано опубліковано"),
    *_words("дата објављено δημοσιεύθηκε δημοσίευση ημερομηνία פורסם תאריך प्रकाशित दिनांक"),
    *_words("तारीख প্রকাশিত প্রকাশ তারিখ diterbitkan dipublikasikan tanggal yayımlandı"),
    *_words("yayınlandı 입력 기사입력 등록 작성일 เผยแพร่"),
    *("ngày đăng", "đăng lúc", "publicado em", "publicado el", "data publikacji"),
)


CJK_PUBLISHED_LABELS = (
    "发布时间",
    "發佈時間",
    "發布時間",
    "发布日期",
    "发表于",
    "發表於",
    "发布于",
    "發布於",
    "日期",
    "时间",
    "時間",
    "投稿日",
    "公開日",
    "配信日",
    "掲載日",
)


# Words that label an update, not publication, in those languages.
UPDATED_LABELS = [
    "actualizat",
    "atualizado",
    "atualizada",
    "aggiornato",
    "aggiornata",
    "uppdaterad",
    "uppdaterat",
    "opdateret",
    "oppdatert",
    "päivitetty",
    "frissítve",
    "zaktualizowano",
    "aktualizacja",
    "aktualizováno",
    "ažurirano",
    "обновлено",
    "оновлено",
    "ενημερώθηκε",
    "ενημέρωση",
    "עודכן",
    "अपडेट",
    "আপডেট",
    "diperbarui",
    "diperbaharui",
    "bijgewerkt",
    "güncellendi",
    "güncelleme",
    "uppfært",
    "uppdaterat",
    "수정",
    "แก้ไข",
]


CJK_UPDATED_LABELS = ("更新", "最終更新", "更新日", "修改时间", "更新时间", "更新時間")
