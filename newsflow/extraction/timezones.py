"""The zone a published date is read in: the page's own offset, else the site's default
(``NEWSFLOW_SITE_TIMEZONES``), else UTC assumed; and the refusal of dates after
``fetched_at`` + 1 day (`finalize`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# How far past fetched_at a published date may lie (clock skew, timezone slips).
FUTURE_TOLERANCE = timedelta(days=1)


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
    """Zone the date and check it against ``fetched_at``; returns the decision and value.

    Without ``fetched_at`` the current clock bounds it instead: no page was published
    after the moment it is parsed (a "2031" in a page fetched at an unknown time is
    still no publication date)."""
    value, source = localize(parsed.value, site_tz)
    if parsed.tz_source is not None:
        source = parsed.tz_source
    limit = fetched_at if fetched_at is not None else now_utc()
    if value > limit + FUTURE_TOLERANCE:
        what = "fetched_at" if fetched_at is not None else "the current time"
        return (
            DateDecision(
                None,
                None,
                parsed.calendar,
                f"date {format_iso(value)} is after {what} {format_iso(limit)} + 1 day",
            ),
            None,
        )
    return DateDecision(format_iso(value), source, parsed.calendar, None), value


def now_utc() -> datetime:
    """Wall clock in UTC (only used when a page has no fetched_at)."""
    return datetime.now(UTC)
