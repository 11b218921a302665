"""The portal's read pages: orders, an order, subscriptions, a subscription, invoices, an
invoice and renewals. Every amount a page shows is the JSON API's number for the same object,
formatted for the page's locale; a session never shows another customer's data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest

from selfserve.kit import l10n
from tests.fixtures import builders as b
from tests.fixtures.world import World, ids_param
from tests.portal.helpers import Browser, open_portal


def usd(value: Any) -> str:
    """The API's JSON number as the English page writes it."""
    return l10n.money(Decimal(str(value)), "USD", "en")


def text_of(html: str) -> str:
    """The page's visible text, tags removed, whitespace collapsed, entities decoded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@dataclass
class Account:
    """Alice's subscriptions (live, ended, canceled, scheduled), an entitlement, invoices in
    every state, and Bob's own subscription and invoice."""

    live: str
    ended: str
    canceled: str
    scheduled: str
    entitlement: str
    open_invoice: str
    overdue_invoice: str
    paid_invoice: str
    bob_subscription: str
    bob_invoice: str


def build_account(world: World) -> Account:
    conn, tenant, alice, order, product = (
        world.conn, world.tenant_id, world.alice, world.orders[0], world.product,
    )  # fmt: skip

    def run(coro: Any) -> str:
        return str(world.run.run(coro))

    line = run(b.order_line(conn, tenant, order, product, line_number=2, tax_rate=825,
                            price_period="Month", total_price=59400, tax_amount=4901))  # fmt: skip

    def sub(**over: Any) -> str:
        values = {
            "product_name": "Pro plan",
            "quantity": 3,
            "list_price": 49_500000,
            "price": 49_500000,
            "total_price": 178200,
            "order_product_id": line,
        } | over
        return run(b.asset(conn, tenant, alice, order, product, **values))  # fmt: skip

    live = sub(end_date=date(2025, 6, 20), product_name="Pro plan")
    ended = sub(status="Ended", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31),
                product_name="Old plan", auto_renew=False)  # fmt: skip
    canceled = sub(status="Canceled", product_name="Gone plan", cancellation_date=date(2025, 3, 1))
    scheduled = sub(status="Scheduled for Cancellation", product_name="Leaving plan",
                    end_date=date(2026, 1, 14), cancellation_date=date(2025, 9, 1))  # fmt: skip
    entitlement = sub(asset_type="Entitlement", asset_number=f"ENT-{b.next_number():08d}",
                      product_name="Support hours")  # fmt: skip

    def invoice(customer: str, **over: Any) -> str:
        return run(b.invoice(conn, tenant, customer, over.pop("order", order), **over))

    open_invoice = invoice(alice, due_date=date(2025, 6, 20), amount=10825, balance=10825)
    overdue_invoice = invoice(alice, due_date=date(2025, 3, 1), amount=21650, balance=5000,
                              payment_status="PartiallyPaid")  # fmt: skip
    paid_invoice = invoice(alice, amount=10825, balance=0, payment_status="Paid")
    run(b.invoice_line(conn, tenant, paid_invoice, description="Pro plan, January"))
    bob_sub = run(b.asset(conn, tenant, world.bob, world.bob_order, product,
                          product_name="Bob plan", currency="JPY", price=1200_000000))  # fmt: skip
    bob_invoice = invoice(world.bob, order=world.bob_order, currency="JPY", amount=1200,
                          amount_without_tax=1200, tax_amount=0, balance=1200)  # fmt: skip
    return Account(live, ended, canceled, scheduled, entitlement, open_invoice, overdue_invoice,
                   paid_invoice, bob_sub, bob_invoice)  # fmt: skip


@pytest.fixture
def account(world: World) -> Account:
    return build_account(world)


