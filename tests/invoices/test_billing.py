"""The billing calendar and schedule: hand-computed dates and amounts, and invoice identities."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfserve.invoices.billing import (
    BillableLine,
    InvoiceDraft,
    InvoiceLineDraft,
    Period,
    add_months,
    allocate,
    bill_cycle_day,
    billable,
    billing_period_months,
    first_invoice,
    invoices_due,
    line_charges,
    period_containing,
    schedule,
    subscription_period,
    term_end,
    term_periods,
)
from selfserve.orders.pricing import LineInput, price_line


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_add_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(d("2025-01-31"), 1) == d("2025-02-28")
    assert add_months(d("2024-01-31"), 1) == d("2024-02-29")  # leap year
    assert add_months(d("2025-01-31"), 2) == d("2025-03-31")  # counted from the start: no drift
    assert add_months(d("2025-03-31"), -1) == d("2025-02-28")
    assert add_months(d("2025-11-30"), 3) == d("2026-02-28")


def test_term_end_is_start_plus_term_minus_one_day() -> None:
    assert term_end(d("2025-01-01"), 12) == d("2025-12-31")
    assert term_end(d("2025-01-31"), 1) == d("2025-02-27")  # next term starts Feb 28
    assert term_end(d("2024-02-29"), 12) == d("2025-02-27")  # Feb 28 2025 − 1 day
    with pytest.raises(ValueError, match="at least one month"):
        term_end(d("2025-01-01"), 0)


def test_billing_period_months_and_bill_cycle_day() -> None:
    assert [billing_period_months(p) for p in ("Month", "Quarter", "Semi-Annual", "Annual")] == [
        1,
        3,
        6,
        12,
    ]
    with pytest.raises(ValueError, match="billing period"):
        billing_period_months("Week")
    assert bill_cycle_day(d("2025-01-31")) == 31
    assert bill_cycle_day(d("2025-02-28")) == 28


def test_bcd_31_through_february_2025() -> None:
    assert term_periods(d("2025-01-31"), 4, 1) == [
        Period(d("2025-01-31"), d("2025-02-27"), 1),  # 28 days
        Period(d("2025-02-28"), d("2025-03-30"), 1),  # 31 days
        Period(d("2025-03-31"), d("2025-04-29"), 1),  # 30 days
        Period(d("2025-04-30"), d("2025-05-30"), 1),  # 31 days
    ]
    assert period_containing(d("2025-02-27"), 31).start == d("2025-01-31")
    assert period_containing(d("2025-02-28"), 31) == Period(d("2025-02-28"), d("2025-03-30"), 1)
    assert period_containing(d("2025-03-31"), 31).end == d("2025-04-29")


def test_bcd_31_through_february_2024() -> None:
    periods = term_periods(d("2024-01-31"), 4, 1)
    assert periods == [
        Period(d("2024-01-31"), d("2024-02-28"), 1),
        Period(d("2024-02-29"), d("2024-03-30"), 1),
        Period(d("2024-03-31"), d("2024-04-29"), 1),
        Period(d("2024-04-30"), d("2024-05-30"), 1),
    ]
    assert [p.days for p in periods] == [29, 31, 30, 31]
    assert period_containing(d("2024-02-29"), 31) == periods[1]


def test_bcd_29_and_30_fall_back_in_february() -> None:
    assert period_containing(d("2025-02-27"), 29) == Period(d("2025-01-29"), d("2025-02-27"), 1)
    assert period_containing(d("2025-03-01"), 29) == Period(d("2025-02-28"), d("2025-03-28"), 1)
    assert period_containing(d("2024-02-28"), 29) == Period(d("2024-01-29"), d("2024-02-28"), 1)
    assert period_containing(d("2024-03-01"), 29) == Period(d("2024-02-29"), d("2024-03-28"), 1)
    assert period_containing(d("2025-02-28"), 30) == Period(d("2025-02-28"), d("2025-03-29"), 1)


def test_quarterly_periods_follow_the_anchor() -> None:
    period = period_containing(d("2025-05-15"), 31, 3, anchor=d("2025-01-31"))
    assert period == Period(d("2025-04-30"), d("2025-07-30"), 3)
    assert subscription_period(d("2025-01-31"), 12, "Quarter", d("2025-05-15")) == period
    with pytest.raises(ValueError, match="outside the term"):
        subscription_period(d("2025-01-31"), 12, "Quarter", d("2026-01-31"))


def test_allocation_puts_the_leftover_on_later_periods() -> None:
    assert allocate(1000, [1, 1, 1]) == [333, 333, 334]
    assert allocate(-1000, [1, 1, 1]) == [-333, -333, -334]
    assert allocate(1000, [3, 3, 1]) == [428, 429, 143]  # 428.57, 428.57, 142.86 exactly
    assert allocate(0, [1, 2]) == [0, 0]


def test_usd_yearly_price_billed_monthly_from_the_31st() -> None:
    line = LineInput(100_000_000, 1, "Year", 12, tax_rate=825)  # 100.00 a year
    price = price_line(line, "USD")
    assert price.total_price == 10000
    invoices = schedule([billable("L1", line, price, d("2025-01-31"), "Month")], "USD")
    # ⌊10000 × k / 12⌋ − ⌊10000 × (k − 1) / 12⌋: every third month takes the leftover cent
    assert [i.amount_without_tax for i in invoices] == [833, 833, 834] * 4
    assert [i.tax_amount for i in invoices] == [69] * 12  # 833 × 8.25 % = 68.72; 834: 68.81
    assert sum(i.tax_amount for i in invoices) == 828  # the order line's tax is 825.00 × … = 825
    assert price.tax_amount == 825
    assert [i.invoice_date for i in invoices[:4]] == [
        d("2025-01-31"),
        d("2025-02-28"),
        d("2025-03-31"),
        d("2025-04-30"),
    ]
    assert (invoices[0].end, invoices[1].end) == (d("2025-02-27"), d("2025-03-30"))
    assert invoices[-1].end == d("2026-01-30")
    assert invoices[0].due_date == d("2025-03-02")  # Jan 31 + 30 days
    assert invoices[1].due_date == d("2025-03-30")  # Feb 28 + 30 days


def test_jpy_quarterly_term_with_a_short_last_period_across_a_leap_day() -> None:
    line = LineInput(999_000_000, 1, "Month", 7, discount=1000, tax_rate=1000)
    price = price_line(line, "JPY")
    assert price.total_price == 6294  # 999 × 7 × 0.90 = 6293.7 → 6294
    charges = line_charges(billable("L1", line, price, d("2023-11-30"), "Quarter"))
    assert [(c.start, c.end) for c in charges] == [
        (d("2023-11-30"), d("2024-02-28")),  # the next period starts Feb 29, 2024
        (d("2024-02-29"), d("2024-05-29")),
        (d("2024-05-30"), d("2024-06-29")),  # one month of the 7-month term
    ]
    # weights 3, 3, 1: ⌊6294 × 3/7⌋ = 2697, ⌊6294 × 6/7⌋ = 5394, 6294
    assert [c.amount for c in charges] == [2697, 2697, 900]
    assert [c.tax_amount for c in charges] == [270, 270, 90]  # 269.7 → 270; 90.0


def test_kwd_first_invoice_carries_the_one_time_lines() -> None:
    start = d("2025-03-01")
    seats = LineInput(1_250_000, 3, "Month", 12, tax_rate=500)  # KWD 1.250 a seat a month
    setup = LineInput(10_125_000, 1, "OneTime", None, tax_rate=500)  # KWD 10.125 once
    lines = [
        billable("seats", seats, price_line(seats, "KWD"), start, "Month"),
        billable("setup", setup, price_line(setup, "KWD"), start, None),
    ]
    first = first_invoice(lines, "KWD")
    assert first == InvoiceDraft(
        invoice_date=start,
        due_date=d("2025-03-31"),  # net 30
        start=start,
        end=d("2025-03-31"),
        currency="KWD",
        lines=(
            InvoiceLineDraft("seats", start, d("2025-03-31"), 3, 3750, 188),  # 187.5 → 188
            InvoiceLineDraft("setup", start, None, 1, 10125, 506),  # 506.25 → 506
        ),
    )
    assert (first.amount_without_tax, first.tax_amount, first.amount) == (13875, 694, 14569)
    later = schedule(lines, "KWD", payment_terms_days=45)
    assert later[0].due_date == d("2025-04-15")
    assert [line.ref for line in later[1].lines] == ["seats"]
    assert later[1].amount == 3938  # 3.750 + 0.188


def test_lines_starting_on_different_days_get_their_own_invoices() -> None:
    a = BillableLine("a", "Month", d("2025-01-01"), 2, "Month", 1, 2000, 0)
    b = BillableLine("b", "Month", d("2025-01-15"), 1, "Month", 1, 500, 0)
    setup = BillableLine("s", "OneTime", d("2025-01-20"), None, None, 1, 700, 0)
    invoices = schedule([a, b, setup], "USD")
    assert [(i.invoice_date, [x.ref for x in i.lines]) for i in invoices] == [
        (d("2025-01-01"), ["a", "s"]),  # one-time lines go on the first invoice
        (d("2025-01-15"), ["b"]),
        (d("2025-02-01"), ["a"]),
    ]
    assert invoices_due(invoices, d("2025-01-31")) == invoices[:2]
    assert invoices_due(invoices, d("2025-02-01")) == invoices


def test_a_credit_line_is_billed_as_negative_amounts() -> None:
    credit = BillableLine("c", "Month", d("2025-01-01"), 3, "Month", -2, -1000, 825)
    assert [(c.amount, c.tax_amount) for c in line_charges(credit)] == [
        (-333, -27),  # −333 × 8.25 % = −27.47
        (-333, -27),
        (-334, -28),  # −27.555
    ]


def test_invalid_schedules_are_rejected() -> None:
    evergreen = BillableLine("x", "Month", d("2025-01-01"), None, "Month", 1, 100, 0)
    with pytest.raises(ValueError, match="needs a term"):
        line_charges(evergreen)
    with pytest.raises(ValueError, match="payment terms"):
        schedule([], "USD", payment_terms_days=-1)
    assert first_invoice([], "USD") is None


line_inputs = st.builds(
    LineInput,
    list_price=st.integers(min_value=0, max_value=10**11),
    quantity=st.integers(min_value=-50, max_value=500),
    price_period=st.sampled_from(["Month", "Quarter", "Year", "OneTime"]),
    term_months=st.integers(min_value=1, max_value=40),
    discount=st.integers(min_value=0, max_value=10_000),
    tax_rate=st.integers(min_value=0, max_value=3000),
)
billing_periods = st.sampled_from(["Month", "Quarter", "Semi-Annual", "Annual"])
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def billables(draw: st.DrawFn, currency: str) -> tuple[BillableLine, int]:
    line = draw(line_inputs)
    price = price_line(line, currency)
    ref = str(draw(st.uuids()))
    return billable(ref, line, price, draw(starts), draw(billing_periods)), price.tax_amount


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["USD", "JPY", "KWD"]), st.integers(0, 90), st.data())
def test_invoices_reconcile_with_their_lines_and_the_order(
    currency: str, terms: int, data: st.DataObject
) -> None:
    drawn = data.draw(st.lists(billables(currency), min_size=1, max_size=5))
    lines = [line for line, _ in drawn]
    invoices = schedule(lines, currency, terms)
    for invoice in invoices:
        assert invoice.amount == invoice.amount_without_tax + invoice.tax_amount
        assert invoice.amount_without_tax == sum(x.amount for x in invoice.lines)
        assert invoice.due_date == invoice.invoice_date + timedelta(days=terms)
    billed = [x for invoice in invoices for x in invoice.lines]
    for line, order_tax in drawn:
        mine = [x for x in billed if x.ref == line.ref]
        assert sum(x.amount for x in mine) == line.total_price
        assert abs(sum(x.tax_amount for x in mine) - order_tax) <= Fraction(len(mine) + 1, 2)
        if line.recurring:
            _check_periods(line, mine)
        else:
            assert mine[0] in invoices[0].lines


def _check_periods(line: BillableLine, charges: list[InvoiceLineDraft]) -> None:
    assert line.term_months is not None and line.billing_period is not None
    months = billing_period_months(line.billing_period)
    assert len(charges) == -(-line.term_months // months)
    assert charges[0].start == line.start
    assert charges[-1].end == term_end(line.start, line.term_months)
    for before, after in pairwise(charges):
        assert before.end is not None and before.end + timedelta(days=1) == after.start
    exact = Fraction(line.total_price * months, line.term_months)
    assert all(abs(c.amount - exact) < 1 for c in charges[:-1])


@settings(max_examples=300, deadline=None)
@given(starts, st.integers(1, 31), st.sampled_from([1, 3, 6, 12]))
def test_a_period_contains_its_date_and_starts_on_the_bill_cycle_day(
    on: date, bcd: int, months: int
) -> None:
    period = period_containing(on, bcd, months)
    assert on in period
    following = period_containing(period.end + timedelta(days=1), bcd, months, anchor=on)
    assert following.start == period.end + timedelta(days=1)
    for start in (period.start, following.start):
        last_day = add_months(start.replace(day=1), 1) - timedelta(days=1)
        assert start.day == min(bcd, last_day.day)
    if months == 1:
        assert 28 <= period.days <= 31
