"""dates.py: printed, machine and relative dates in three calendars and three digit systems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsflow.core import dates
from newsflow.core.dates import AmbiguousDate, parse_iso, parse_printed, parse_relative

TEHRAN = "Asia/Tehran"


def _naive(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A naive datetime (what parse_printed returns before the timezone decision)."""
    return datetime(y, mo, d, h, mi, tzinfo=UTC).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "expected", "calendar", "has_time"),
    [
        # the seed: DD/MM/YYYY, Eastern Arabic digits, 12-hour "م" (pm)
        ("١٩/٠٣/٢٠٢٤، ٢:٣٧ م", _naive(2024, 3, 19, 14, 37), "gregorian", True),
        ("١٩/٠٣/٢٠٢٤، ٢:٣٧ ص", _naive(2024, 3, 19, 2, 37), "gregorian", True),
        ("١٩/٠٣/٢٠٢٤، ١٢:٠٥ ص", _naive(2024, 3, 19, 0, 5), "gregorian", True),
        # Jalali: month names and numbers, Persian digits, ق.ظ / ب.ظ
        ("۲۹ اسفند ۱۴۰۲ - ۱۴:۳۷", _naive(2024, 3, 19, 14, 37), "jalali", True),
        ("۱۴۰۳/۰۲/۲۶", _naive(2024, 5, 15), "jalali", False),
        ("۱۴۰۲/۱۲/۲۹ - ۱۴:۳۷", _naive(2024, 3, 19, 14, 37), "jalali", True),
        ("۲۹ اسفند ۱۴۰۲ ساعت ۲:۳۷ ب.ظ", _naive(2024, 3, 19, 14, 37), "jalali", True),
        ("سه‌شنبه ۲۹ اسفند ۱۴۰۲ ساعت ۱۰:۰۵ ق.ظ", _naive(2024, 3, 19, 10, 5), "jalali", True),
        ("1 فروردین 1403", _naive(2024, 3, 20), "jalali", False),
        ("۱۴۰۳-۰۱-۰۱", _naive(2024, 3, 20), "jalali", False),
        # Hijri
        ("9 رمضان 1445 هـ", _naive(2024, 3, 19), "hijri", False),
        ("1445/09/09 هـ", _naive(2024, 3, 19), "hijri", False),
        ("الثلاثاء 9 رمضان 1445", _naive(2024, 3, 19), "hijri", False),
        # Arabic Gregorian month names, both families
        ("19 مارس 2024", _naive(2024, 3, 19), "gregorian", False),
        ("الثلاثاء 19 آذار 2024 - 10:05 ص", _naive(2024, 3, 19, 10, 5), "gregorian", True),
        ("19 كانون الثاني 2024", _naive(2024, 1, 19), "gregorian", False),
        ("3 تشرين الأول 2023", _naive(2023, 10, 3), "gregorian", False),
        ("24 أغسطس 2020", _naive(2020, 8, 24), "gregorian", False),
        ("الجمعة 8 فيفري 2019", _naive(2019, 2, 8), "gregorian", False),
        ("۱۹ مارس ۲۰۲۴", _naive(2024, 3, 19), "gregorian", False),
        # English and ASCII
        ("March 19, 2024 2:37 PM", _naive(2024, 3, 19, 14, 37), "gregorian", True),
        ("Mar. 5th, 2021", _naive(2021, 3, 5), "gregorian", False),
        ("19 March 2024 12:00 a.m.", _naive(2024, 3, 19, 0, 0), "gregorian", True),
        ("2024-03-19 11:07", _naive(2024, 3, 19, 11, 7), "gregorian", True),
        ("24.04.2023", _naive(2023, 4, 24), "gregorian", False),
        (
            "Veröffentlicht am 13. Mai 2026 um 15:44",
            _naive(2026, 5, 13, 15, 44),
            "gregorian",
            True,
        ),
        # mixed digit systems in one string
        ("19/٠٣/2024 ۱۴:۳۷", _naive(2024, 3, 19, 14, 37), "gregorian", True),
    ],
)
def test_parse_printed(text: str, expected: datetime, calendar: str, has_time: bool) -> None:
    parsed = parse_printed(text)
    assert parsed is not None, text
    assert parsed.value.replace(tzinfo=None) == expected
    assert parsed.calendar == calendar
    assert parsed.has_time is has_time


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no date here",
        "رمز الخبر 1942574",
        "version 1.2.3",
        "12/13/14",
        "99/99/2024",
        "31 فبراير 2024",
    ],
)
def test_parse_printed_none(text: str) -> None:
    assert parse_printed(text) is None


def test_jalali_year_is_never_gregorian() -> None:
    parsed = parse_printed("1402/12/29")
    assert parsed is not None and parsed.calendar == "jalali"
    assert parse_printed("19 March 1402") is None  # Gregorian month with a Jalali-range year


def test_day_month_order() -> None:
    assert parse_printed("03/04/2024", day_first=True).value.month == 4  # type: ignore[union-attr]
    assert parse_printed("03/04/2024", day_first=False).value.month == 3  # type: ignore[union-attr]
    assert parse_printed("13/04/2024", day_first=None).value.day == 13  # type: ignore[union-attr]
    with pytest.raises(AmbiguousDate):
        parse_printed("03/04/2024", day_first=None)


