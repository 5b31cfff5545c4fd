"""Properties of dates.py: calendar round trips, digit systems, and no crash on any input.

The Jalali checks walk every day of 1300–1450 SH (about 55,000 days) instead of
sampling: calendar bugs hide in single days (leap years, month ends), and the
whole walk takes a few seconds. The rest uses hypothesis.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.extraction import date_words, dates
from newsflow.extraction.dates import AmbiguousDate, parse_printed

ASCII = "0123456789"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
DIGIT_SYSTEMS = (ASCII, ARABIC_INDIC, PERSIAN)
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _persian_digits(text: str) -> str:
    return text.translate(str.maketrans(ASCII, PERSIAN))


# How Arabic (Egypt/Gulf, Levant, Maghreb) and Persian pages spell the Gregorian months.
ARABIC_MONTHS = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر"
LEVANT_MONTHS = (
    "كانون_الثاني شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين_الأول تشرين_الثاني كانون_الأول"
)
MAGHREB_MONTHS = "جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر"
PERSIAN_MONTHS = "ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر"
GREGORIAN_SPELLINGS = tuple(
    tuple(name.replace("_", " ") for name in family.split())
    for family in (ARABIC_MONTHS, LEVANT_MONTHS, MAGHREB_MONTHS, PERSIAN_MONTHS)
)


def _jalali_days(first_year: int, last_year: int) -> Iterator[tuple[int, int, int]]:
    """Every (year, month, day) of the Jalali years, in order."""
    for y in range(first_year, last_year + 1):
        esfand = 30 if jdatetime.date(y, 1, 1).isleap() else 29
        for m in range(1, 13):
            last = 31 if m <= 6 else 30 if m <= 11 else esfand
            for d in range(1, last + 1):
                yield y, m, d


# ------------------------------------------------------------------------- Jalali


def test_jalali_gregorian_round_trip_every_day_1300_1450() -> None:
    """Each Jalali day maps to the Gregorian day after the previous one's, and back."""
    previous: date | None = None
    count = 0
    for y, m, d in _jalali_days(1300, 1450):
        g = dates.jalali_to_gregorian(y, m, d)
        assert g is not None, (y, m, d)
        assert dates.gregorian_to_jalali(g) == (y, m, d)
        assert previous is None or g - previous == timedelta(days=1), (y, m, d)
        previous, count = g, count + 1
    assert count == (date(2072, 3, 20) - date(1921, 3, 21)).days  # 1 Farvardin 1300 → 1451


def test_jalali_printed_with_persian_names_and_digits_every_day_1300_1450() -> None:
    """``۲۹ اسفند ۱۴۰۲`` style text parses back to the same Gregorian day, for every day."""
    names = [row[0] for row in date_words.JALALI_MONTH_NAMES]
    for y, m, d in _jalali_days(1300, 1450):
        text = _persian_digits(f"{d} {names[m - 1]} {y}")
        parsed = parse_printed(text)
        assert parsed is not None, text
        assert parsed.calendar == dates.JALALI
        assert parsed.value.date() == dates.jalali_to_gregorian(y, m, d), text


@pytest.mark.parametrize("y", [1402, 1403, 1404])
def test_nonexistent_jalali_days_are_none(y: int) -> None:
    esfand = 30 if jdatetime.date(y, 1, 1).isleap() else 29
    assert dates.jalali_to_gregorian(y, 12, esfand + 1) is None
    assert parse_printed(f"{esfand + 1} اسفند {y}") is None
    assert dates.jalali_to_gregorian(y, 7, 31) is None


@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2070, 12, 31)),
    month_spelling=st.integers(min_value=0, max_value=10),
    digits=st.sampled_from(DIGIT_SYSTEMS),
)
def test_jalali_any_spelling_and_digits(day: date, month_spelling: int, digits: str) -> None:
    y, m, d = dates.gregorian_to_jalali(day)
    names = date_words.JALALI_MONTH_NAMES[m - 1]
    text = f"{d} {names[month_spelling % len(names)]} {y}".translate(str.maketrans(ASCII, digits))
    parsed = parse_printed(text)
    assert parsed is not None and parsed.value.date() == day, text


# -------------------------------------------------------------------------- Hijri


@given(
    day=st.dates(min_value=date(1924, 8, 1), max_value=date(2077, 11, 16)),
    spelling=st.integers(min_value=0, max_value=10),
    digits=st.sampled_from(DIGIT_SYSTEMS),
    marker=st.sampled_from(["", " هـ", "هـ", " ه.ق"]),
)
def test_hijri_round_trip_through_arabic_month_names(
    day: date, spelling: int, digits: str, marker: str
) -> None:
    """Umm al-Qura dates printed with any listed month spelling parse back to the same day."""
    hijri = dates.gregorian_to_hijri(day)
    assert hijri is not None
    y, m, d = hijri
    assert dates.hijri_to_gregorian(y, m, d) == day
    names = date_words.HIJRI_MONTH_NAMES[m - 1]
    text = f"{d} {names[spelling % len(names)]} {y}{marker}"
    parsed = parse_printed(text.translate(str.maketrans(ASCII, digits)))
    assert parsed is not None, text
    assert parsed.calendar == dates.HIJRI and parsed.value.date() == day, text


