"""dates.py: printed, machine and relative dates in three calendars and three digit systems."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from newsflow.extraction import dates
from newsflow.extraction.dates import AmbiguousDate, parse_iso, parse_printed, parse_relative

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
    assert parse_printed("19 March 1402") is None  # Gregorian month with a Jalali-range year
    assert parse_printed("12 مهر 2024") is None  # Jalali month with a Gregorian-range year


@pytest.mark.parametrize(
    ("text", "context", "calendar", "expected"),
    [
        ("۱۴۰۳/۰۲/۲۶", None, "jalali", (2024, 5, 15)),  # Persian digits
        ("1403/02/26", "fa", "jalali", (2024, 5, 15)),  # page language
        ("1403/02/26", "fa-IR", "jalali", (2024, 5, 15)),
        ("سه‌شنبه 1402/12/29", None, "jalali", (2024, 3, 19)),  # Persian weekday
        ("1402/12/29 ه.ش", None, "jalali", (2024, 3, 19)),  # explicit marker
        ("1402/12/29 ه.ش", "ar", "jalali", (2024, 3, 19)),  # marker beats language
        ("1445/09/09", "ar", "hijri", (2024, 3, 19)),
        ("١٤٤٥/٠٩/٠٩", None, "hijri", (2024, 3, 19)),  # Arabic-Indic digits
        ("1445/09/09 هـ", None, "hijri", (2024, 3, 19)),
        ("1445/09/09 ه.ق", "fa", "hijri", (2024, 3, 19)),
        ("الثلاثاء 1445/09/09", None, "hijri", (2024, 3, 19)),  # Arabic weekday
    ],
)
def test_jalali_or_hijri_year(
    text: str, context: str | None, calendar: str, expected: tuple[int, int, int]
) -> None:
    parsed = parse_printed(text, context=context)
    assert parsed is not None and parsed.calendar == calendar
    assert parsed.value.date() == date(*expected)


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("1403/02/26", None),  # 1403 Jalali or Hijri: nothing says which
        ("1403/02/26", "en"),
        ("۱۴۰۳/۰۲/۲۶", "ar"),  # Persian digits on an Arabic page: conflicting cues
        ("1445/09/09 هـ 1445/09/09 ه.ش", None),  # both markers
    ],
)
def test_undecidable_calendar_raises(text: str, context: str | None) -> None:
    with pytest.raises(AmbiguousDate, match="Jalali or Hijri"):
        parse_printed(text, context=context)


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


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("دیروز", 1),
        ("أمس", 1),
        ("yesterday", 1),
        ("البارحة", 1),
        ("منذ ٣ أيام", 3),
        ("قبل يومين", 2),
        ("۲ روز پیش", 2),
        ("أول أمس", 2),  # "the first of yesterday": the day before yesterday
        ("پریروز", 2),
        ("today", 0),
    ],
)
def test_relative_days_are_naive_local_days(text: str, days: int) -> None:
    result = parse_relative(text, NOW)
    assert result == (_naive(2024, 3, 19 - days), False), text


def test_relative_day_counts_in_the_site_zone() -> None:
    late = datetime(2024, 3, 19, 22, 0, tzinfo=UTC)  # 01:30 on the 20th in Tehran
    assert parse_relative("دیروز", late) == (_naive(2024, 3, 18), False)
    assert parse_relative("دیروز", late, site_tz=TEHRAN) == (
        _naive(2024, 3, 19),
        False,
    )
    assert parse_relative("أمس 10:30 م", late) == (
        _naive(2024, 3, 18, 22, 30),
        True,
    )


@pytest.mark.parametrize("text", ["لحظاتی پیش", "منذ لحظات", "just now", "لحظه‌ای پیش"])
def test_moments_ago_is_now(text: str) -> None:
    assert parse_relative(text, NOW) == (NOW, True)


@pytest.mark.parametrize(
    "text",
    [
        "الرئيس الإيراني",
        "5 hours",  # no "ago": a duration, not a date
        "منذ يوم الاثنين",  # "since Monday"
        "منذ ساعات",  # "hours ago": how many?
        "3 weeks ago",  # coarser than a day
        "منذ شهرين",
        "۲ ماه پیش",
    ],
)
def test_relative_none(text: str) -> None:
    assert parse_relative(text, NOW) is None


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


@pytest.mark.parametrize(
    ("text", "expected", "calendar"),
    [
        # Dari (Afghanistan) and Pashto Jalali month names
        ("۲۹ حوت ۱۴۰۲", (2024, 3, 19), "jalali"),
        ("1 حمل 1403", (2024, 3, 20), "jalali"),
        ("۱ وری ۱۴۰۳", (2024, 3, 20), "jalali"),
        # variants: Arabic ي/ك, "ماه" after the month, ZWNJ-joined names
        ("۲۶ ارديبهشت ۱۴۰۳", (2024, 5, 15), "jalali"),
        ("۲۹ اسفندماه ۱۴۰۲", (2024, 3, 19), "jalali"),
        ("۲۹ اسفند ماه ۱۴۰۲", (2024, 3, 19), "jalali"),
        ("5 امرداد 1403", (2024, 7, 26), "jalali"),
        # Hijri spellings and honorifics
        ("9 رمضان المبارك 1445", (2024, 3, 19), "hijri"),
        ("1 محرم الحرام 1446", (2024, 7, 7), "hijri"),
        ("15 ربيع الأول 1446", (2024, 9, 18), "hijri"),
        ("15 ربیع‌الاول 1446", (2024, 9, 18), "hijri"),
        ("1 جمادى الآخرة 1445", (2023, 12, 14), "hijri"),
        ("10 ذو الحجة 1445", (2024, 6, 16), "hijri"),
        ("10 ذی‌الحجه 1445", (2024, 6, 16), "hijri"),
        ("10 ذي الحجة 1445 هـ", (2024, 6, 16), "hijri"),
        # Arabic Gregorian names: Maghreb, Morocco, Levant; Persian Gregorian names
        ("5 جويلية 2023", (2023, 7, 5), "gregorian"),
        ("5 يوليوز 2023", (2023, 7, 5), "gregorian"),
        ("14 غشت 2023", (2023, 8, 14), "gregorian"),
        ("14 أوت 2023", (2023, 8, 14), "gregorian"),
        ("3 كانون الأول 2023", (2023, 12, 3), "gregorian"),
        ("3 تشرين ثاني 2023", (2023, 11, 3), "gregorian"),
        ("19 ژانویه 2024", (2024, 1, 19), "gregorian"),
        ("۱۹ فوریه ۲۰۲۴", (2024, 2, 19), "gregorian"),
        ("۵ ژوئیه ۲۰۲۴", (2024, 7, 5), "gregorian"),
        # a Gregorian date printed beside a Hijri one wins (moon sighting may differ)
        ("الاثنين 10 رمضان 1445 هـ الموافق 18 مارس 2024 م", (2024, 3, 18), "gregorian"),
        # other European languages
        ("19 maart 2024", (2024, 3, 19), "gregorian"),
        ("19 marca 2024", (2024, 3, 19), "gregorian"),
    ],
)
def test_month_name_vocabulary(text: str, expected: tuple[int, int, int], calendar: str) -> None:
    parsed = parse_printed(text)
    assert parsed is not None, text
    assert (parsed.value.date(), parsed.calendar) == (date(*expected), calendar)


@pytest.mark.parametrize(
    ("text", "hm"),
    [
        ("19/03/2024 10:05 صباحاً", (10, 5)),
        ("19/03/2024 10:05 مساءً", (22, 5)),
        ("19/03/2024 12:30 ظهرا", (12, 30)),
        ("۲۹ اسفند ۱۴۰۲ ساعت ۱۰:۰۵ قبل‌ازظهر", (10, 5)),
        ("۲۹ اسفند ۱۴۰۲ ساعت ۲:۳۷ بعدازظهر", (14, 37)),
        ("۲۹ اسفند ۱۴۰۲ ساعت ۱۱:۰۰ شب", (23, 0)),
        ("۲۹ اسفند ۱۴۰۲ ساعت ۱:۰۰ بامداد", (1, 0)),
        ("March 19, 2024 2:37 p.m.", (14, 37)),
        ("March 19, 2024 2:37:15PM", (14, 37)),
        ("19 mars 2024 à 15h30", (15, 30)),
        ("19.03.2024 15:44 am Dienstag", (15, 44)),  # "am" on 15h is German, not a.m.
    ],
)
def test_clock(text: str, hm: tuple[int, int]) -> None:
    parsed = parse_printed(text)
    assert parsed is not None and parsed.has_time
    assert (parsed.value.hour, parsed.value.minute) == hm


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("19/03/2024 14:37 GMT+3", timedelta(hours=3)),
        ("19/03/2024 14:37 (UTC+03:30)", timedelta(hours=3, minutes=30)),
        ("19/03/2024 14:37 +0330", timedelta(hours=3, minutes=30)),
        ("19/03/2024 14:37 GMT", timedelta(0)),
        ("March 19, 2024 9:00 AM EDT", timedelta(hours=-4)),
        ("19/03/2024 14:37 بتوقيت مكة المكرمة", timedelta(hours=3)),
        ("19/03/2024 14:37 بتوقيت غرينتش", timedelta(0)),
        ("19/03/2024 14:37 غرينتش+2", timedelta(hours=2)),
        ("۲۹ اسفند ۱۴۰۲ ساعت ۱۴:۳۷ به وقت تهران", timedelta(hours=3, minutes=30)),
        ("March 19, 2024 14:37 Tehran time", timedelta(hours=3, minutes=30)),
    ],
)
def test_zone_printed_on_the_page(text: str, offset: timedelta) -> None:
    parsed = parse_printed(text)
    assert parsed is not None and parsed.value.utcoffset() == offset
    decision, _ = dates.finalize(parsed, site_tz=None, fetched_at=NOW)
    assert decision.tz_source == "page"


def test_no_zone_is_invented() -> None:
    parsed = parse_printed("19/03/2024 10:00 - 12:00")  # a time range, not an offset
    assert parsed is not None and parsed.value.tzinfo is None
    parsed = parse_printed("Il est 19/03/2024 14:37 est")
    assert parsed is not None and parsed.value.utcoffset() == timedelta(hours=-5)


def test_parse_text_never_raises_and_explains() -> None:
    parsed, note = dates.parse_text("03/04/2024", now=NOW, day_first=None)
    assert parsed is None and note is not None and "order" in note
    parsed, note = dates.parse_text("1403/02/26", now=NOW)
    assert parsed is None and note is not None and "Jalali or Hijri" in note
    parsed, note = dates.parse_text("منذ أسبوعين", now=NOW)
    assert parsed is None and note is not None and "day" in note
    parsed, note = dates.parse_text("nothing here", now=NOW)
    assert (parsed, note) == (None, None)


def test_parse_text_relative_zone_source() -> None:
    parsed, _ = dates.parse_text("منذ ساعتين", now=NOW, site_tz=TEHRAN)
    assert parsed is not None and parsed.tz_source == "site-default"
    decision, _ = dates.finalize(parsed, site_tz=TEHRAN, fetched_at=NOW)
    assert decision.iso == "2024-03-19T13:30:00+03:30" and decision.tz_source == "site-default"
    parsed, _ = dates.parse_text("2 hours ago", now=NOW)
    assert parsed is not None
    decision, _ = dates.finalize(parsed, site_tz=None, fetched_at=NOW)
    assert decision.iso == "2024-03-19T10:00:00+00:00" and decision.tz_source == "utc-assumed"
    parsed, _ = dates.parse_text("دیروز", now=NOW, site_tz=TEHRAN)
    assert parsed is not None and not parsed.has_time and parsed.value.tzinfo is None
    decision, _ = dates.finalize(parsed, site_tz=TEHRAN, fetched_at=NOW)
    assert decision.iso == "2024-03-18T00:00:00+03:30" and decision.tz_source == "site-default"


def test_parse_iso_calendar_needs_language() -> None:
    assert parse_iso("1403-02-26") is None
    jalali = parse_iso("1403-02-26", context="fa")
    assert jalali is not None and jalali.calendar == "jalali"
    assert jalali.value.date() == date(2024, 5, 15)
    hijri = parse_iso("1445-09-09T10:00:00+03:00", context="ar")
    assert hijri is not None and hijri.calendar == "hijri"
    assert hijri.value == datetime(2024, 3, 19, 7, 0, tzinfo=UTC)
