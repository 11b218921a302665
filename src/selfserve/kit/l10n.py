"""Locale negotiation and CLDR formatting (Babel) for human-facing output: the portal and PDFs.

The JSON API never formats: it sends exact numbers and ISO dates. Pages and documents format
the same ``Decimal`` amounts with the locale's CLDR rules, in the amount's own currency, with
the currency's own decimals (JPY none, KWD three), so a page shows exactly the API's number.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import get_timezone
from babel.numbers import format_currency, format_decimal

SUPPORTED_LOCALES: Final = ("en", "de", "ja")
DEFAULT_LOCALE: Final = "en"


def supported(tag: str | None) -> str | None:
    """The supported locale a language tag asks for (``de-AT`` -> ``de``), or None."""
    if not tag:
        return None
    language = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return language if language in SUPPORTED_LOCALES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best supported locale of an ``Accept-Language`` header (quality order), or None."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        found = supported(tag)
        if found:
            return found
    return None


@lru_cache(maxsize=16)
def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=8192)
def money(amount: Decimal | int, currency: str, locale: str) -> str:
    """``amount`` in ``currency`` as the locale writes it.

    ``$1,234.50`` (en), ``1.234,50 €`` (de), ``￥1,235`` (ja, no decimals for JPY).
    Cached: a page repeats the same prices, and Babel's formatting is not cheap.
    """
    return format_currency(Decimal(amount), currency, locale=_locale(locale), currency_digits=True)


def unit_price(amount: Decimal | int, currency: str, locale: str) -> str:
    """A unit price: at least the currency's decimals, and every further decimal it carries
    (``$0.125``), because prices are stored more precisely than amounts and must not round."""
    return format_currency(
        Decimal(amount),
        currency,
        locale=_locale(locale),
        currency_digits=True,
        decimal_quantization=False,
    )


def number(value: Decimal | int, locale: str) -> str:
    return format_decimal(value, locale=_locale(locale))


def day(value: date | None, locale: str, style: str = "medium") -> str:
    """A date in the locale's ``style``: ``Jun 1, 2025``, ``01.06.2025``, ``2025/06/01``."""
    if value is None:
        return ""
    return _format_date(value, format=style, locale=_locale(locale))


def instant(value: datetime | None, locale: str, tz: str = "UTC") -> str:
    if value is None:
        return ""
    return _format_datetime(value, format="medium", tzinfo=get_timezone(tz), locale=_locale(locale))