# ------------------------------------------------------------------ digit systems


@pytest.mark.parametrize("family", GREGORIAN_SPELLINGS)
def test_every_gregorian_spelling_family(family: tuple[str, ...]) -> None:
    for month, name in enumerate(family, start=1):
        parsed = parse_printed(f"۱۹ {name} ۲۰۲۴")
        assert parsed is not None and parsed.value.date() == date(2024, month, 19), name


_FORMATS = (
    "{d:02d}/{m:02d}/{y} {H:02d}:{M:02d}",
    "{d}.{m}.{y}",
    "{y}-{m:02d}-{d:02d} {H:02d}:{M:02d}:{S:02d}",
    "{d} {ar} {y}، {H}:{M:02d}",
    "{d} {fa} {y} - {H:02d}:{M:02d}",
    "{en} {d}, {y} {H:02d}:{M:02d}",
    "{jd} {jm} {jy} ساعت {H:02d}:{M:02d}",
    "{hd} {hm} {hy} هـ",
)


@given(
    moment=st.datetimes(
        min_value=datetime(1930, 1, 1),  # noqa: DTZ001  (printed dates are naive)
        max_value=datetime(2070, 12, 31),  # noqa: DTZ001
    ),
    fmt=st.sampled_from(_FORMATS),
    family=st.integers(min_value=0, max_value=3),
    choice=st.lists(st.sampled_from(DIGIT_SYSTEMS), min_size=64, max_size=64),
)
def test_every_digit_system_gives_the_same_date(
    moment: datetime, fmt: str, family: int, choice: list[str]
) -> None:
    """Each digit drawn independently from ASCII, Arabic-Indic or Persian: same result."""
    jy, jm, jd = dates.gregorian_to_jalali(moment.date())
    hijri = dates.gregorian_to_hijri(moment.date()) or (1445, 1, 1)
    ascii_text = fmt.format(
        d=moment.day,
        m=moment.month,
        y=moment.year,
        H=moment.hour,
        M=moment.minute,
        S=moment.second,
        ar=GREGORIAN_SPELLINGS[family][moment.month - 1],
        fa=GREGORIAN_SPELLINGS[3][moment.month - 1],
        en=date_words.GREGORIAN_MONTH_NAMES[moment.month - 1][0],
        jd=jd,
        jm=date_words.JALALI_MONTH_NAMES[jm - 1][0],
        jy=jy,
        hd=hijri[2],
        hm=date_words.HIJRI_MONTH_NAMES[hijri[1] - 1][0],
        hy=hijri[0],
    )
    mixed = "".join(
        choice[i % len(choice)][int(ch)] if ch.isascii() and ch.isdigit() else ch
        for i, ch in enumerate(ascii_text)
    )
    expected = parse_printed(ascii_text)
    assert expected is not None, ascii_text
    assert parse_printed(mixed) == expected, mixed


# --------------------------------------------------------------------------- fuzz

_PIECES = st.sampled_from(
    [
        *ASCII,
        *ARABIC_INDIC,
        *PERSIAN,
        *"/.-:, +",
        "\u200c",
        "\u0640",
        "ص",
        "م",
        "هـ",
        "ه.ش",
        "ق.ظ",
        "GMT+",
        "بتوقيت ",
        "منذ ",
        " ago",
        " پیش",
        "أمس",
        "ساعتين",
        " hours",
        "اسفند",
        "رمضان",
        "كانون الثاني",
        "March",
        "T",
        "Z",
    ]
)
_FUZZ_TEXT = st.one_of(
    st.text(max_size=120),
    st.lists(_PIECES, max_size=40).map("".join),
)


@settings(max_examples=400)
@given(text=_FUZZ_TEXT, day_first=st.sampled_from([True, False, None]))
def test_random_text_never_raises(text: str, day_first: bool | None) -> None:
    """Untrusted text: nothing raises except the documented ``AmbiguousDate``."""
    parsed, note = dates.parse_text(text, now=NOW, day_first=day_first, site_tz="Asia/Tehran")
    assert parsed is None or isinstance(parsed.value, datetime)
    assert note is None or isinstance(note, str)
    dates.parse_iso(text)
    dates.parse_iso(text, context="fa")
    dates.parse_relative(text, NOW)
    with contextlib.suppress(AmbiguousDate):  # the one documented exception
        parse_printed(text, day_first=day_first, context="ar")
    if parsed is not None:
        dates.finalize(parsed, site_tz="Asia/Tehran", fetched_at=NOW)
