"""axe-core on every portal page, on a phone and a desktop, in English and German: no
serious or critical violation. The same tour saves the README's screenshots on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.portal.browser.conftest import DESKTOP, VIEWPORTS, OpenPortal, shoot
from tests.portal.browser.server import PortalServer

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = frozenset({"serious", "critical"})


def blocking_violations(page: Page) -> list[str]:
    """One line per serious or critical axe-core violation of the page as it is now."""
    found = AXE.run(page).response["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


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


def _overview(page: Page, server: PortalServer) -> None:
    page.goto(f"{server.base}/portal")


def _forged_form(page: Page, server: PortalServer) -> None:
    """An error page as a customer meets it: a form whose CSRF token does not match."""
    page.goto(f"{server.base}/portal")
    page.locator("form[action='/portal/logout'] input[name=_csrf]").evaluate(
        "field => { field.value = 'forged'; }"
    )
    page.get_by_role("button", name="Sign out").click()


def _expired(page: Page, server: PortalServer) -> None:
    page.goto(f"{server.base}/portal/expired")


PAGES: dict[str, Visit] = {
    "overview": _overview,
    "error": _forged_form,
    "expired": _expired,  # last: it signs the context out
}


# Both viewports in English, and German on a phone (longest words, narrowest screen); axe
# takes about a second a page, so not every combination.
TOURS = [("375", "en-US"), ("1280", "en-US"), ("375", "de-DE")]


@pytest.mark.parametrize(("width", "locale"), TOURS)
def test_every_page_has_no_serious_violation(
    open_portal: OpenPortal, app_server: PortalServer, width: str, locale: str
) -> None:
    problems: list[str] = []
    with open_portal(app_server.history_customer, viewport=VIEWPORTS[width], locale=locale) as page:
        for name, visit in PAGES.items():
            visit(page, app_server)
            page.wait_for_load_state("load")
            assert page.locator("html").get_attribute("lang") == locale[:2], name
            problems += blocking_violations(page)
            if locale == "en-US":
                shoot(page, name)
    assert not problems, "\n".join(problems)
