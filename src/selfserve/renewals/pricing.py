"""What the next term of a subscription costs: pure, no database.

A renewal is a full new term of ``renewalTerm`` months from the day after the current term
ends, at the subscription's current unit price (``price``, discounts already applied) and
quantity, taxed at the rate of the line that sold it (``orders.proration.renew``).
"""

from __future__ import annotations

from datetime import date, timedelta

from selfserve.orders.pricing import LineInput
from selfserve.orders.proration import TermChange, renew

ONE_DAY = timedelta(days=1)


def renewal_line(
    *, price: int, quantity: int, price_period: str, renewal_term: int, tax_rate: int
) -> LineInput:
    """The pricing input of a renewal line (micro-units, hundredths of a percent)."""
    return LineInput(
        list_price=price,
        quantity=quantity,
        price_period=price_period,
        term_months=renewal_term,
        tax_rate=tax_rate,
    )


def can_renew(renewal_term: int | None, price_period: str) -> bool:
    """A subscription renews when it has a renewal term and a recurring price."""
    return renewal_term is not None and renewal_term >= 1 and price_period != "OneTime"


def next_term(
    *,
    end_date: date | None,
    renewal_term: int | None,
    price: int,
    quantity: int,
    price_period: str,
    tax_rate: int,
    currency: str,
) -> TermChange | None:
    """The next term and its price, or None when the subscription cannot renew."""
    if end_date is None or renewal_term is None or not can_renew(renewal_term, price_period):
        return None
    line = renewal_line(price=price, quantity=quantity, price_period=price_period,
                        renewal_term=renewal_term, tax_rate=tax_rate)  # fmt: skip
    return renew(line, end_date + ONE_DAY, renewal_term, currency)
