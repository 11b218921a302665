"""A browser-like client of the portal: its own cookie jar, no API key, form posts."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.fixtures.world import World

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


class Browser:
    def __init__(self, world: World) -> None:
        self.world = world
        transport = httpx.ASGITransport(app=world.api.app)  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.session_id = ""

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.world.run.run(self.client.get(path, **kw))

    def post(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return self.world.run.run(self.client.post(path, data=data or {}, **kw))

    def csrf(self, page: str = "/portal") -> str:
        found = CSRF.search(self.get(page).text)
        assert found, "the page carries no CSRF token"
        return found[1]

    def submit(self, path: str, fields: dict[str, str], page: str = "/portal") -> httpx.Response:
        return self.post(path, {"_csrf": self.csrf(page), **fields})


def mint(world: World, customers: list[str], **body: Any) -> httpx.Response:
    return world.api.post("/portal/sessions", json={"customerIds": customers, **body})


def open_portal(world: World, customers: list[str] | None = None, **body: Any) -> Browser:
    """A browser with an opened session for ``customers`` (default: alice)."""
    created = mint(world, customers or [world.alice], **body)
    assert created.status_code == 201, created.text
    browser = Browser(world)
    url = created.json()["data"]["url"]
    landed = browser.get(url.removeprefix("http://testserver"))
    assert landed.status_code == 303, landed.text
    assert landed.headers["location"] == "/portal"
    browser.session_id = created.json()["data"]["id"]
    return browser
