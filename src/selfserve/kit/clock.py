"""Time: "now" comes from one injectable clock; calendar dates are local to a time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, UTC-aware."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (for tests and reproducible runs)."""
    if at.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime")
    return lambda: at


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(now: datetime, time_zone: str) -> date:
    """The calendar date at ``now`` in ``time_zone`` (an IANA name)."""
    return now.astimezone(zone(time_zone)).date()
