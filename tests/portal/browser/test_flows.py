"""The customer's whole journey in a real browser, once with JavaScript and once without, on
a phone and on a desktop: link -> overview -> order -> invoice PDF -> cancel (with preview)
-> undo -> change quantity (the preview is the amount then invoiced) -> renew -> auto-renew
off.

Every step clicks what a customer clicks; nothing is reached by typing a URL."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.portal.browser.conftest import VIEWPORTS, OpenPortal
from tests.portal.browser.server import PortalServer

pytestmark = pytest.mark.browser

RUNS = list(itertools.product(["js", "nojs"], VIEWPORTS))
PRODUCT = "Platform Professional"
_names = itertools.count(1)


def amount(text: str) -> Decimal:
    """An en-US money text (``$1,234.50``, ``-$3.00``) as the API's number."""
    sign = -1 if re.search(r"[-−]", text) else 1
    return sign * Decimal(re.sub(r"[^0-9.]", "", text))


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def notice(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def to_overview(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    plans = page.get_by_role("region", name="Active subscriptions")
    expect(plans.get_by_role("link", name=PRODUCT)).to_be_visible()
    expect(plans).to_contain_text("Active")


def to_order(page: Page) -> None:
    orders = page.get_by_role("region", name="Recent orders")
    orders.get_by_role("link", name=re.compile(r"^O-\d+")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order O-")
    expect(page.get_by_role("region", name="Lines")).to_contain_text(PRODUCT)


def to_invoice_pdf(page: Page) -> None:
    page.get_by_role("region", name="Invoices").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invoice ")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    assert path.read_bytes().startswith(b"%PDF-"), "the download is not a PDF"
    assert download.value.suggested_filename.endswith(".pdf")


def to_subscription(page: Page) -> None:
    page.get_by_role("link", name="See the order").click()
    produced = page.get_by_role("region", name="Subscriptions, assets and entitlements")
    produced.get_by_role("link", name=re.compile(r"^SUB-")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PRODUCT)


def cancel_with_preview(page: Page) -> None:
    page.get_by_role("link", name="Cancel subscription").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Cancel {PRODUCT}")
    page.get_by_label(re.compile("At the end of the current term")).check()
    page.get_by_label("Comment").fill("Budget review")
    page.get_by_role("button", name="Preview the cancellation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the cancellation")
    expect(page.get_by_role("region", name="What will happen")).to_contain_text("Service")
    page.get_by_role("button", name="Confirm").click()
    notice(page, "The cancellation is scheduled.")
    expect(page.locator("dl.facts")).to_contain_text("Service ends on")


def undo_cancellation(page: Page) -> None:
    page.get_by_role("link", name="Keep this subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keep the subscription")
    page.get_by_role("button", name="Confirm").click()
    notice(page, "The cancellation was withdrawn")
    expect(page.get_by_role("link", name="Cancel subscription")).to_be_visible()


def change_quantity(page: Page, server: PortalServer, customer: str) -> None:
    """The total the confirmation page shows is the total of the invoice the change issues."""
    page.get_by_role("link", name="Change quantity").click()
    page.get_by_label("New total quantity").fill("8")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the new quantity")
    previewed = page.locator("[data-total]").inner_text()
    page.get_by_role("button", name="Confirm").click()
    notice(page, "The quantity was changed.")
    expect(page.locator("dl.facts")).to_contain_text("8")
    invoices = server.call("GET", f"/invoices?customerIds=%5B%22{customer}%22%5D&limit=50")
    newest = max(invoices, key=lambda invoice: invoice["invoiceNumber"])
    assert Decimal(str(newest["amount"])) == amount(previewed), (newest, previewed)
    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name=newest["invoiceNumber"]).click()
    totals = page.get_by_role("region", name="Totals")
    expect(totals.locator("dd").nth(2)).to_have_text(previewed)


def renew(page: Page) -> None:
    page.get_by_role("link", name="Overview", exact=True).click()
    plans = page.get_by_role("region", name="Active subscriptions")
    plans.get_by_role("link", name=PRODUCT).click()
    ends = page.locator("dt:text-is('End date') + dd").inner_text()
    page.get_by_role("link", name="Renew now").click()
    page.get_by_role("button", name="Preview the renewal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the renewal")
    page.get_by_role("button", name="Confirm").click()
    notice(page, "The subscription was renewed.")
    expect(page.locator("dt:text-is('End date') + dd")).not_to_have_text(ends)


def turn_off_auto_renew(page: Page) -> None:
    page.get_by_role("link", name="Turn off automatic renewal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn off automatic renewal")
    page.get_by_role("button", name="Confirm").click()
    notice(page, "Automatic renewal was updated.")
    expect(page.locator("dt:text-is('Automatic renewal') + dd")).to_have_text("Off")
    expect(page.get_by_role("link", name="Turn on automatic renewal")).to_be_visible()


@pytest.mark.parametrize(("mode", "width"), RUNS)
def test_customer_journey(
    open_portal: OpenPortal, app_server: PortalServer, mode: str, width: str
) -> None:
    customer = app_server.customer_with_subscription(f"Journey {next(_names)} ({mode} {width})")
    with open_portal(customer, viewport=VIEWPORTS[width], js=mode == "js") as page:
        to_overview(page)
        to_order(page)
        to_invoice_pdf(page)
        to_subscription(page)
        cancel_with_preview(page)
        undo_cancellation(page)
        change_quantity(page, app_server, customer)
        renew(page)
        turn_off_auto_renew(page)
