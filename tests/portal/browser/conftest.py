"""Fixtures of the browser tests: Debian's headless Chromium driven by Playwright (no browser
download), one app server for the whole run, and pages opened from a fresh portal link.

Without Chromium these tests are skipped, except under ``CI=true``, where they fail."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from tests.conftest import IN_CI
from tests.portal.browser import server as portal_server
from tests.portal.browser.server import PortalServer

CHROMIUM = os.environ.get("SELFSERVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PHONE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
VIEWPORTS = {"375": PHONE, "1280": DESKTOP}

OpenPortal = Callable[..., AbstractContextManager[Page]]


def chromium_path() -> str:
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if found:
        return found
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if IN_CI:
        pytest.fail(f"{reason} and CI=true: the browser tests must run")
    pytest.skip(reason)


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread until it stops, and the rest of the suite runs its own loop (``event_loop_runner``).
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    server = portal_server.start(tmp_path_factory.mktemp("portal-browser"))
    yield server
    server.stop()


@pytest.fixture(scope="package")
def open_portal(chromium: Browser, app_server: PortalServer) -> OpenPortal:
    """``with open_portal(customer, viewport=PHONE, js=False, locale="de-DE") as page``: a
    new browser context (own cookies) that opened a fresh portal link of ``customer``."""

    @contextmanager
    def opened(
        customer: str, *, viewport: ViewportSize = DESKTOP, js: bool = True,
        locale: str = "en-US", scopes: tuple[str, ...] = ("read", "write"),
        init_script: str | None = None,
    ) -> Iterator[Page]:  # fmt: skip
        context = chromium.new_context(
            viewport=viewport, java_script_enabled=js, locale=locale, accept_downloads=True
        )  # fmt: skip
        context.set_default_timeout(10_000)
        if init_script:
            context.add_init_script(init_script)
        try:
            page = context.new_page()
            response = page.goto(app_server.portal_link(customer, scopes))
            assert response is not None and response.ok, response and response.status
            assert page.url == f"{app_server.base}/portal", "the link must land on a clean URL"
            yield page
        finally:
            context.close()

    return opened


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test reports what the server logged (tracebacks of 500s)."""
    report: pytest.TestReport = yield
    server = getattr(item, "funcargs", {}).get("app_server")
    if report.failed and isinstance(server, PortalServer):
        report.sections.append(("server log", server.log_tail()))
    return report


def shoot(page: Page, name: str) -> None:
    """Save a viewport screenshot as ``docs/screenshots/<name>-<width>.png`` when
    ``SELFSERVE_SCREENSHOTS`` names that folder (``make`` never does: the committed images
    change only when someone regenerates them on purpose)."""
    folder = os.environ.get("SELFSERVE_SCREENSHOTS")
    if not folder:
        return
    width = page.viewport_size["width"] if page.viewport_size else 0
    Path(folder).mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(page.screenshot(animations="disabled")))
    # 256 colours are plenty for a page of text and a third of the bytes of full colour.
    small = shot.convert("RGB").quantize(
        256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    small.save(Path(folder) / f"{name}-{width}.png", optimize=True)
