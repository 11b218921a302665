"""Locale acceptance: en, de and ja pages for a USD, EUR and JPY customer show every amount
in its own currency, formatted by CLDR for the page's locale, and equal to the JSON API's
number for the same object; the page's language, dates and words follow the locale.

Expected strings are computed with Babel from the API's JSON numbers (so a page can only
pass by showing the API's amount), and a few are spelled out literally so the test does
not merely repeat the code's own formatting calls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape, unescape
from typing import Any

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from selfserve.portal.i18n import translator
from selfserve.portal.views import INVOICE_FILTERS
from tests.fixtures import builders as b
from tests.fixtures.world import World, ids_param
from tests.portal.helpers import Browser, open_portal

LOCALES = ("en", "de", "ja")
CURRENCIES = ("USD", "EUR", "JPY")
ORDER_DATE = date(2025, 5, 20)
INVOICE_DATE = date(2025, 6, 1)
DUE_DATE = date(2025, 7, 1)
# Storage minor units: subtotal, tax, total, balance. JPY has no minor unit: 1235 is ¥1,235.
AMOUNTS = {
    "USD": (114050, 9400, 123450, 100000),
    "EUR": (103739, 19711, 123450, 100000),
    "JPY": (1123, 112, 1235, 1000),
}
HOMES = {"USD": ("US", "America/New_York"), "EUR": ("DE", "Europe/Berlin"),
         "JPY": ("JP", "Asia/Tokyo")}  # fmt: skip
PRICE_SCALE = {"USD": 10_000, "EUR": 10_000, "JPY": 1_000_000}  # minor unit -> micro-units


@dataclass(frozen=True, slots=True)
class Books:
    """A customer billed in one currency: one order with a line, and its invoice."""

    currency: str
    customer: str
    order: str
    invoice: str


def build_books(world: World, currency: str) -> Books:
    conn, tenant, run = world.conn, world.tenant_id, world.run.run
    country, zone = HOMES[currency]
    subtotal, tax, total, balance = AMOUNTS[currency]
    customer = run(b.customer(conn, tenant, currency=currency, country=country, time_zone=zone))
    order = run(b.order(conn, tenant, customer, currency=currency, order_placed_date=ORDER_DATE,
                        list_total=subtotal, subtotal=subtotal, tax_amount=tax,
                        total_amount=total))  # fmt: skip
    price = subtotal * PRICE_SCALE[currency]
    run(b.order_line(conn, tenant, order, world.product, product_name="Team plan",
                     list_price=price, sales_price=price, list_amount=subtotal,
                     total_price=subtotal, tax_amount=tax))  # fmt: skip
    invoice = run(b.invoice(conn, tenant, customer, order, currency=currency,
                            invoice_date=INVOICE_DATE, due_date=DUE_DATE,
                            start_date=INVOICE_DATE, end_date=date(2025, 6, 30),
                            amount_without_tax=subtotal, tax_amount=tax, amount=total,
                            balance=balance, payment_status="PartiallyPaid"))  # fmt: skip
    run(b.invoice_line(conn, tenant, invoice, description="Team plan, June", amount=subtotal,
                       tax_amount=tax, start_date=INVOICE_DATE,
                       end_date=date(2025, 6, 30)))  # fmt: skip
    return Books(currency, customer, order, invoice)


@pytest.fixture
def books(world: World) -> dict[str, Books]:
    return {currency: build_books(world, currency) for currency in CURRENCIES}


# --- reading pages and the API ----------------------------------------------------------------


def api_data(world: World, path: str) -> Any:
    response = world.api.get(path)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def money(value: Any, currency: str, locale: str) -> str:
    """The API's JSON number as CLDR writes it in ``locale`` (with the currency's decimals)."""
    return format_currency(Decimal(str(value)), currency, locale=locale)


def day(value: date, locale: str) -> str:
    return format_date(value, format="medium", locale=locale)


def visible(html: str) -> str:
    """Text without tags or entities; only ASCII whitespace is collapsed, so CLDR's no-break
    spaces (``1.234,50\u00a0€``) stay as the page writes them."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def page(browser: Browser, path: str, locale: str, **kw: Any) -> str:
    response = browser.get(path, **kw)
    assert response.status_code == 200, response.text
    assert f'<html lang="{locale}"' in response.text
    return str(response.text)


