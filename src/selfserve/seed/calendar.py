"""Time arithmetic on plain integers, which is what keeps generation fast.

Inside the generator an instant is an ``int`` of microseconds since the Unix epoch and a
calendar date is a proleptic Gregorian ordinal (``date.toordinal()``); they become
``datetime``/``date`` objects only when a row is built.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MILLISECOND = 1_000
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_from_ordinal = date.fromordinal


def instant(us: int) -> datetime:
    """An aware UTC datetime for microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=us)


def day(ordinal: int) -> date:
    return _from_ordinal(ordinal)


def day_or_none(ordinal: int | None) -> date | None:
    return None if ordinal is None else _from_ordinal(ordinal)


def midnight_utc(ordinal: int) -> int:
    """The instant a UTC day starts."""
    return (ordinal - EPOCH_ORDINAL) * DAY


def local_ordinal(us: int, zone: ZoneInfo) -> int:
    """The calendar date at ``us`` in ``zone``."""
    return datetime.fromtimestamp(us // SECOND, zone).toordinal()


@lru_cache(maxsize=1 << 17)  # a few years of start dates times a few dozen offsets
def add_months(ordinal: int, months: int) -> int:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    d = _from_ordinal(ordinal)
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, monthrange(year, month)[1])).toordinal()


def term_end(start: int, months: int) -> int:
    """The last day of a term of ``months`` starting on ``start``."""
    return add_months(start, months) - 1


def months_until(start: int, target: int) -> int:
    """Whole months from ``start`` to the first monthly anniversary on or after ``target``."""
    a, b = _from_ordinal(start), _from_ordinal(target)
    months = (b.year - a.year) * 12 + b.month - a.month
    while add_months(start, months) < target:
        months += 1
    while months > 0 and add_months(start, months - 1) >= target:
        months -= 1
    return max(months, 0)


def standard_offset(zone: ZoneInfo) -> int:
    """The zone's UTC offset in January, in microseconds (good enough to place a daily job)."""
    offset = datetime(2025, 1, 15, tzinfo=zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) * SECOND
