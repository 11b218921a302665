"""Shared state of one generation run: the random stream, number counters, catalog and codec."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from selfserve.db import Dialect
from selfserve.orders.pricing import LineInput, LinePrice, price_line

from .calendar import DAY, instant, midnight_utc

T = TypeVar("T")

NUMBER_KINDS = ("O", "SUB", "AST", "ENT", "INV")
HISTORY_DAYS = 3 * 365

# The bits uuid.UUID(..., version=4) forces: version nibble 4, RFC 4122 variant 10.
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


@dataclass(frozen=True, slots=True)
class Codec:
    """How instants, dates and booleans are written for one database engine."""

    instant: Callable[[int], Any]
    day: Callable[[int], Any]
    flag: Callable[[bool], Any]


_NAIVE_EPOCH = datetime(1970, 1, 1)


def sqlite_instant(us: int) -> str:
    """The text ``selfserve.db.to_sqlite_ts`` writes, at half the cost (no strftime)."""
    return (_NAIVE_EPOCH + timedelta(microseconds=us)).isoformat(timespec="microseconds") + "Z"


def codec_for(dialect: Dialect) -> Codec:
    if dialect == "postgresql":
        return Codec(instant=instant, day=date.fromordinal, flag=bool)
    return Codec(
        instant=sqlite_instant,
        day=lambda ordinal: date.fromordinal(ordinal).isoformat(),
        flag=int,
    )


@dataclass(frozen=True, slots=True)
class TenantTerms:
    """The tenant settings the data depends on; the schema's defaults for a new tenant."""

    renewal_notice_days: int = 30
    payment_terms_days: int = 30  # invoice date to due date
    grace_period_days: int = 30  # an Ended subscription turns Expired after it


class Picker(Generic[T]):
    """Weighted choice by bisecting cumulative weights (``random.choices`` is slower)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


class World:
    """Everything a run shares: randomness, "now", counters and the price cache."""

    def __init__(
        self, key: str, as_of: date, codec: Codec, terms: TenantTerms | None = None
    ) -> None:
        self.rng = random.Random(key)  # noqa: S311 - reproducible demo data, not secrets
        self.terms = terms or TenantTerms()
        self._bits = self.rng.getrandbits
        self.codec = codec
        self.as_of = as_of.toordinal()
        self.now_us = midnight_utc(self.as_of)
        self.start_us = self.now_us - HISTORY_DAYS * DAY
        self.numbers = dict.fromkeys(NUMBER_KINDS, 0)
        self.api_keys: tuple[str, ...] = ()
        self.tenant_id = ""
        self._prices: dict[tuple[LineInput, str], LinePrice] = {}

    def uid(self) -> str:
        """Same value as ``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, faster."""
        h = "%032x" % ((self._bits(128) & _UUID_CLEAR) | _UUID_SET)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def next_number(self, kind: str) -> str:
        value = self.numbers[kind] + 1
        self.numbers[kind] = value
        return f"{kind}-{value:08d}"

    def price(self, line: LineInput, currency: str) -> LinePrice:
        """``price_line`` memoised: a catalog has few distinct (price, quantity, term) mixes."""
        key = (line, currency)
        found = self._prices.get(key)
        if found is None:
            found = self._prices[key] = price_line(line, currency)
        return found