def test_offset_in_printed_text() -> None:
    parsed = parse_printed("Tuesday 19 March 2024 14:37 GMT+3")
    assert parsed is not None
    assert parsed.value.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-19T14:37:00+03:30", datetime(2024, 3, 19, 11, 7, tzinfo=UTC)),
        ("2024-03-19T11:07:00Z", datetime(2024, 3, 19, 11, 7, tzinfo=UTC)),
        ("2024-03-19T11:07:00.123Z", datetime(2024, 3, 19, 11, 7, tzinfo=UTC)),
        ("2021-11-01T10:52:50+0100", datetime(2021, 11, 1, 9, 52, 50, tzinfo=UTC)),
        ("Tue, 19 Mar 2024 11:07:00 GMT", datetime(2024, 3, 19, 11, 7, tzinfo=UTC)),
        ("Tue, 19 Mar 2024 14:37:00 +0330", datetime(2024, 3, 19, 11, 7, tzinfo=UTC)),
    ],
)
def test_parse_iso_aware(text: str, expected: datetime) -> None:
    parsed = parse_iso(text)
    assert parsed is not None and parsed.value == expected


def test_parse_iso_naive_and_date_only() -> None:
    p = parse_iso("2024-03-19 14:37")
    assert p is not None and p.value.tzinfo is None and p.has_time
    d = parse_iso("2024-03-19")
    assert d is not None and not d.has_time
    assert parse_iso("not a date") is None
    assert parse_iso("2024-13-01") is None


NOW = datetime(2024, 3, 19, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta", "has_time"),
    [
        ("منذ ساعتين", timedelta(hours=2), True),
        ("منذ ساعة", timedelta(hours=1), True),
        ("منذ 5 دقائق", timedelta(minutes=5), True),
        ("منذ ٣ أيام", timedelta(days=3), False),
        ("قبل يومين", timedelta(days=2), False),
        ("2 hours ago", timedelta(hours=2), True),
        ("an hour ago", timedelta(hours=1), True),
        ("Last updated 15 hours ago", timedelta(hours=15), True),
        ("۳ ساعت پیش", timedelta(hours=3), True),
        ("۱۰ دقیقه پیش", timedelta(minutes=10), True),
    ],
)
def test_parse_relative(text: str, delta: timedelta, has_time: bool) -> None:
    result = parse_relative(text, NOW)
    assert result is not None, text
    assert result == (NOW - delta, has_time)


@pytest.mark.parametrize("text", ["دیروز", "أمس", "yesterday"])
def test_yesterday(text: str) -> None:
    result = parse_relative(text, NOW)
    assert result is not None
    assert result[0].date() == (NOW - timedelta(days=1)).date()


def test_relative_none() -> None:
    assert parse_relative("الرئيس الإيراني", NOW) is None
    assert parse_relative("5 hours", NOW) is None  # no "ago": a duration, not a date


def test_localize_and_finalize() -> None:
    naive = dates.ParsedDate(_naive(2024, 3, 19, 14, 37), "gregorian", True)
    decision, value = dates.finalize(naive, site_tz=TEHRAN, fetched_at=NOW)
    assert decision.iso == "2024-03-19T14:37:00+03:30"
    assert decision.tz_source == "site-default"
    assert value is not None
    decision, _ = dates.finalize(naive, site_tz=None, fetched_at=NOW)
    assert decision.iso == "2024-03-19T14:37:00+00:00" and decision.tz_source == "utc-assumed"
    aware = dates.ParsedDate(
        datetime(2024, 3, 19, 14, 37, tzinfo=timezone(timedelta(hours=3))), "gregorian", True
    )
    decision, _ = dates.finalize(aware, site_tz=TEHRAN, fetched_at=NOW)
    assert decision.tz_source == "page" and decision.iso == "2024-03-19T14:37:00+03:00"


def test_future_date_is_refused() -> None:
    future = dates.ParsedDate(_naive(2024, 3, 21, 12, 0), "gregorian", True)
    decision, value = dates.finalize(future, site_tz=None, fetched_at=NOW)
    assert value is None and decision.iso is None
    assert decision.note is not None and "after fetched_at" in decision.note
    near = dates.ParsedDate(_naive(2024, 3, 20, 6, 0), "gregorian", True)
    assert dates.finalize(near, site_tz=None, fetched_at=NOW)[1] is not None


def test_site_timezone_longest_suffix() -> None:
    mapping = {"mehrnews.com": TEHRAN, "ar.mehrnews.com": "Asia/Baghdad"}
    assert dates.site_timezone("ar.mehrnews.com", mapping) == "Asia/Baghdad"
    assert dates.site_timezone("www.mehrnews.com", mapping) == TEHRAN
    assert dates.site_timezone("notmehrnews.com", mapping) is None


def test_parse_fetched_at() -> None:
    assert dates.parse_fetched_at("2024-03-19T12:00:00Z") == NOW
    assert dates.parse_fetched_at(None) is None
    assert dates.parse_fetched_at("garbage") is None
