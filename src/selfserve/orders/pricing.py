"""Order pricing: pure functions over exact integers, no database.

A line's amounts follow spec §4:

* ``list_amount = listPrice × quantity × periods`` where ``periods = term / months per price
  period`` (a monthly price over 12 months counts 12, a yearly price 1, a one-time charge 1);
* ``total_price`` is that gross amount after the line discount and then the system discount,
  rounded once, half-even, to the currency's decimals;
* ``discount_amount = list_amount − total_price`` (it includes the system discount), so the
  order identities hold exactly: ``listTotal − subtotal = discountAmount``;
* ``tax_amount = total_price × tax rate``, rounded once per line.

The order's ACV counts recurring lines only, annualised (``total × 12 / term``); TCV is the
subtotal (recurring and one-time).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from selfserve.kit.money import PRICE_SCALE, micros_to_minor, round_half_even

MONTHS_PER_PERIOD = {"Month": 1, "Quarter": 3, "Semi-Annual": 6, "Year": 12, "Annual": 12}
HUNDRED_PERCENT = 10_000  # percentages are hundredths of a percent


@dataclass(frozen=True, slots=True)
class LineInput:
    list_price: int  # micro-units per price period
    quantity: int
    price_period: str  # Month | Year | OneTime
    term_months: int | None
    discount: int = 0  # hundredths of a percent
    system_discount: int = 0
    tax_rate: int = 0  # hundredths of a percent


@dataclass(frozen=True, slots=True)
class LinePrice:
    list_amount: int
    sales_price: int  # micro-units per price period after discounts
    discount_amount: int
    system_discount_amount: int
    total_price: int
    tax_amount: int


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


def periods(price_period: str, term_months: int | None) -> Fraction:
    """How many price periods a line's term spans (one-time charges count once)."""
    if price_period == "OneTime" or not term_months:
        return Fraction(1)
    return Fraction(term_months, MONTHS_PER_PERIOD[price_period])


def price_line(line: LineInput, currency: str) -> LinePrice:
    gross = Fraction(line.list_price * line.quantity) * periods(line.price_period, line.term_months)
    keep = Fraction(HUNDRED_PERCENT - line.discount, HUNDRED_PERCENT)
    keep_system = Fraction(HUNDRED_PERCENT - line.system_discount, HUNDRED_PERCENT)
    list_amount = micros_to_minor(gross, currency)
    after_line_discount = micros_to_minor(gross * keep, currency)
    total = micros_to_minor(gross * keep * keep_system, currency)
    return LinePrice(
        list_amount=list_amount,
        sales_price=round_half_even(line.list_price * keep * keep_system),
        discount_amount=list_amount - total,
        system_discount_amount=after_line_discount - total,
        total_price=total,
        tax_amount=round_half_even(Fraction(total * line.tax_rate, HUNDRED_PERCENT)),
    )


def annual_value(total_price: int, price_period: str, term_months: int | None) -> int:
    """A recurring line's yearly value; one-time charges add nothing to ACV."""
    if price_period == "OneTime" or not term_months:
        return 0
    return round_half_even(Fraction(total_price * 12, term_months))


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
    )


__all__ = ["PRICE_SCALE", "LineInput", "LinePrice", "OrderTotals", "order_totals", "price_line"]