def api_json(world: World, path: str) -> Any:
    response = world.api.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def assert_page(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "style=" not in response.text and "<script>" not in response.text
    assert response.text.count("<h1") == 1
    return str(response.text)


# --- orders -----------------------------------------------------------------------------------


def test_orders_list_shows_the_customers_orders_with_the_apis_totals(
    world: World, account: Account
) -> None:
    html = assert_page(open_portal(world).get("/portal/orders"))
    api = api_json(world, f"/orders?customerIds={ids_param(world.alice)}")["data"]
    assert len(api) == 5
    text = text_of(html)
    for order in api:
        assert f'href="/portal/orders/{order["id"]}"' in html
        assert order["orderNumber"] in text
        assert usd(order["totalAmount"]) in text
    bob = api_json(world, f"/orders/{world.bob_order}")["data"]
    assert bob["orderNumber"] not in text
    assert "5 results" in text
    assert "Draft" in text and "Active" in text
    assert '<label for="orders-status">' in html and '<label for="orders-q">' in html


def test_orders_filter_by_status_and_search(world: World) -> None:
    browser = open_portal(world)
    drafts = text_of(assert_page(browser.get("/portal/orders?status=draft")))
    assert "1 result" in drafts and "Alpha 2" in drafts and "Beta 1" not in drafts
    assert '<option value="draft" selected>' in browser.get("/portal/orders?status=draft").text
    found = text_of(assert_page(browser.get("/portal/orders?q=Beta")))
    assert "2 results" in found and "Beta 1" in found and "Beta 3" in found
    assert "Alpha" not in found
    number = api_json(world, f"/orders/{world.orders[4]}")["data"]["orderNumber"]
    by_number = text_of(assert_page(browser.get(f"/portal/orders?q={number}")))
    assert "1 result" in by_number and "Alpha 4" in by_number


def test_orders_page_through_with_the_keyset_cursor(world: World) -> None:
    for i in range(25):
        world.run.run(b.order(world.conn, world.tenant_id, world.alice, name=f"Bulk {i}",
                              created_at=b.T0 + timedelta(days=30, minutes=i)))  # fmt: skip
    browser = open_portal(world)
    first = assert_page(browser.get("/portal/orders?status=active"))
    assert first.count('href="/portal/orders/') == 20
    assert "29 results" in text_of(first)  # 25 bulk + 4 active of the world
    assert "First page" not in first
    found = re.search(r'href="(/portal/orders\?[^"]*cursor=[^"]+)"', first)
    assert found, "the first page links to the next"
    next_href = unescape(found[1])
    assert "status=active" in next_href and "offset" not in next_href
    second = assert_page(browser.get(next_href))
    assert second.count('href="/portal/orders/') == 9
    assert "Next page" not in second
    assert 'href="/portal/orders?status=active"' in second  # First page keeps the filter
    seen = re.findall(r'href="/portal/orders/([^"]+)"', first + second)
    assert len(set(seen)) == 29


def _more_orders(world: World) -> None:
    world.run.run(b.order(world.conn, world.tenant_id, world.alice))


def _more_assets(world: World) -> None:
    world.run.run(b.asset(world.conn, world.tenant_id, world.alice, world.orders[0],
                          world.product, end_date=date(2025, 6, 10)))  # fmt: skip


def _more_invoices(world: World) -> None:
    world.run.run(b.invoice(world.conn, world.tenant_id, world.alice, world.orders[0]))


@pytest.mark.parametrize(
    ("path", "add"),
    [
        ("/portal/orders", _more_orders),
        ("/portal/subscriptions", _more_assets),
        ("/portal/renewals", _more_assets),
        ("/portal/invoices", _more_invoices),
        ("/portal/orders/{order}", _more_assets),
        ("/portal/orders/{order}", _more_invoices),
    ],
)
def test_pages_run_the_same_statements_whatever_their_size(
    world: World, path: str, add: Any
) -> None:
    browser = open_portal(world)
    path = path.format(order=world.orders[0])
    counts = []
    for extra in (1, 25):
        for _ in range(extra):
            add(world)
        world.conn.statements.clear()
        assert_page(browser.get(path))
        counts.append(len(world.conn.statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/portal/orders?cursor=not-a-cursor", "first page"),
        ("/portal/orders?status=shipped", "“shipped” is not a valid choice for “status”"),
        ("/portal/invoices?status=late", "“late” is not a valid choice for “status”"),
        ("/portal/subscriptions?type=cars", "“cars” is not a valid choice for “type”"),
        ("/portal/subscriptions?cursor=xyz", "first page"),
        ("/portal/renewals?cursor=xyz", "first page"),
    ],
)
def test_invalid_list_input_is_a_friendly_400(world: World, path: str, named: str) -> None:
    html = assert_page(open_portal(world).get(path), 400)
    assert named in text_of(html)
    assert 'role="alert"' in html
    assert f'href="{path.split("?")[0]}"' in html


# --- one order --------------------------------------------------------------------------------


def test_order_page_shows_facts_lines_totals_products_invoices_and_changes(
    world: World, account: Account
) -> None:
    order_id = world.orders[0]
    changes = [
        {"field": "quantity", "from": 3, "to": 5},
        {"field": "totalPrice", "from": 1782.0, "to": 2970.5},
    ]
    event = b.event(world.conn, world.tenant_id, world.alice, order_id=order_id,
                    action="subscription.quantity_changed", entity_type="asset",
                    asset_number="SUB-1", reason="More seats", at=b.T0 + timedelta(days=3),
                    changes=changes)  # fmt: skip
    world.run.run(event)
    html = assert_page(open_portal(world).get(f"/portal/orders/{order_id}"))
    text = text_of(html)
    api = api_json(world, f"/orders/{order_id}?includes=assets,invoices")["data"]
    assert f"Order {api['orderNumber']}" in text
    assert "Active" in text and "New" in text and "USD" in text
    for field in ("subtotal", "discountAmount", "taxAmount", "totalAmount"):
        assert usd(api[field]) in text, field
    for line in api["orderProducts"]:
        assert usd(line["totalPrice"]) in text and usd(line["taxAmount"]) in text
    assert api["assets"] and api["invoices"]
    for asset in api["assets"]:
        assert f'href="/portal/subscriptions/{asset["id"]}"' in html
    for invoice in api["invoices"]:
        assert f'href="/portal/invoices/{invoice["id"]}"' in html
    assert "Quantity changed" in text and "More seats" in text
    assert "Quantity: 3 → 5" in text
    assert "Total: $1,782.00 → $2,970.50" in text
    assert "Your provider" in text


def test_an_invisible_or_unknown_order_is_the_404_page(world: World) -> None:
    browser = open_portal(world)
    for order_id in (world.bob_order, world.other_tenant_order, b.new_id(), "not-an-id"):
        html = assert_page(browser.get(f"/portal/orders/{order_id}"), 404)
        assert "not part of your account" in text_of(html)


# --- subscriptions ----------------------------------------------------------------------------


def test_subscriptions_include_ended_and_canceled_ones(world: World, account: Account) -> None:
    browser = open_portal(world)
    html = assert_page(browser.get("/portal/subscriptions"))
    text = text_of(html)
    for plan in ("Pro plan", "Old plan", "Gone plan", "Leaving plan"):
        assert plan in text
    for status in ("Active", "Ended", "Canceled", "Scheduled for cancellation"):
        assert status in text
    assert "Support hours" not in text  # entitlements have their own tab
    assert "Bob plan" not in text
    assert f'href="/portal/subscriptions/{account.ended}"' in html
    api = api_json(world, f"/subscriptions?customerIds={ids_param(world.alice)}")["data"]
    assert len(api) == 4
    for sub in api:
        assert usd(sub["price"]) in text and usd(sub["totalPrice"]) in text
    assert "Service ends on Sep 1, 2025" in text
    ended = text_of(assert_page(browser.get("/portal/subscriptions?status=ended")))
    assert "Old plan" in ended and "Pro plan" not in ended
    entitlements = text_of(assert_page(browser.get("/portal/subscriptions?type=entitlements")))
    assert "Support hours" in entitlements and "Pro plan" not in entitlements


def test_subscription_page(world: World, account: Account) -> None:
    browser = open_portal(world)
    html = assert_page(browser.get(f"/portal/subscriptions/{account.scheduled}"))
    text = text_of(html)
    assert "Leaving plan" in text and "Scheduled for cancellation" in text
    assert "Jan 15, 2025" in text and "Jan 14, 2026" in text
    assert "Service ends on Sep 1, 2025" in text
    assert "Automatic renewal On" in text
    assert "$49.50" in text and usd(1782) in text
    order_number = api_json(world, f"/orders/{world.orders[0]}")["data"]["orderNumber"]
    assert f'<a href="/portal/orders/{world.orders[0]}">{order_number}</a>' in html
    assert "Versions" in text
    entitlement = text_of(assert_page(browser.get(f"/portal/subscriptions/{account.entitlement}")))
    assert "Support hours" in entitlement and "Automatic renewal" not in entitlement
    for hidden in (account.bob_subscription, b.new_id(), "nope"):
        assert_page(browser.get(f"/portal/subscriptions/{hidden}"), 404)


def test_subscription_page_lists_every_version(world: World, account: Account) -> None:
    number = f"SUB-{b.next_number():08d}"
    first = world.run.run(b.asset(world.conn, world.tenant_id, world.alice, world.orders[0],
                                  world.product, asset_number=number, is_current=False,
                                  quantity=2, status="Active"))  # fmt: skip
    current = world.run.run(b.asset(world.conn, world.tenant_id, world.alice, world.orders[1],
                                    world.product, asset_number=number, asset_version=2,
                                    last_versioned_asset_id=first, quantity=7))  # fmt: skip
    browser = open_portal(world)
    for path_id in (current, first):  # an old version's id shows the current version
        html = assert_page(browser.get(f"/portal/subscriptions/{path_id}"))
        versions = html.split('id="versions-h"')[1]
        assert versions.index(">2<") < versions.index(">1<")
        assert f'href="/portal/orders/{world.orders[1]}"' in versions
        assert f'href="/portal/orders/{world.orders[0]}"' in versions
    assert "Quantity 7" in text_of(browser.get(f"/portal/subscriptions/{first}").text)


# --- invoices ---------------------------------------------------------------------------------


def test_invoices_list_statuses_amounts_and_filters(world: World, account: Account) -> None:
    browser = open_portal(world)
    html = assert_page(browser.get("/portal/invoices"))
    text = text_of(html)
    api = api_json(world, f"/invoices?customerIds={ids_param(world.alice)}")["data"]
    assert len(api) == 3
    for invoice in api:
        assert f'href="/portal/invoices/{invoice["id"]}"' in html
        assert usd(invoice["amount"]) in text and usd(invoice["balance"]) in text
    assert "Paid" in text and "Open" in text and "Overdue" in text
    bob = api_json(world, f"/invoices/{account.bob_invoice}")["data"]["invoiceNumber"]
    assert bob not in text
    overdue = assert_page(browser.get("/portal/invoices?status=overdue"))
    assert overdue.count('href="/portal/invoices/') == 1
    assert f'href="/portal/invoices/{account.overdue_invoice}"' in overdue
    paid = assert_page(browser.get("/portal/invoices?status=paid"))
    assert f'href="/portal/invoices/{account.paid_invoice}"' in paid
    assert paid.count('href="/portal/invoices/') == 1
    unpaid = assert_page(browser.get("/portal/invoices?status=open"))
    assert unpaid.count('href="/portal/invoices/') == 2


def test_invoice_page(world: World, account: Account) -> None:
    browser = open_portal(world)
    html = assert_page(browser.get(f"/portal/invoices/{account.overdue_invoice}"))
    text = text_of(html)
    api = api_json(world, f"/invoices/{account.overdue_invoice}")["data"]
    assert f"Invoice {api['invoiceNumber']}" in text and "Overdue" in text
    assert f"Subtotal {usd(api['amountWithoutTax'])}" in text
    assert f"Tax {usd(api['taxAmount'])}" in text
    assert f"Total {usd(api['amount'])}" in text
    assert f"Paid {usd(Decimal(str(api['amount'])) - Decimal(str(api['balance'])))}" in text
    assert f"Balance due {usd(api['balance'])}" in text
    assert f'href="/portal/invoices/{account.overdue_invoice}/pdf"' in html
    paid = text_of(assert_page(browser.get(f"/portal/invoices/{account.paid_invoice}")))
    assert "Pro plan, January" in paid and "Balance due $0.00" in paid
    for hidden in (account.bob_invoice, b.new_id()):
        assert_page(browser.get(f"/portal/invoices/{hidden}"), 404)


# --- renewals ---------------------------------------------------------------------------------


def test_renewals_within_the_notice_window(world: World, account: Account) -> None:
    html = assert_page(open_portal(world).get("/portal/renewals"))
    text = text_of(html)
    api = api_json(world, f"/renewals?customerIds={ids_param(world.alice)}")["data"]
    assert [r["id"] for r in api] == [account.live]
    renewal = api[0]
    assert f'href="/portal/subscriptions/{account.live}"' in html
    assert "within the next 30 days" in text
    assert "Jun 20, 2025" in text and "Jun 21, 2025" in text  # term ends, renews on
    assert usd(renewal["projectedRenewalAmount"]) in text
    assert usd(renewal["projectedRenewalTaxAmount"]) in text
    assert "Old plan" not in text and "Bob plan" not in text


# --- across pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/portal/orders", "/portal/subscriptions", "/portal/invoices", "/portal/renewals"],
)
def test_bob_sees_only_his_own_data(world: World, account: Account, path: str) -> None:
    bob = open_portal(world, [world.bob])
    text = text_of(assert_page(bob.get(path)))
    assert "Pro plan" not in text and "Alpha" not in text
    for invoice in (account.open_invoice, account.paid_invoice):
        assert invoice not in bob.get(path).text


