"""Line and order pricing: hand-computed amounts in USD, JPY and KWD, and the §4 identities."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfserve.orders.pricing import (
    LineInput,
    LinePrice,
    annual_value,
    line_tax,
    order_totals,
    periods,
    price_line,
    price_order,
    price_periods,
    tax_rate_for,
)


def test_usd_monthly_line_with_discount_and_tax() -> None:
    line = LineInput(49_990_000, 3, "Month", 12, discount=1000, tax_rate=825)
    assert price_line(line, "USD") == LinePrice(
        list_amount=179964,  # 49.99 × 3 × 12 = 1799.64
        sales_price=44_991_000,  # 49.99 × 0.90 = 44.991
        discount_amount=17996,  # 1799.64 − 1619.68
        system_discount_amount=0,
        total_price=161968,  # 1799.64 × 0.90 = 1619.676 → 1619.68
        tax_amount=13362,  # 1619.68 × 8.25 % = 133.6236 → 133.62
    )


def test_line_and_order_discounts_compose_multiplicatively() -> None:
    line = LineInput(100_000_000, 1, "Month", 12, discount=1000, order_discount=500)
    price = price_line(line, "USD")
    assert price.list_amount == 120000  # 100 × 12 = 1200.00
    assert price.total_price == 102600  # 1200 × 0.90 × 0.95 = 1026.00
    assert price.discount_amount == 17400  # 14.5 % of 1200, not 15 %
    assert price.order_discount_amount == 5400  # 1080.00 × 5 % = 54.00
    assert price.sales_price == 85_500_000  # 100 × 0.90 × 0.95 = 85.50


def test_system_discount_comes_after_line_and_order_discounts() -> None:
    line = LineInput(100_000_000, 1, "Month", 12, 1000, system_discount=2000, order_discount=500)
    price = price_line(line, "USD")
    assert price.total_price == 82080  # 1026.00 × 0.80 = 820.80
    assert price.system_discount_amount == 20520  # 1026.00 − 820.80
    assert price.order_discount_amount == 5400  # 1080.00 − 1026.00
    assert price.discount_amount == 37920  # 1200.00 − 820.80 = 120.00 + 54.00 + 205.20


def test_jpy_has_no_decimals() -> None:
    line = LineInput(1_234_000_000, 7, "Month", 6, discount=1500, tax_rate=1000)
    price = price_line(line, "JPY")
    assert price.list_amount == 51828  # 1234 × 7 × 6
    assert price.total_price == 44054  # 51828 × 0.85 = 44053.8 → 44054
    assert price.discount_amount == 7774  # 51828 − 44054
    assert price.tax_amount == 4405  # 44054 × 10 % = 4405.4 → 4405


@pytest.mark.parametrize(
    ("yen", "total"),
    [
        (1001, 500),  # 1001 × 50 % = 500.5 → 500 (ties go to the even neighbour)
        (1003, 502),  # 1003 × 50 % = 501.5 → 502
    ],
)
def test_jpy_ties_round_half_even(yen: int, total: int) -> None:
    line = LineInput(yen * 1_000_000, 1, "OneTime", None, discount=5000)
    assert price_line(line, "JPY").total_price == total


def test_kwd_has_three_decimals() -> None:
    line = LineInput(12_345_000, 2, "Year", 24, discount=750, tax_rate=500)
    price = price_line(line, "KWD")
    assert price.list_amount == 49380  # 12.345 × 2 × (24 / 12) = 49.380
    assert price.total_price == 45676  # 49.380 × 0.925 = 45.6765 → 45.676 (half-even)
    assert price.discount_amount == 3704  # 49.380 − 45.676
    assert price.tax_amount == 2284  # 45.676 × 5 % = 2.2838 → 2.284


def test_periods_per_price_period() -> None:
    assert periods("Month", 12) == 12
    assert periods("Year", 18) == Fraction(3, 2)
    assert periods("Quarter", 12) == 4
    assert periods("OneTime", None) == 1


def test_a_fractional_number_of_periods_is_rounded_once() -> None:
    line = LineInput(10_000_000, 1, "Month", None)
    # 10.00 × 1/3 = 3.3333… → 3.33, once (not 3.33 per third and then summed)
    assert price_periods(line, Fraction(1, 3), "USD").total_price == 333


def test_acv_annualises_recurring_lines_and_tcv_is_the_subtotal() -> None:
    monthly = LineInput(10_000_000, 1, "Month", 24)  # 10 × 24 = 240.00
    yearly = LineInput(1_200_000_000, 1, "Year", 36)  # 1200 × 3 = 3600.00
    setup = LineInput(500_000_000, 1, "OneTime", None)  # 500.00
    priced, totals = price_order([monthly, yearly, setup], "USD")
    assert [p.total_price for _, p in priced] == [24000, 360000, 50000]
    assert totals.order_acv == 132000  # 240 × 12/24 + 3600 × 12/36 + 0 = 120 + 1200
    assert totals.order_tcv == totals.subtotal == 434000  # 240 + 3600 + 500


def test_acv_of_an_uneven_term_is_rounded_once_per_line() -> None:
    assert annual_value(100000, "Month", 18) == 66667  # 1000.00 × 12 / 18 = 666.666… → 666.67
    assert annual_value(100000, "OneTime", None) == 0


def test_order_discount_applies_to_every_line() -> None:
    lines = [LineInput(10_000_000, 2, "Month", 12), LineInput(50_000_000, 1, "OneTime", None)]
    priced, totals = price_order(lines, "USD", order_discount=1000)
    assert [p.total_price for _, p in priced] == [21600, 4500]  # 240 × 0.9; 50 × 0.9
    assert totals.list_total == 29000  # 240.00 + 50.00
    assert totals.subtotal == 26100
    assert totals.discount_amount == totals.order_discount_amount == 2900


def test_tax_rate_from_the_tenant_table() -> None:
    rates = {"US": 825, "DE": 1900}
    assert tax_rate_for("us", rates, calculate_tax=True) == 825
    assert tax_rate_for("DE", rates, calculate_tax=False) == 0
    assert tax_rate_for("KW", rates, calculate_tax=True) == 0
    assert tax_rate_for(None, rates, calculate_tax=True) == 0


def test_line_tax_rounds_half_even() -> None:
    assert line_tax(10, 500) == 0  # 0.5 → 0
    assert line_tax(30, 500) == 2  # 1.5 → 2
    assert line_tax(-30, 500) == -2  # credits round the same way


@pytest.mark.parametrize("field", ["discount", "system_discount", "order_discount"])
def test_a_discount_outside_0_to_100_percent_is_rejected(field: str) -> None:
    line = LineInput(1_000_000, 1, "Month", 1, **{field: 10_001})
    with pytest.raises(ValueError, match="between 0 and 10000"):
        price_line(line, "USD")


def test_the_positional_constructor_of_existing_callers_still_works() -> None:
    line = LineInput(1_000_000, 2, "Month", 3, 0, 0, 825)
    assert line.order_discount == 0
    assert price_line(line, "USD").total_price == 600  # 1.00 × 2 × 3


currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD", "BHD", "CLP"])
percents = st.integers(min_value=0, max_value=10_000)
lines = st.builds(
    LineInput,
    list_price=st.integers(min_value=0, max_value=10**12),
    quantity=st.integers(min_value=-1000, max_value=1000),
    price_period=st.sampled_from(["Month", "Quarter", "Year", "OneTime"]),
    term_months=st.integers(min_value=1, max_value=60),
    discount=percents,
    system_discount=percents,
    tax_rate=st.integers(min_value=0, max_value=3000),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, min_size=1, max_size=6), currencies, percents)
def test_line_and_order_identities_hold(
    inputs: list[LineInput], currency: str, order_discount: int
) -> None:
    priced, totals = price_order(inputs, currency, order_discount)
    for line, price in priced:
        assert price.total_price == price.list_amount - price.discount_amount
        assert abs(price.total_price) <= abs(price.list_amount)
        assert price.total_price * line.quantity >= 0 or price.total_price == 0
    assert totals.list_total == sum(p.list_amount for _, p in priced)
    assert totals.subtotal == sum(p.total_price for _, p in priced)
    assert totals.discount_amount == totals.list_total - totals.subtotal
    assert totals.tax_amount == sum(p.tax_amount for _, p in priced)
    assert totals.total_amount == totals.subtotal + totals.tax_amount
    assert totals.order_tcv == totals.subtotal
    assert order_totals(priced) == totals
