"""CLDR formatting and locale negotiation used by the portal and PDFs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from selfserve.kit import l10n


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234.5", "USD", "en", "$1,234.50"),
        ("1234.5", "EUR", "de", "1.234,50\xa0€"),
        ("1235", "JPY", "ja", "￥1,235"),
        ("1235", "JPY", "en", "¥1,235"),
        ("1.235", "KWD", "en", "KWD1.235"),
        ("-20.00", "USD", "en", "-$20.00"),
    ],
)
def test_money_uses_the_currency_digits_of_cldr(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert l10n.money(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("0.125", "USD", "en", "$0.125"),
        ("49.5", "USD", "en", "$49.50"),
        ("1234.5678", "EUR", "de", "1.234,5678\xa0€"),
        ("1200", "JPY", "ja", "￥1,200"),
    ],
)
def test_unit_prices_keep_their_extra_decimals(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert l10n.unit_price(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "Jun 1, 2025"), ("de", "01.06.2025"), ("ja", "2025/06/01")]
)
def test_dates_follow_the_locale(locale: str, expected: str) -> None:
    assert l10n.day(date(2025, 6, 1), locale) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CH, de;q=0.9, en;q=0.8", "de"),
        ("ja-JP", "ja"),
        ("en;q=0.1, de;q=0.5", "de"),
        ("de;q=0, en", "en"),
        ("fr", None),
        ("", None),
        ("de;q=abc, ja", "ja"),
    ],
)
def test_accept_language_picks_the_best_supported_locale(header: str, expected: str | None) -> None:
    assert l10n.negotiate(header) == expected
