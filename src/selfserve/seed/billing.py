"""Invoices for activated orders, laid out by the API's own billing calendar.

Billing is in advance: every recurring line is split over its term's billing periods by
``selfserve.invoices.billing`` (``term_periods`` and ``allocate``, so a line's parts add up
to its total exactly), one-time lines are billed in full on the first invoice, and the charges
falling on one date make one invoice, as ``billing.schedule`` groups them. Only invoice dates
before ``as_of`` (and before a cancellation takes effect) are invoiced, at most three per
order, which keeps the dataset proportional to its order count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache

from selfserve.invoices.billing import allocate, billing_period_months, term_periods
from selfserve.orders.pricing import line_tax

from .calendar import DAY, HOUR, MINUTE, SECOND, midnight_utc
from .lifecycle import between
from .model import Customer, Invoice, InvoiceLine, Line, Order
from .world import Picker, World

INVOICES_PER_ORDER = Picker([(1, 40), (2, 30), (3, 30)])
Charge = tuple[Line, int, int, int | None]  # (order line, amount, period start, period end)

# The billing functions work on dates and recompute the whole term; a few thousand distinct
# terms and totals repeat across a million orders, so their results are memoised.
tax_of = lru_cache(maxsize=1 << 16)(line_tax)


@lru_cache(maxsize=1 << 16)
def _calendar(
    start: int, term: int, billing_period: str
) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """The (start, end) date ordinals of a term's billing periods, and their months."""
    periods = term_periods(date.fromordinal(start), term, billing_period_months(billing_period))
    bounds = tuple((p.start.toordinal(), p.end.toordinal()) for p in periods)
    return bounds, tuple(p.months for p in periods)


@lru_cache(maxsize=1 << 16)
def _parts(total: int, weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(allocate(total, weights))


def _charges(line: Line, first: int, count: int) -> list[tuple[int, Charge]]:
    """``(invoice date, charge)`` for the line's first ``count`` billing periods."""
    if line.price_period == "OneTime" or not line.term or not line.billing_period:
        return [(first, (line, line.price.total_price, line.start, None))]
    bounds, months = _calendar(line.start, line.term, line.billing_period)
    amounts = _parts(line.price.total_price, months)
    return [
        (start, (line, amount, start, end))
        for (start, end), amount in zip(bounds[:count], amounts, strict=False)
    ]


def invoices_for(w: World, c: Customer, order: Order) -> list[Invoice]:
    if order.activated_us is None or order.totals.subtotal <= 0:
        return []
    cutoff = min(w.as_of, order.cancel_effective or w.as_of)
    first = min(line.start for line in order.lines)
    count = INVOICES_PER_ORDER(w.rng)
    by_date: dict[int, list[Charge]] = defaultdict(list)
    for line in order.lines:
        for day, charge in _charges(line, first, count):  # a line bills once per date at most
            if day < cutoff:
                by_date[day].append(charge)
    dates = sorted(by_date)[:count]
    invoices = []
    for day in dates:
        invoice = _invoice(w, c, order, day, by_date[day])
        _settle_payment(w, invoice, last=day == dates[-1])
        invoices.append(invoice)
    return invoices


def _invoice(w: World, c: Customer, order: Order, day: int, charges: list[Charge]) -> Invoice:
    lines: list[InvoiceLine] = []
    net = tax = 0
    for line, amount, start, end in charges:
        line_tax_amount = tax_of(amount, c.tax_rate)
        net += amount
        tax += line_tax_amount
        lines.append((w.uid(), line, line.version, amount, line_tax_amount, start, end))
    ends = [end for _, _, _, end in charges if end is not None]
    created = max((order.activated_us or 0) + SECOND, midnight_utc(day) + c.billing_offset_us)
    return Invoice(
        id=w.uid(),
        number=w.next_number("INV"),
        order=order,
        status="Active",
        payment_status="NotTransferred",
        invoice_date=day,
        due_date=day + w.terms.payment_terms_days,
        start=day,
        end=max(ends, default=None),
        amount_without_tax=net,
        tax_amount=tax,
        balance=net + tax,
        created_us=created,
        updated_us=created,
        lines=lines,
    )


def _settle_payment(w: World, invoice: Invoice, last: bool) -> None:
    """Older invoices are mostly paid; recent ones are open, some overdue, some drafts."""
    rng, as_of, now = w.rng, w.as_of, w.now_us
    if last and invoice.invoice_date >= as_of - 3 and rng.random() < 0.6:
        invoice.status = "Draft"
        return
    overdue_days = as_of - invoice.due_date
    paid, partial = (
        (0.92, 0.04) if overdue_days > 60 else (0.65, 0.15) if overdue_days > 0 else (0.35, 0.1)
    )
    first_payment = invoice.created_us + HOUR
    latest_payment = min(midnight_utc(invoice.due_date) + 20 * DAY, now - MINUTE)
    u = rng.random()
    amount = invoice.amount
    if first_payment < latest_payment and u < paid + partial:
        invoice.paid_us = invoice.updated_us = between(rng, first_payment, latest_payment)
        if u < paid or amount < 2:
            invoice.payment_status, invoice.balance = "Paid", 0
        else:
            invoice.payment_status = "PartiallyPaid"
            invoice.balance = 1 + int(rng.random() * (amount - 1))
        return
    order = invoice.order
    if last and order.status == "Canceled" and order.activated_us is not None:
        # Only the latest, unpaid invoice of a canceled order may be canceled.
        invoice.status = invoice.payment_status = "Canceled"
        invoice.balance = 0
        invoice.updated_us = max(order.canceled_us or 0, invoice.created_us + MINUTE)
