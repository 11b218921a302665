"""axe-core on every portal page, on a phone and a desktop, in English and German: no
serious or critical violation. The same tour saves the README's screenshots on request."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, Page

from tests.portal.browser.conftest import DESKTOP, VIEWPORTS, OpenPortal, shoot
from tests.portal.browser.server import PortalServer

pytestmark = pytest.mark.browser

BLOCKING = frozenset({"serious", "critical"})


def blocking_violations(page: Page) -> list[str]:
    """One line per serious or critical axe-core violation of the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    found = page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


def navigation_statuses(page: Page) -> list[int]:
    """The HTTP status of every page load from now on, the latest last."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if r.request.is_navigation_request() else None,
    )
    return statuses


def test_axe_reports_what_it_finds(chromium: Browser) -> None:
    """The check itself works: a page with an unlabelled image and field is refused."""
    context = chromium.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_content('<html lang="en"><title>t</title><img src="x.png"><input></html>')
        assert any("image-alt" in line for line in blocking_violations(page))
    finally:
        context.close()


Visit = Callable[[Page, PortalServer], None]


def _goto(path: str) -> Visit:
    def visit(page: Page, server: PortalServer) -> None:
        page.goto(f"{server.base}{path}")

    return visit


def _first(list_path: str) -> Visit:
    """The first item of a list page, opened by its link as a customer would."""

    def visit(page: Page, server: PortalServer) -> None:
        page.goto(f"{server.base}{list_path}")
        page.locator("main table a").first.click()

    return visit


def _forged_form(page: Page, server: PortalServer) -> None:
    """An error page as a customer meets it: a form whose CSRF token does not match."""
    page.goto(f"{server.base}/portal")
    sign_out = page.locator("form[action='/portal/logout']")
    sign_out.locator("input[name=_csrf]").evaluate("field => { field.value = 'forged'; }")
    sign_out.get_by_role("button").click()


# Each page with the HTTP status it must answer, so an error page never passes for the page.
PAGES: dict[str, tuple[Visit, int]] = {
    "overview": (_goto("/portal"), 200),
    "orders": (_goto("/portal/orders"), 200),
    "order": (_first("/portal/orders"), 200),
    "subscriptions": (_goto("/portal/subscriptions"), 200),
    "subscription": (_first("/portal/subscriptions"), 200),
    "invoices": (_goto("/portal/invoices"), 200),
    "invoice": (_first("/portal/invoices"), 200),
    "renewals": (_goto("/portal/renewals"), 200),
    "bad-request": (_goto("/portal/orders?status=nonsense"), 400),
    "not-found": (_goto("/portal/orders/00000000-0000-4000-8000-000000000000"), 404),
    "forbidden": (_forged_form, 403),
    "expired": (_goto("/portal/expired"), 401),  # last: it signs the context out
}

# Every page on a desktop in English and on a phone in German (the narrowest screen with the
# longest words); axe takes a second or two a page, so not every combination. The tours also
# take the screenshots of docs/screenshots (see ``shoot``).
TOURS = [("1280", "en-US"), ("375", "de-DE")]


@pytest.mark.parametrize(("width", "locale"), TOURS)
def test_every_page_has_no_serious_violation(
    open_portal: OpenPortal, app_server: PortalServer, width: str, locale: str
) -> None:
    problems: list[str] = []
    opening = open_portal(app_server.history_customer, viewport=VIEWPORTS[width], locale=locale,
                          init_script=AXE_SCRIPT)  # fmt: skip
    with opening as page:
        statuses = navigation_statuses(page)
        for name, (visit, status) in PAGES.items():
            visit(page, app_server)
            page.wait_for_load_state("load")
            assert statuses[-1] == status, f"{name}: {page.url} answered {statuses[-1]}"
            assert page.locator("html").get_attribute("lang") == locale[:2], name
            problems += blocking_violations(page)
            shoot(page, name)
    assert not problems, "\n".join(problems)


def _actions_tour(page: Page) -> Iterator[str]:
    """Every action's form and preview page of a live subscription, reached by its links and
    buttons (located by their place, so the tour runs in any language); yields page names."""
    page.locator("main table a[href^='/portal/subscriptions/']").first.click()
    subscription = page.url
    for action, submit in (("cancel", True), ("quantity", True), ("renew", True),
                           ("auto-renew", False)):  # fmt: skip
        page.goto(subscription)
        page.locator(f"main a[href$='/{action}']").click()
        yield f"action-{action}"
        if submit:
            if action == "cancel":
                page.locator("input[name=timing]").first.check()
            if action == "quantity":
                page.locator("input[name=quantity]").fill("7")
            page.locator("main form button[type=submit]").first.click()
            yield f"action-{action}-preview"
    # Confirm a cancellation, then open the page that withdraws it.
    page.goto(subscription)
    page.locator("main a[href$='/cancel']").click()
    page.locator("input[name=timing]").first.check()
    page.locator("main form button[type=submit]").first.click()
    page.locator("main form button[type=submit]").first.click()
    page.locator("main a[href$='/uncancel']").click()
    yield "action-uncancel"


@pytest.mark.parametrize(("width", "locale"), TOURS)
def test_every_action_page_has_no_serious_violation(
    open_portal: OpenPortal, app_server: PortalServer, width: str, locale: str
) -> None:
    customer = app_server.customer_with_subscription(f"Axe {width} {locale}")
    problems: list[str] = []
    opening = open_portal(customer, viewport=VIEWPORTS[width], locale=locale,
                          init_script=AXE_SCRIPT)  # fmt: skip
    with opening as page:
        statuses = navigation_statuses(page)
        for name in _actions_tour(page):
            page.wait_for_load_state("load")
            assert statuses[-1] == 200, f"{name}: {page.url} answered {statuses[-1]}"
            problems += blocking_violations(page)
            shoot(page, name)
    assert not problems, "\n".join(problems)
