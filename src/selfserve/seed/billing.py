"""Invoices for activated orders: billing in advance, one invoice per billing period.

An order is billed from its first recurring line's start date in steps of its billing
period; each recurring line contributes its prorated share of ``total_price`` to each period
(cumulative integer division, so the shares of all periods add up to the line total exactly)
and one-time lines are billed in full on the first invoice. Only periods that started before
``as_of`` (and before a cancellation takes effect) are invoiced, at most three per order to
keep the dataset's size proportional to its order count.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from selfserve.kit.money import round_half_even
from selfserve.orders.pricing import HUNDRED_PERCENT, MONTHS_PER_PERIOD

from .calendar import DAY, HOUR, MINUTE, SECOND, add_months, midnight_utc
from .lifecycle import between
from .model import Customer, Invoice, InvoiceLine, Line, Order
from .world import Picker, World

PAYMENT_TERMS_DAYS = 30  # the tenant's payment_terms_days
INVOICES_PER_ORDER = Picker([(1, 40), (2, 30), (3, 30)])
Period = tuple[int, int | None, int]  # (start, end, index)


@lru_cache(maxsize=1 << 16)  # shares repeat a lot; Fraction arithmetic is the slow part
def line_tax(amount: int, rate: int) -> int:
    """Tax on one invoice line, rounded the way ``pricing.price_line`` rounds line tax."""
    return round_half_even(Fraction(amount * rate, HUNDRED_PERCENT))


def share(total: int, index: int, count: int) -> int:
    """Period ``index``'s part of ``total`` split over ``count`` periods; parts sum to total."""
    return total * (index + 1) // count - total * index // count


def invoices_for(w: World, c: Customer, order: Order) -> list[Invoice]:
    if order.activated_us is None or order.totals.subtotal <= 0:
        return []
    cutoff = min(w.as_of, order.cancel_effective or w.as_of)
    recurring = [line for line in order.lines if line.price_period != "OneTime"]
    periods, count = _periods(w, order, recurring, cutoff)
    invoices = []
    for start, end, index in periods:
        billed = recurring if index else order.lines
        invoice = _invoice(w, c, order, billed, start, end, index, count)
        _settle_payment(w, invoice, last=index == periods[-1][2])
        invoices.append(invoice)
    return invoices


def _periods(
    w: World, order: Order, recurring: list[Line], cutoff: int
) -> tuple[list[Period], int]:
    if not recurring:
        return ([(order.effective, None, 0)] if order.effective < cutoff else []), 1
    first = recurring[0]
    assert first.term is not None and first.billing_period is not None
    months = MONTHS_PER_PERIOD[first.billing_period]
    count = -(-first.term // months)
    periods: list[Period] = []
    for index in range(min(count, INVOICES_PER_ORDER(w.rng))):
        start = add_months(first.start, index * months)
        if start >= cutoff:
            break
        end = add_months(first.start, (index + 1) * months) - 1
        periods.append((start, end if first.end is None else min(end, first.end), index))
    return periods, count


def _invoice(
    w: World,
    c: Customer,
    order: Order,
    billed: list[Line],
    start: int,
    end: int | None,
    index: int,
    count: int,
) -> Invoice:
    rate = c.tax_rate
    lines: list[InvoiceLine] = []
    net = tax = 0
    for line in billed:
        recurring = line.price_period != "OneTime"
        amount = (
            share(line.price.total_price, index, count) if recurring else line.price.total_price
        )
        line_tax_amount = line_tax(amount, rate)
        net += amount
        tax += line_tax_amount
        period = (start, end) if recurring else (line.start, line.end)
        lines.append((w.uid(), line, line.version, amount, line_tax_amount, *period))
    activated = order.activated_us or 0
    created = max(activated + SECOND, midnight_utc(start) + c.billing_offset_us)
    return Invoice(
        id=w.uid(),
        number=w.next_number("INV"),
        order=order,
        status="Active",
        payment_status="NotTransferred",
        invoice_date=start,
        due_date=start + PAYMENT_TERMS_DAYS,
        start=start if end is not None else None,
        end=end,
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
