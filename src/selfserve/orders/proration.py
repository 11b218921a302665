"""What a change to a live subscription costs: pure functions, no database.

Every change is priced as a number of *price periods* of a line (a fraction when prorated) and
goes through ``pricing.price_periods``, so each result is a full ``LinePrice`` (list amount,
discounts, total, tax) rounded once, half-even, with ``total_price = list_amount −
discount_amount``. A negative quantity gives a negative line: a credit.

Proration is by day within the current billing period, counting the effective date itself:

    price periods = (billing period months / price period months)
                    × (days from the effective date to the period end, both included)
                    / (days in the period)

Term changes (UpdateTerm, Renew, ConvertFreeTrial) price whole months; CoTerm measures the
change on the subscription's monthly calendar (whole months, then the remaining days as a
fraction of the month they fall in). ``docs/billing-rules.md`` has worked examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from fractions import Fraction

from selfserve.invoices.billing import ONE_DAY, Period, add_months, term_end
from selfserve.kit.clock import local_date
from selfserve.orders.pricing import (
    LineInput,
    LinePrice,
    months_per_period,
    price_line,
    price_periods,
)


@dataclass(frozen=True, slots=True)
class SwapPrice:
    """Upgrade, Downgrade or Swap: a credit for the old line, a charge for the new one."""

    credit: LinePrice  # negative
    charge: LinePrice

    @property
    def net(self) -> int:
        return self.credit.total_price + self.charge.total_price


@dataclass(frozen=True, slots=True)
class TermChange:
    """A priced span of service: ``start`` to ``end`` (inclusive) and what it costs; the
    subscription's new end date is ``new_end``."""

    start: date
    end: date
    new_end: date
    price: LinePrice


def customer_today(now: datetime, time_zone: str) -> date:
    """The customer's calendar date at the UTC instant ``now`` (2025-03-01T02:00Z is still
    Feb 28 in America/Los_Angeles): a change effective "today" starts on this date."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return local_date(now, time_zone)


def remaining_days(period: Period, effective: date) -> int:
    """Days from ``effective`` to the period's end, both included."""
    if effective not in period:
        raise ValueError(f"{effective} is outside the billing period {period.start} – {period.end}")
    return (period.end - effective).days + 1


def _recurring(line: LineInput) -> int:
    if line.price_period == "OneTime":
        raise ValueError("one-time lines are not prorated")
    return months_per_period(line.price_period)


def prorated_periods(line: LineInput, period: Period, effective: date) -> Fraction:
    """Price periods left in ``period`` from ``effective``: months/ppm × remaining/days."""
    per_period = Fraction(period.months, _recurring(line))
    return per_period * Fraction(remaining_days(period, effective), period.days)


def prorate(line: LineInput, period: Period, effective: date, currency: str) -> LinePrice:
    """``line`` (its quantity may be negative) for the rest of ``period`` from ``effective``."""
    return price_periods(line, prorated_periods(line, period, effective), currency)


def update_quantity(
    line: LineInput, delta: int, period: Period, effective: date, currency: str
) -> LinePrice:
    """UpdateQuantity: ``price × delta × remaining/days``; a reduction is a credit."""
    return prorate(replace(line, quantity=delta), period, effective, currency)


def swap(
    old: LineInput, new: LineInput, period: Period, effective: date, currency: str
) -> SwapPrice:
    """Upgrade / Downgrade / Swap: credit the old line for the remaining days, charge the new
    one for the same days; each side is rounded once."""
    credit = prorate(replace(old, quantity=-old.quantity), period, effective, currency)
    return SwapPrice(credit=credit, charge=prorate(new, period, effective, currency))


upgrade = downgrade = swap


def unused_periods(line: LineInput, paid: Sequence[Period], cancellation: date) -> Fraction:
    """Price periods paid for but not used from ``cancellation`` on: a period containing the
    date counts its remaining days, a later paid period counts in full, an earlier one not."""
    ppm = _recurring(line)
    total = Fraction(0)
    for period in paid:
        if cancellation <= period.end:
            unused = remaining_days(period, max(cancellation, period.start))
            total += Fraction(period.months, ppm) * Fraction(unused, period.days)
    return total


def cancel(line: LineInput, paid: Sequence[Period], cancellation: date, currency: str) -> LinePrice:
    """Cancel: credit for unused prepaid time, from the cancellation date (the first day
    without service) to the end of the paid periods, as a negative line."""
    credit = replace(line, quantity=-line.quantity)
    return price_periods(credit, unused_periods(line, paid, cancellation), currency)


def month_position(start: date, on: date) -> Fraction:
    """Where ``on`` falls on the monthly calendar that starts on ``start``: whole months since
    the start, plus the days into the current month over that month's length."""
    index = (on.year - start.year) * 12 + on.month - start.month
    while add_months(start, index) > on:
        index -= 1
    while add_months(start, index + 1) <= on:
        index += 1
    month_start, next_start = add_months(start, index), add_months(start, index + 1)
    return index + Fraction((on - month_start).days, (next_start - month_start).days)


def _term_change(
    line: LineInput, old_end: date, new_end: date, months: Fraction, currency: str
) -> TermChange:
    """The span between the old and the new end, priced at ``months / ppm`` price periods
    (negative, a credit, when the term gets shorter)."""
    price = price_periods(line, months / _recurring(line), currency)
    if new_end >= old_end:
        return TermChange(old_end + ONE_DAY, new_end, new_end, price)
    return TermChange(new_end + ONE_DAY, old_end, new_end, price)


def update_term(
    line: LineInput, start: date, term_months: int, delta: int, currency: str
) -> TermChange:
    """UpdateTerm: the term grows (or shrinks) by ``delta`` months; the added months are
    charged in full (removed months credited): ``price × quantity × delta / ppm``."""
    old_end, new_end = term_end(start, term_months), term_end(start, term_months + delta)
    return _term_change(line, old_end, new_end, Fraction(delta), currency)


def co_term(
    line: LineInput, start: date, term_months: int, co_term_date: date, currency: str
) -> TermChange:
    """CoTerm: the subscription now ends on ``co_term_date``. The extension (or reduction) is
    measured on the subscription's monthly calendar and priced pro rata."""
    if co_term_date < start:
        raise ValueError("the co-term date must not be before the subscription starts")
    old_end = term_end(start, term_months)
    months = month_position(start, co_term_date + ONE_DAY) - term_months
    return _term_change(line, old_end, co_term_date, months, currency)


def renew(line: LineInput, renewal_start: date, renewal_term: int, currency: str) -> TermChange:
    """Renew: a full new term of ``renewal_term`` months from ``renewal_start`` (usually the
    day after the current term ends), priced like a new line."""
    _recurring(line)
    end = term_end(renewal_start, renewal_term)
    price = price_line(replace(line, term_months=renewal_term), currency)
    return TermChange(renewal_start, end, end, price)


def convert_free_trial(line: LineInput, start: date, term: int, currency: str) -> TermChange:
    """ConvertFreeTrial: from $0 to the line's price for a term of ``term`` full months from
    ``start``; nothing is charged for the trial days before it."""
    return renew(line, start, term, currency)


__all__ = [
    "SwapPrice",
    "TermChange",
    "cancel",
    "co_term",
    "convert_free_trial",
    "customer_today",
    "downgrade",
    "month_position",
    "prorate",
    "prorated_periods",
    "remaining_days",
    "renew",
    "swap",
    "unused_periods",
    "update_quantity",
    "update_term",
    "upgrade",
]