def fact(html: str, label: str) -> str:
    """The value of the ``<dt>label</dt><dd>…</dd>`` pair (order and invoice facts, totals)."""
    found = re.search(rf"<dt>{re.escape(escape(label))}</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    assert found, f"no {label!r} on the page"
    return visible(found[1])


def column(html: str, label: str) -> list[str]:
    """Every cell of the ``label`` column (cards tables label each cell for small screens)."""
    cells = re.findall(rf'data-label="{re.escape(escape(label))}"[^>]*>(.*?)</t[dh]>', html, re.S)
    return [visible(c) for c in cells]


def cell(html: str, href: str, label: str) -> str:
    """The ``label`` column of the table row that links to ``href``."""
    row = re.search(rf'<tr>(?:(?!</tr>).)*?href="{re.escape(href)}".*?</tr>', html, re.S)
    assert row, f"no row for {href}"
    found = column(row[0], label)
    assert len(found) == 1, f"no {label!r} cell in the row for {href}"
    return found[0]


# --- the acceptance matrix --------------------------------------------------------------------


def check_lists(browser: Browser, world: World, books: Books, locale: str) -> None:
    """Overview (recent orders, open balance) and the orders list."""
    _ = translator(locale)
    order = api_data(world, f"/orders/{books.order}")
    href = f"/portal/orders/{books.order}"
    overview = page(browser, "/portal", locale)
    for html in (overview, page(browser, "/portal/orders", locale)):
        assert cell(html, href, _("Total")) == money(order["totalAmount"], books.currency, locale)
        assert cell(html, href, _("Date")) == day(ORDER_DATE, locale)
    open_invoices = api_data(world, f"/invoices?customerIds={ids_param(books.customer)}"
                                    f"&{INVOICE_FILTERS['open']}")  # fmt: skip
    owed = sum((Decimal(str(i["balance"])) for i in open_invoices), Decimal(0))
    assert owed > 0
    label = f"{_('Open')} ({books.currency})"
    assert fact(overview, label) == money(owed, books.currency, locale)


def check_order(browser: Browser, world: World, books: Books, locale: str) -> None:
    _ = translator(locale)
    order = api_data(world, f"/orders/{books.order}")
    html = page(browser, f"/portal/orders/{books.order}", locale)
    for label, field in (("Subtotal", "subtotal"), ("Tax", "taxAmount"), ("Total", "totalAmount")):
        assert fact(html, _(label)) == money(order[field], books.currency, locale), label
    assert fact(html, _("Order date")) == day(ORDER_DATE, locale)
    lines = [money(line["totalPrice"], books.currency, locale) for line in order["orderProducts"]]
    assert column(html, _("Line total")) == lines


def check_invoice(browser: Browser, world: World, books: Books, locale: str) -> None:
    _ = translator(locale)
    invoice = api_data(world, f"/invoices/{books.invoice}")
    html = page(browser, f"/portal/invoices/{books.invoice}", locale)
    for label, field in (("Subtotal", "amountWithoutTax"), ("Tax", "taxAmount"),
                         ("Total", "amount"), ("Balance due", "balance")):  # fmt: skip
        assert fact(html, _(label)) == money(invoice[field], books.currency, locale), label
    assert fact(html, _("Invoice date")) == day(INVOICE_DATE, locale)
    assert fact(html, _("Due date")) == day(DUE_DATE, locale)


@pytest.mark.parametrize("currency", CURRENCIES)
@pytest.mark.parametrize("locale", LOCALES)
def test_pages_show_the_apis_amounts_in_their_currency_formatted_for_the_locale(
    world: World, books: dict[str, Books], locale: str, currency: str
) -> None:
    mine = books[currency]
    browser = open_portal(world, [mine.customer], locale=locale)
    check_lists(browser, world, mine, locale)
    check_order(browser, world, mine, locale)
    check_invoice(browser, world, mine, locale)


# --- spelled out: what a customer in each locale reads ----------------------------------------

ANCHORS = [
    # locale, currency, the order's total, the invoice date, words that must show, and the
    # English words they replace
    ("en", "USD", "$1,234.50", "Jun 1, 2025", ["Invoices", "Orders", "Balance due"], []),
    ("de", "EUR", "1.234,50\u00a0€", "01.06.2025", ["Rechnungen", "Bestellungen",
     "Noch zu zahlen"], ["Invoices", "Balance due"]),
    ("ja", "JPY", "￥1,235", "2025/06/01", ["請求書", "注文", "未払残高"],
     ["Invoices", "Balance due"]),
    ("en", "JPY", "¥1,235", "Jun 1, 2025", ["Invoices"], []),
    ("de", "USD", "1.234,50\u00a0$", "01.06.2025", ["Rechnungen"], ["Invoices"]),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "currency", "total", "dated", "words", "english"), ANCHORS)
def test_a_customer_reads_cldr_amounts_dates_and_their_own_words(
    world: World, books: dict[str, Books], locale: str, currency: str, total: str, dated: str,
    words: list[str], english: list[str],
) -> None:  # fmt: skip
    mine = books[currency]
    browser = open_portal(world, [mine.customer], locale=locale)
    text = visible(page(browser, f"/portal/invoices/{mine.invoice}", locale))
    assert total in text and dated in text
    assert all(word in text for word in words), words
    assert not any(word in text for word in english), english
    if currency == "JPY":  # no decimals for yen, in any locale
        assert not re.search(r"1,235[.,]\d", text)


def test_the_browsers_accept_language_chooses_when_the_session_names_no_locale(
    world: World, books: dict[str, Books]
) -> None:
    mine = books["EUR"]
    browser = open_portal(world, [mine.customer])
    german = visible(page(browser, "/portal", "de", headers={"accept-language": "de-DE,de;q=0.9"}))
    assert "1.234,50\u00a0€" in german and "Übersicht" in german and "20.05.2025" in german
    japanese = page(browser, "/portal", "ja", headers={"accept-language": "fr, ja;q=0.8"})
    assert "€1,234.50" in visible(japanese) and "2025/05/20" in visible(japanese)
    english = visible(page(browser, "/portal", "en", headers={"accept-language": "fr"}))
    assert "€1,234.50" in english and "May 20, 2025" in english and "Overview" in english


def test_the_query_beats_the_session_and_the_session_beats_the_browser(
    world: World, books: dict[str, Books]
) -> None:
    mine = books["JPY"]
    browser = open_portal(world, [mine.customer], locale="de")
    path = f"/portal/invoices/{mine.invoice}"
    german = visible(page(browser, path, "de", headers={"accept-language": "ja"}))
    assert "1.235\u00a0¥" in german and "Rechnung" in german
    japanese = visible(page(browser, f"{path}?locale=ja", "ja"))
    assert "￥1,235" in japanese and "請求書" in japanese
