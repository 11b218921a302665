"""Order pricing: pure functions over exact integers, no database.

A line's amounts follow spec §4:

* ``list_amount = listPrice × quantity × periods`` where ``periods = term / months per price
  period`` (a monthly price over 12 months counts 12, a yearly price 1, a one-time charge 1);
* ``total_price`` is that gross amount after the line discount, the order discount and the
  system discount, rounded once, half-even, to the currency's decimals. The three discounts
  compose multiplicatively: ``total = gross × (1 − line) × (1 − order) × (1 − system)``, so
  10 % on the line and 5 % on the order take 14.5 % off, never more than 100 %, whatever the
  order they are applied in;
* ``discount_amount = list_amount − total_price`` (it includes the order and system discounts),
  so the order identities hold exactly: ``listTotal − subtotal = discountAmount``;
* ``tax_amount = total_price × tax rate``, rounded once per line.

The order's ACV counts recurring lines only, annualised (``total × 12 / term``); TCV is the
subtotal (recurring and one-time). ``docs/billing-rules.md`` states the rules with examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from selfserve.kit.money import PRICE_SCALE, micros_to_minor, round_half_even

MONTHS_PER_PERIOD = {"Month": 1, "Quarter": 3, "Semi-Annual": 6, "Year": 12, "Annual": 12}
HUNDRED_PERCENT = 10_000  # percentages are hundredths of a percent


@dataclass(frozen=True, slots=True)
class LineInput:
    list_price: int  # micro-units per price period
    quantity: int  # negative for a credit line
    price_period: str  # Month | Year | OneTime
    term_months: int | None
    discount: int = 0  # hundredths of a percent
    system_discount: int = 0
    tax_rate: int = 0  # hundredths of a percent
    order_discount: int = 0  # the order's discount, applied to every line


@dataclass(frozen=True, slots=True)
class LinePrice:
    list_amount: int
    sales_price: int  # micro-units per price period after discounts
    discount_amount: int  # line + order + system discounts
    system_discount_amount: int
    total_price: int
    tax_amount: int
    order_discount_amount: int = 0


@dataclass(frozen=True, slots=True)
class OrderTotals:
    list_total: int
    subtotal: int
    discount_amount: int
    system_discount_amount: int
    tax_amount: int
    total_amount: int
    order_acv: int
    order_tcv: int
    order_discount_amount: int = 0


def periods(price_period: str, term_months: int | None) -> Fraction:
    """How many price periods a line's term spans (one-time charges count once)."""
    if price_period == "OneTime" or not term_months:
        return Fraction(1)
    return Fraction(term_months, MONTHS_PER_PERIOD[price_period])


def months_per_period(price_period: str) -> int:
    """Months in a recurring price period (Month 1, Quarter 3, Year 12); ValueError otherwise."""
    if price_period not in MONTHS_PER_PERIOD:
        raise ValueError(f"price period must be one of {sorted(MONTHS_PER_PERIOD)}")
    return MONTHS_PER_PERIOD[price_period]


def _keep(percent: int, name: str) -> Fraction:
    if not 0 <= percent <= HUNDRED_PERCENT:
        raise ValueError(f"{name} must be between 0 and {HUNDRED_PERCENT} hundredths of a percent")
    return Fraction(HUNDRED_PERCENT - percent, HUNDRED_PERCENT)


def line_tax(amount: int, tax_rate: int) -> int:
    """Tax on an amount in minor units: ``amount × rate``, rounded once, half-even."""
    if tax_rate < 0:
        raise ValueError("tax rate must not be negative")
    return round_half_even(Fraction(amount * tax_rate, HUNDRED_PERCENT))


def price_periods(line: LineInput, count: Fraction, currency: str) -> LinePrice:
    """Price ``count`` price periods of ``line`` (a fraction for prorations); one rounding each.

    ``list_amount``, the amount after the line discount, after the order discount and the
    total are each rounded once from the exact gross amount; the discount amounts are their
    differences, so ``total_price = list_amount − discount_amount`` exactly.
    """
    gross = Fraction(line.list_price * line.quantity) * count
    keep_line = _keep(line.discount, "discount")
    keep_order = _keep(line.order_discount, "order discount")
    keep_all = keep_line * keep_order * _keep(line.system_discount, "system discount")
    list_amount = micros_to_minor(gross, currency)
    after_line = micros_to_minor(gross * keep_line, currency)
    after_order = micros_to_minor(gross * keep_line * keep_order, currency)
    total = micros_to_minor(gross * keep_all, currency)
    return LinePrice(
        list_amount=list_amount,
        sales_price=round_half_even(line.list_price * keep_all),
        discount_amount=list_amount - total,
        system_discount_amount=after_order - total,
        total_price=total,
        tax_amount=line_tax(total, line.tax_rate),
        order_discount_amount=after_line - after_order,
    )


def price_line(line: LineInput, currency: str) -> LinePrice:
    """A line over its whole term (spec §4)."""
    return price_periods(line, periods(line.price_period, line.term_months), currency)


def annual_value(total_price: int, price_period: str, term_months: int | None) -> int:
    """A recurring line's yearly value; one-time charges add nothing to ACV."""
    if price_period == "OneTime" or not term_months:
        return 0
    return round_half_even(Fraction(total_price * 12, term_months))


def tax_rate_for(country: str | None, rates: Mapping[str, int], calculate_tax: bool) -> int:
    """The customer's rate from the tenant's table (by country); 0 when tax is not calculated
    (``options.calculateTax`` false) or the table has no row for the country."""
    if not calculate_tax or country is None:
        return 0
    return rates.get(country.upper(), 0)


def order_totals(
    lines: list[tuple[LineInput, LinePrice]],
) -> OrderTotals:
    list_total = sum(p.list_amount for _, p in lines)
    subtotal = sum(p.total_price for _, p in lines)
    tax = sum(p.tax_amount for _, p in lines)
    return OrderTotals(
        list_total=list_total,
        subtotal=subtotal,
        discount_amount=list_total - subtotal,
        system_discount_amount=sum(p.system_discount_amount for _, p in lines),
        tax_amount=tax,
        total_amount=subtotal + tax,
        order_acv=sum(annual_value(p.total_price, i.price_period, i.term_months) for i, p in lines),
        order_tcv=subtotal,
        order_discount_amount=sum(p.order_discount_amount for _, p in lines),
    )


def price_order(
    lines: Sequence[LineInput], currency: str, order_discount: int = 0
) -> tuple[list[tuple[LineInput, LinePrice]], OrderTotals]:
    """Price every line with the order's discount (percent) and total the order."""
    _keep(order_discount, "order discount")
    with_discount = [replace(line, order_discount=order_discount) for line in lines]
    priced = [(line, price_line(line, currency)) for line in with_discount]
    return priced, order_totals(priced)


__all__ = [
    "HUNDRED_PERCENT",
    "MONTHS_PER_PERIOD",
    "PRICE_SCALE",
    "LineInput",
    "LinePrice",
    "OrderTotals",
    "annual_value",
    "line_tax",
    "months_per_period",
    "order_totals",
    "periods",
    "price_line",
    "price_order",
    "price_periods",
    "tax_rate_for",
]
