"""The next term of a subscription: pure, with the billing rules' renewal example."""

from __future__ import annotations

from datetime import date

import pytest

from selfserve.renewals.pricing import can_renew, next_term


def test_renewal_example_of_the_billing_rules() -> None:
    # KWD 120.000 a year, 5 % off (the subscription's price is 114.000), renewed for 24 months
    term = next_term(end_date=date(2025, 12, 31), renewal_term=24, price=114_000_000,
                     quantity=1, price_period="Year", tax_rate=500, currency="KWD")  # fmt: skip
    assert term is not None
    assert (term.start, term.end) == (date(2026, 1, 1), date(2027, 12, 31))
    assert (term.price.total_price, term.price.tax_amount) == (228_000, 11_400)


def test_month_end_terms() -> None:
    term = next_term(end_date=date(2025, 1, 30), renewal_term=1, price=28_000_000,
                     quantity=1, price_period="Month", tax_rate=0, currency="USD")  # fmt: skip
    assert term is not None and (term.start, term.end) == (date(2025, 1, 31), date(2025, 2, 27))
    assert term.price.total_price == 2_800


@pytest.mark.parametrize(
    ("end", "renewal_term", "period"),
    [(None, 12, "Month"), (date(2025, 1, 31), None, "Month"), (date(2025, 1, 31), 0, "Month"),
     (date(2025, 1, 31), 12, "OneTime")],
)  # fmt: skip
def test_what_cannot_renew(end: date | None, renewal_term: int | None, period: str) -> None:
    assert next_term(end_date=end, renewal_term=renewal_term, price=1, quantity=1,
                     price_period=period, tax_rate=0, currency="USD") is None  # fmt: skip
    assert not can_renew(renewal_term, period) or end is None
