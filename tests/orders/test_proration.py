"""Proration by day and the money of each change type, with hand-computed amounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfserve.invoices.billing import Period, add_months, period_containing, term_periods
from selfserve.orders.pricing import LineInput, months_per_period, price_periods
from selfserve.orders.proration import (
    cancel,
    co_term,
    convert_free_trial,
    customer_today,
    downgrade,
    month_position,
    prorate,
    remaining_days,
    renew,
    swap,
    update_quantity,
    update_term,
    upgrade,
)

FEB_2024 = Period(date(2024, 2, 1), date(2024, 2, 29), 1)  # 29 days
FEB_2025 = Period(date(2025, 2, 1), date(2025, 2, 28), 1)  # 28 days
SEAT_USD = LineInput(30_000_000, 10, "Month", 12)  # 30.00 a seat a month


def test_remaining_days_count_the_effective_date() -> None:
    assert remaining_days(FEB_2024, date(2024, 2, 15)) == 15  # Feb 15 … Feb 29
    assert remaining_days(FEB_2024, date(2024, 2, 29)) == 1
    assert remaining_days(FEB_2024, date(2024, 2, 1)) == 29
    with pytest.raises(ValueError, match="outside the billing period"):
        remaining_days(FEB_2024, date(2024, 3, 1))


def test_quantity_increase_in_a_leap_february() -> None:
    price = update_quantity(SEAT_USD, 5, FEB_2024, date(2024, 2, 15), "USD")
    assert price.total_price == 7759  # 30.00 × 5 × 15/29 = 77.586… → 77.59


def test_quantity_increase_in_a_common_february() -> None:
    price = update_quantity(SEAT_USD, 5, FEB_2025, date(2025, 2, 15), "USD")
    assert price.total_price == 7500  # 30.00 × 5 × 14/28 = 75.00


def test_quantity_reduction_is_a_credit() -> None:
    price = update_quantity(SEAT_USD, -3, FEB_2024, date(2024, 2, 15), "USD")
    assert price.total_price == -4655  # 30.00 × −3 × 15/29 = −46.551… → −46.55
    assert price.list_amount == -4655
    assert price.discount_amount == 0


def test_jpy_proration_in_a_bcd_31_period_ending_feb_27_2025() -> None:
    period = period_containing(date(2025, 2, 10), 31)
    assert period == Period(date(2025, 1, 31), date(2025, 2, 27), 1)  # 28 days
    line = LineInput(5_000_000_000, 4, "Month", 12)  # ¥5,000 a month
    # ¥5,000 × 2 × 18/28 (Feb 10 … Feb 27) = 6428.57… → ¥6,429
    assert update_quantity(line, 2, period, date(2025, 2, 10), "JPY").total_price == 6429


def test_jpy_proration_in_a_bcd_31_period_ending_feb_28_2024() -> None:
    period = period_containing(date(2024, 2, 10), 31)
    assert period == Period(date(2024, 1, 31), date(2024, 2, 28), 1)  # 29 days
    line = LineInput(5_000_000_000, 4, "Month", 12)
    # ¥5,000 × 2 × 19/29 (Feb 10 … Feb 28) = 6551.72… → ¥6,552
    assert update_quantity(line, 2, period, date(2024, 2, 10), "JPY").total_price == 6552


def test_kwd_upgrade_credits_the_old_price_and_charges_the_new() -> None:
    march = Period(date(2025, 3, 1), date(2025, 3, 31), 1)
    old = LineInput(9_900_000, 2, "Month", 12)  # KWD 9.900
    new = LineInput(14_850_000, 2, "Month", 12)  # KWD 14.850
    result = upgrade(old, new, march, date(2025, 3, 21), "KWD")
    assert result.credit.total_price == -7026  # −9.900 × 2 × 11/31 = −7.02580… → −7.026
    assert result.charge.total_price == 10539  # 14.850 × 2 × 11/31 = 10.53870… → 10.539
    assert result.net == 3513
    assert downgrade is swap


def test_an_annual_price_billed_quarterly_prorates_over_the_quarter() -> None:
    quarter = Period(date(2025, 1, 1), date(2025, 3, 31), 3)  # 90 days
    line = LineInput(1_200_000_000, 1, "Year", 12)
    # 1200.00 × (3/12 of a year in the quarter) × 30/90 (Mar 2 … Mar 31) = 100.00
    assert prorate(line, quarter, date(2025, 3, 2), "USD").total_price == 10000


def test_cancel_credits_the_unused_part_of_the_paid_period() -> None:
    paid = [Period(date(2025, 1, 1), date(2025, 1, 31), 1), FEB_2025]
    credit = cancel(SEAT_USD, paid, date(2025, 2, 10), "USD")
    assert credit.total_price == -20357  # −300.00 × 19/28 (Feb 10 … Feb 28) = −203.571… → −203.57


def test_cancel_with_a_discount_credits_the_discounted_price() -> None:
    line = replace(SEAT_USD, discount=1000)
    credit = cancel(line, [FEB_2025], date(2025, 2, 10), "USD")
    assert credit.list_amount == -20357
    assert credit.total_price == -18321  # −203.5714… × 0.90 = −183.214… → −183.21
    assert credit.discount_amount == -2036  # −203.57 − (−183.21)


def test_cancel_credits_later_prepaid_periods_in_full() -> None:
    paid = [*term_periods(date(2025, 1, 1), 3, 1)]  # Jan, Feb, Mar 2025 invoiced
    credit = cancel(SEAT_USD, paid, date(2025, 2, 10), "USD")
    assert credit.total_price == -50357  # −300.00 × (19/28 + 1) = −503.571… → −503.57
    assert cancel(SEAT_USD, paid, date(2025, 3, 1), "USD").total_price == -30000  # all of March
    assert cancel(SEAT_USD, paid, date(2025, 4, 1), "USD").total_price == 0  # nothing prepaid


def test_a_change_effective_today_uses_the_customers_local_date() -> None:
    now = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    today = customer_today(now, "America/Los_Angeles")
    assert today == date(2025, 2, 28)  # 18:00 on Feb 28 in Los Angeles (UTC−8)
    assert customer_today(now, "Asia/Tokyo") == date(2025, 3, 1)
    period = period_containing(today, 1)
    assert period == FEB_2025
    line = LineInput(28_000_000, 1, "Month", 12)  # 28.00 a month
    # Feb 28 only: 28.00 × 1 × 1/28 = 1.00 (in UTC it would be all of March: 28.00)
    assert update_quantity(line, 1, period, today, "USD").total_price == 100


def test_customer_today_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        customer_today(datetime(2025, 3, 1, 2, 0), "UTC")


def test_update_term_prices_whole_added_months() -> None:
    line = LineInput(25_000_000, 4, "Month", 12)  # 25.00 × 4 seats = 100.00 a month
    longer = update_term(line, date(2025, 1, 31), 12, 6, "USD")
    assert (longer.start, longer.end) == (date(2026, 1, 31), date(2026, 7, 30))
    assert longer.new_end == date(2026, 7, 30)  # Jan 31 2025 + 18 months − 1 day
    assert longer.price.total_price == 60000  # 100.00 × 6
    shorter = update_term(line, date(2025, 1, 31), 12, -3, "USD")
    assert (shorter.start, shorter.end) == (date(2025, 10, 31), date(2026, 1, 30))
    assert shorter.new_end == date(2025, 10, 30)
    assert shorter.price.total_price == -30000  # 100.00 × −3


def test_co_term_extension_is_prorated_by_day() -> None:
    line = LineInput(31_000_000, 1, "Month", 12)  # 31.00 a month
    result = co_term(line, date(2025, 1, 1), 12, date(2026, 1, 15), "USD")
    assert (result.start, result.end) == (date(2026, 1, 1), date(2026, 1, 15))
    assert result.price.total_price == 1500  # 31.00 × 15/31 (Jan 1 … Jan 15 2026) = 15.00


def test_co_term_reduction_is_a_credit() -> None:
    line = LineInput(31_000_000, 1, "Month", 12)
    result = co_term(line, date(2025, 1, 1), 12, date(2025, 11, 15), "USD")
    assert (result.start, result.end) == (date(2025, 11, 16), date(2025, 12, 31))
    assert result.new_end == date(2025, 11, 15)
    assert result.price.total_price == -4650  # −31.00 × (15/30 of November + December) = −46.50


def test_co_term_into_a_leap_february() -> None:
    line = LineInput(29_000_000, 1, "Month", 12)  # 29.00 a month
    result = co_term(line, date(2023, 2, 1), 12, date(2024, 2, 10), "USD")
    assert result.start == date(2024, 2, 1)
    assert result.price.total_price == 1000  # 29.00 × 10/29 (Feb 1 … Feb 10 2024) = 10.00


def test_renew_prices_a_full_new_term() -> None:
    line = LineInput(120_000_000, 1, "Year", 12, discount=500)  # KWD 120.000 a year
    result = renew(line, date(2026, 1, 1), 24, "KWD")
    assert (result.start, result.end) == (date(2026, 1, 1), date(2027, 12, 31))
    assert result.price.list_amount == 240000  # 120.000 × 24/12 = 240.000
    assert result.price.total_price == 228000  # 240.000 × 0.95


def test_convert_free_trial_charges_full_periods_from_the_start() -> None:
    trial = LineInput(980_000_000, 3, "Month", 1)  # ¥980 a seat a month
    result = convert_free_trial(trial, date(2025, 3, 15), 12, "JPY")
    assert (result.start, result.end) == (date(2025, 3, 15), date(2026, 3, 14))
    assert result.price.total_price == 35280  # 980 × 3 × 12


def test_one_time_lines_are_not_prorated() -> None:
    setup = LineInput(100_000_000, 1, "OneTime", None)
    with pytest.raises(ValueError, match="one-time"):
        prorate(setup, FEB_2025, date(2025, 2, 10), "USD")


def test_month_position_on_a_bcd_31_calendar() -> None:
    # Feb 28 2025 starts the second month (BCD 31); Mar 15 is 15 days into its 31 days
    assert month_position(date(2025, 1, 31), date(2025, 3, 15)) == Fraction(46, 31)


recurring = st.builds(
    LineInput,
    list_price=st.integers(min_value=0, max_value=10**11),
    quantity=st.integers(min_value=1, max_value=500),
    price_period=st.sampled_from(["Month", "Quarter", "Year"]),
    term_months=st.just(12),
    discount=st.integers(min_value=0, max_value=10_000),
    tax_rate=st.integers(min_value=0, max_value=3000),
)
currencies = st.sampled_from(["USD", "JPY", "KWD"])
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=200, deadline=None)
@given(recurring, currencies, days, st.integers(1, 31), st.sampled_from([1, 3, 6, 12]), st.data())
def test_proration_is_symmetric_and_bounded(
    line: LineInput, currency: str, on: date, bcd: int, months: int, data: st.DataObject
) -> None:
    period = period_containing(on, bcd, months)
    offset = data.draw(st.integers(0, period.days - 1))
    effective = period.start + timedelta(days=offset)
    full = price_periods(line, Fraction(months, months_per_period(line.price_period)), currency)
    up = update_quantity(line, line.quantity, period, effective, currency)
    down = update_quantity(line, -line.quantity, period, effective, currency)
    assert up.total_price == -down.total_price
    assert 0 <= up.total_price <= full.total_price
    assert up.total_price == up.list_amount - up.discount_amount
    assert prorate(line, period, period.start, currency) == full
    assert swap(line, line, period, effective, currency).net == 0
    assert cancel(line, [period], period.start, currency).total_price == -full.total_price


@settings(max_examples=200, deadline=None)
@given(days, st.integers(-40, 40))
def test_month_position_of_a_monthly_anniversary_is_whole(start: date, months: int) -> None:
    assert month_position(start, add_months(start, months)) == months
