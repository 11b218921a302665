"""Exact money: integer minor units in storage, ``Decimal`` on the wire, never ``float``.

Amounts are stored in the currency's minor unit (cents; yen; fils). Unit prices are stored in
micro-units of the major unit (six decimals) so sub-cent prices stay exact. Rounding happens
once per computed amount, half-even, to the currency's decimals.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

PRICE_DECIMALS = 6
PRICE_SCALE = 10**PRICE_DECIMALS

# ISO 4217 minor-unit exponents that differ from the default of 2.
_EXPONENT_OVERRIDES = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}

SUPPORTED_CURRENCIES = frozenset(
    {
        "USD",
        "EUR",
        "GBP",
        "CAD",
        "AUD",
        "CHF",
        "SEK",
        "NOK",
        "DKK",
        "INR",
        "BRL",
        "MXN",
        "SGD",
        "HKD",
        "NZD",
        "ZAR",
        "PLN",
        "CZK",
        "CNY",
    }
    | set(_EXPONENT_OVERRIDES)
)


def exponent(currency: str) -> int:
    """Decimals of ``currency``: JPY 0, USD 2, KWD 3."""
    return _EXPONENT_OVERRIDES.get(currency, 2)


def round_half_even(value: Fraction) -> int:
    """Round an exact fraction to the nearest integer, ties to even (banker's rounding)."""
    return round(value)  # Fraction.__round__ rounds half to even


# Reading a page converts a thousand or more stored integers to Decimal, most of them values
# seen before (catalog prices, zero discounts, common totals). Decimals are immutable, so each
# table below is a dict that remembers what it built, and a converter is the table's bound
# ``__getitem__``: a hit is one C-level dict lookup, without a Python frame. (Indexing a dict
# subclass with ``[]`` would go through a slower generic slot.) A table forgets everything
# once it holds _REMEMBERED values, which bounds its memory without the bookkeeping of an LRU.
_REMEMBERED = 4096


class _Table(dict[int, Decimal]):
    def __init__(self, convert: Callable[[int], Decimal]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: int) -> Decimal:
        if len(self) >= _REMEMBERED:
            self.clear()
        found = self[value] = self.convert(value)
        return found


def _minor_table(decimals: int) -> _Table:
    # amount × 10^-decimals: the same digits and exponent as Decimal(amount).scaleb(-decimals)
    unit = Decimal(1).scaleb(-decimals)
    return _Table(lambda amount: Decimal(amount) * unit)


def _price_table(decimals: int) -> _Table:
    step, unit = 10 ** (PRICE_DECIMALS - decimals), Decimal(1).scaleb(-decimals)

    def convert(micros: int) -> Decimal:
        if micros % step == 0:
            return Decimal(micros // step) * unit
        return Decimal(micros).scaleb(-PRICE_DECIMALS).normalize()

    return _Table(convert)


_MINOR = {decimals: _minor_table(decimals).__getitem__ for decimals in (0, 2, 3)}
_PRICE = {decimals: _price_table(decimals).__getitem__ for decimals in (0, 2, 3)}
_MINOR_BY_CURRENCY = {c: _MINOR[exponent(c)] for c in SUPPORTED_CURRENCIES}
_PRICE_BY_CURRENCY = {c: _PRICE[exponent(c)] for c in SUPPORTED_CURRENCIES}

percent_to_decimal: Callable[[int], Decimal] = _MINOR[2]
"""``1050`` hundredths of a percent -> ``Decimal('10.50')``."""


def minor_converter(currency: str) -> Callable[[int], Decimal]:
    """``minor_to_decimal`` for one currency, for converting many amounts of it."""
    return _MINOR_BY_CURRENCY.get(currency) or _MINOR[exponent(currency)]


def price_converter(currency: str) -> Callable[[int], Decimal]:
    """``price_to_decimal`` for one currency, for converting many prices in it."""
    return _PRICE_BY_CURRENCY.get(currency) or _PRICE[exponent(currency)]


def minor_to_decimal(amount: int, currency: str) -> Decimal:
    """``1234`` USD cents -> ``Decimal('12.34')``, keeping the currency's decimals."""
    return minor_converter(currency)(amount)


def price_to_decimal(micros: int, currency: str) -> Decimal:
    """A unit price in micro-units, shown with the currency's decimals or more when needed."""
    return price_converter(currency)(micros)


def micros_to_minor(value: Fraction | int, currency: str) -> int:
    """Exact micro-units -> minor units, rounded once, half-even."""
    return round_half_even(Fraction(value) / 10 ** (PRICE_DECIMALS - exponent(currency)))


def decimal_to_minor(value: Decimal, currency: str) -> int | None:
    """A decimal amount in minor units, or None when it has more decimals than the currency."""
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def thousandths_sql(currency_column: str) -> str:
    """SQL scaling minor units to thousandths of the major unit for each row's currency, so
    one decimal bound compares exactly across JPY (0), USD (2) and KWD (3) amounts."""
    cases = " ".join(
        f"WHEN '{c}' THEN {10 ** (3 - exponent(c))}"
        for c in sorted(SUPPORTED_CURRENCIES)
        if exponent(c) != 2
    )
    return f"(CASE {currency_column} {cases} ELSE 10 END)"