def test_japanese_page_formats_yen_as_the_api_gives_it(world: World, account: Account) -> None:
    bob = open_portal(world, [world.bob], locale="ja")
    text = text_of(assert_page(bob.get(f"/portal/invoices/{account.bob_invoice}")))
    amount = api_json(world, f"/invoices/{account.bob_invoice}")["data"]["amount"]
    assert l10n.money(Decimal(str(amount)), "JPY", "ja") == "￥1,200"
    assert "￥1,200" in text


def test_pages_need_a_session(world: World, account: Account) -> None:
    for path in ("/portal/orders", f"/portal/orders/{world.orders[0]}", "/portal/invoices"):
        response = Browser(world).get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/portal/expired"


def test_subscription_page_offers_actions_only_to_a_write_session(
    world: World, account: Account
) -> None:
    path = f"/portal/subscriptions/{account.live}"
    writer = text_of(assert_page(open_portal(world, scopes=["read", "write"]).get(path)))
    assert "Manage this subscription" in writer
    reader = text_of(assert_page(open_portal(world).get(path)))
    assert "Manage this subscription" not in reader
    ended = text_of(assert_page(open_portal(world, scopes=["read", "write"]).get(
        f"/portal/subscriptions/{account.ended}")))  # fmt: skip
    assert "Manage this subscription" not in ended


def test_invoice_pdf_downloads_in_the_pages_locale(world: World, account: Account) -> None:
    path = f"/portal/invoices/{account.overdue_invoice}/pdf"
    number = api_json(world, f"/invoices/{account.overdue_invoice}")["data"]["invoiceNumber"]
    german = open_portal(world, locale="de").get(path)
    assert german.status_code == 200
    assert german.headers["content-type"] == "application/pdf"
    assert german.headers["content-disposition"] == f'attachment; filename="{number}.pdf"'
    assert german.headers["cache-control"] == "no-store"
    assert german.content.startswith(b"%PDF-")
    api = world.api.get(path.removeprefix("/portal"), headers={"accept-language": "de"})
    assert api.status_code == 200
    assert german.content == api.content  # the same document as the API's, in German
    english = open_portal(world).get(path)
    assert english.content != german.content
    bob = open_portal(world, [world.bob])
    assert_page(bob.get(path), 404)
