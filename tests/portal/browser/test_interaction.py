"""Keyboard-only use of an action, and the live quantity preview that updates in place."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.portal.browser.conftest import PHONE, OpenPortal
from tests.portal.browser.server import PortalServer
from tests.portal.browser.test_flows import PRODUCT

pytestmark = pytest.mark.browser

_names = itertools.count(1)
FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName, text: (e.innerText || '').trim(), value: e.value || '', id: e.id};
}"""


def tab_to(page: Page, text: str = "", value: str = "", limit: int = 60) -> None:
    """Press Tab until the focused element shows ``text`` (or has ``value``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if (text and focused["text"] == text) or (value and focused["value"] == value):
            return
    raise AssertionError(f"Tab never reached {text or value!r}")


def open_subscription(page: Page) -> None:
    page.get_by_role("region", name="Active subscriptions").get_by_role(
        "link", name=PRODUCT
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PRODUCT)


def test_cancel_flow_with_the_keyboard_only(
    open_portal: OpenPortal, app_server: PortalServer
) -> None:
    customer = app_server.customer_with_subscription(f"Keyboard {next(_names)}")
    with open_portal(customer) as page:
        open_subscription(page)
        tab_to(page, "Cancel subscription")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Cancel {PRODUCT}")
        tab_to(page, value="endOfTerm")
        page.keyboard.press("Space")
        tab_to(page, "Preview the cancellation")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the cancellation")
        tab_to(page, "Confirm")
        page.keyboard.press("Enter")
        result = page.get_by_role("status")
        expect(result).to_contain_text("The cancellation is scheduled.")
        expect(result).to_be_focused()  # a screen reader reads the result first


def test_quantity_preview_updates_in_place(
    open_portal: OpenPortal, app_server: PortalServer
) -> None:
    """With JavaScript the server's proration appears as the customer types, without a page
    load, and it is the amount the preview page then shows."""
    customer = app_server.customer_with_subscription(f"Live preview {next(_names)}")
    with open_portal(customer, viewport=PHONE) as page:
        open_subscription(page)
        page.get_by_role("link", name="Change quantity").click()
        page.evaluate("() => { window.stillTheSamePage = true; }")
        live = page.locator("#quantity-preview")
        field = page.get_by_label("New total quantity")
        field.fill("")
        field.press_sequentially("9")
        expect(live.locator("[data-total]")).to_be_visible()
        shown = live.locator("[data-total]").inner_text()
        assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
        field.fill("")
        field.press_sequentially("12")
        expect(live.locator("[data-total]")).not_to_have_text(shown)
        assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
        updated = live.locator("[data-total]").inner_text()
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the new quantity")
        expect(page.locator("[data-total]")).to_have_text(updated)
