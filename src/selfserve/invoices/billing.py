"""The billing calendar and schedule: pure functions over ``datetime.date`` and integers.

Subscriptions are billed in advance, one invoice per billing period. The calendar is anchored
on the subscription's start date: its day of month is the bill cycle day (BCD), and period
``k`` starts on the BCD ``k × billing months`` after the start month, falling back to the last
day of a shorter month (a 31st bills on Feb 28, or Feb 29 in a leap year, then on Mar 31
again). A period runs from its start to the day before the next period starts; the last one
ends on the term's last day.

A line's ``total_price`` is spread over its term's periods in proportion to the months each
period covers, so the invoiced amounts add up exactly to the line total; tax is computed once
per invoice line. ``docs/billing-rules.md`` states every rule with worked examples.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from selfserve.orders.pricing import LineInput, LinePrice, line_tax

BILLING_PERIOD_MONTHS = {"Month": 1, "Quarter": 3, "Semi-Annual": 6, "Annual": 12}
DEFAULT_PAYMENT_TERMS_DAYS = 30
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """A billing period: ``start`` to ``end``, both inclusive, spanning ``months`` months."""

    start: date
    end: date
    months: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class BillableLine:
    """An order line as billing sees it: what it costs in total and over which term."""

    ref: str  # the order line (orderProduct) id
    price_period: str  # Month | Quarter | Year | ... | OneTime
    start: date
    term_months: int | None  # None for one-time lines
    billing_period: str | None  # Month | Quarter | Semi-Annual | Annual; None for one-time
    quantity: int
    total_price: int  # minor units, negative for a credit line
    tax_rate: int  # hundredths of a percent

    @property
    def recurring(self) -> bool:
        return self.price_period != "OneTime"


@dataclass(frozen=True, slots=True)
class InvoiceLineDraft:
    ref: str  # the order line it bills
    start: date  # the service period; a one-time line has only a date
    end: date | None
    quantity: int
    amount: int  # without tax, minor units
    tax_amount: int


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """An invoice to issue; its totals are sums of its lines, so they reconcile by construction."""

    invoice_date: date
    due_date: date
    start: date
    end: date | None
    currency: str
    lines: tuple[InvoiceLineDraft, ...]

    @property
    def amount_without_tax(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def tax_amount(self) -> int:
        return sum(line.tax_amount for line in self.lines)

    @property
    def amount(self) -> int:
        return self.amount_without_tax + self.tax_amount


# --- calendar -------------------------------------------------------------------------------


def cycle_date(anchor: date, months: int, bcd: int | None = None) -> date:
    """The bill cycle day (default: ``anchor``'s day) ``months`` months after ``anchor``'s
    month, falling back to the last day of a shorter month."""
    day = anchor.day if bcd is None else bcd
    if not 1 <= day <= 31:
        raise ValueError("bill cycle day must be between 1 and 31")
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(day, monthrange(year, month)[1]))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    return cycle_date(day, months)


def term_end(start: date, term_months: int) -> date:
    """The last day of a term: ``start + term months − 1 day`` (Jan 31 + 1 month → Feb 27)."""
    if term_months < 1:
        raise ValueError("a term lasts at least one month")
    return add_months(start, term_months) - ONE_DAY


def billing_period_months(billing_period: str) -> int:
    """Month 1, Quarter 3, Semi-Annual 6, Annual 12."""
    if billing_period not in BILLING_PERIOD_MONTHS:
        raise ValueError(f"billing period must be one of {sorted(BILLING_PERIOD_MONTHS)}")
    return BILLING_PERIOD_MONTHS[billing_period]


def bill_cycle_day(start: date) -> int:
    """The bill cycle day is the start date's day of month (a Feb 28 start bills on the 28th)."""
    return start.day


def period_containing(on: date, bcd: int, months: int = 1, anchor: date | None = None) -> Period:
    """The billing period of ``months`` months on bill cycle day ``bcd`` that contains ``on``.

    Periods start in the months ``anchor``'s month + k × ``months`` (k any integer); the
    anchor defaults to ``on`` itself, which is enough for monthly periods.
    """
    base = on if anchor is None else anchor
    index = ((on.year - base.year) * 12 + on.month - base.month) // months
    while cycle_date(base, index * months, bcd) > on:
        index -= 1
    while cycle_date(base, (index + 1) * months, bcd) <= on:
        index += 1
    start = cycle_date(base, index * months, bcd)
    return Period(start, cycle_date(base, (index + 1) * months, bcd) - ONE_DAY, months)


def term_periods(start: date, term_months: int, period_months: int) -> list[Period]:
    """The billing periods of a term; the last one is shorter when the term is not a multiple
    of the billing period (a 7-month term billed quarterly: 3 + 3 + 1 months)."""
    if term_months < 1 or period_months < 1:
        raise ValueError("term and billing period must be at least one month")
    result = []
    for first in range(0, term_months, period_months):
        months = min(period_months, term_months - first)
        end = add_months(start, first + months) - ONE_DAY
        result.append(Period(add_months(start, first), end, months))
    return result


def subscription_period(start: date, term_months: int, billing_period: str, on: date) -> Period:
    """The billing period of a subscription's term that contains ``on``."""
    for period in term_periods(start, term_months, billing_period_months(billing_period)):
        if on in period:
            return period
    raise ValueError(f"{on} is outside the term {start} – {term_end(start, term_months)}")


# --- money over periods ---------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` so the parts add up to ``total`` exactly.

    Part i = ⌊|total| × W(≤ i) / W⌋ − ⌊|total| × W(< i) / W⌋, with the sign of ``total``:
    every part is the rounded-down share and the leftover minor units land on later parts
    (1000 over three equal periods: 333, 333, 334; −1000: −333, −333, −334).
    """
    whole = sum(weights)
    if whole <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    sign, magnitude = (-1 if total < 0 else 1), abs(total)
    parts, done, before = [], 0, 0
    for weight in weights:
        done += weight
        upto = magnitude * done // whole
        parts.append(sign * (upto - before))
        before = upto
    return parts


def billable(
    ref: str, line: LineInput, price: LinePrice, start: date, billing_period: str | None
) -> BillableLine:
    """A priced order line, ready to bill."""
    recurring = line.price_period != "OneTime"
    return BillableLine(
        ref=ref,
        price_period=line.price_period,
        start=start,
        term_months=line.term_months if recurring else None,
        billing_period=billing_period if recurring else None,
        quantity=line.quantity,
        total_price=price.total_price,
        tax_rate=line.tax_rate,
    )


def line_charges(line: BillableLine) -> list[InvoiceLineDraft]:
    """One invoice line per billing period of the term (one only for a one-time line)."""
    if not line.recurring:
        tax = line_tax(line.total_price, line.tax_rate)
        return [InvoiceLineDraft(line.ref, line.start, None, line.quantity, line.total_price, tax)]
    if line.term_months is None or line.billing_period is None:
        raise ValueError(f"recurring line {line.ref} needs a term and a billing period")
    months = billing_period_months(line.billing_period)
    periods = term_periods(line.start, line.term_months, months)
    amounts = allocate(line.total_price, [period.months for period in periods])
    return [
        InvoiceLineDraft(
            line.ref, p.start, p.end, line.quantity, amount, line_tax(amount, line.tax_rate)
        )
        for p, amount in zip(periods, amounts, strict=True)
    ]


# --- invoices -------------------------------------------------------------------------------


def schedule(
    lines: Iterable[BillableLine],
    currency: str,
    payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS,
) -> list[InvoiceDraft]:
    """Every invoice of the lines' terms, oldest first, one per invoice date.

    A recurring line is invoiced on the first day of each of its billing periods; one-time
    lines are billed in full on the first invoice, dated the earliest start of all lines.
    """
    if payment_terms_days < 0:
        raise ValueError("payment terms must not be negative")
    lines = list(lines)
    if not lines:
        return []
    first = min(line.start for line in lines)
    dated: list[tuple[date, InvoiceLineDraft]] = []
    for line in lines:
        for charge in line_charges(line):
            dated.append((charge.start if line.recurring else first, charge))
    dated.sort(key=lambda item: item[0])
    terms = timedelta(days=payment_terms_days)
    return [
        _invoice(day, day + terms, currency, [charge for _, charge in group])
        for day, group in groupby(dated, key=lambda item: item[0])
    ]


def _invoice(day: date, due: date, currency: str, charges: list[InvoiceLineDraft]) -> InvoiceDraft:
    ends = [charge.end for charge in charges if charge.end is not None]
    return InvoiceDraft(day, due, day, max(ends, default=None), currency, tuple(charges))


def first_invoice(
    lines: Iterable[BillableLine],
    currency: str,
    payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS,
) -> InvoiceDraft | None:
    """The invoice activation issues: the first billing period of every line starting on the
    earliest start date, and every one-time line."""
    invoices = schedule(lines, currency, payment_terms_days)
    return invoices[0] if invoices else None


def invoices_due(invoices: Iterable[InvoiceDraft], as_of: date) -> list[InvoiceDraft]:
    """The scheduled invoices whose invoice date has come (on or before ``as_of``)."""
    return [invoice for invoice in invoices if invoice.invoice_date <= as_of]


__all__ = [
    "BILLING_PERIOD_MONTHS",
    "DEFAULT_PAYMENT_TERMS_DAYS",
    "BillableLine",
    "InvoiceDraft",
    "InvoiceLineDraft",
    "Period",
    "add_months",
    "allocate",
    "bill_cycle_day",
    "billable",
    "billing_period_months",
    "cycle_date",
    "first_invoice",
    "invoices_due",
    "line_charges",
    "period_containing",
    "schedule",
    "subscription_period",
    "term_end",
    "term_periods",
]
