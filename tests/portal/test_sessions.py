"""Portal sessions: a single-use link, exchanged for an HttpOnly cookie, expiring and
revocable; the JSON API that mints them."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.fixtures.app import NOW
from tests.fixtures.world import World
from tests.portal.helpers import Browser, mint, open_portal


def test_link_opens_a_session_once_and_leaves_the_url(world: World) -> None:
    created = mint(world, [world.alice], scopes=["read", "write"], locale="de")
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["scopes"] == ["read", "write"]
    assert data["customerIds"] == [world.alice]
    path = data["url"].removeprefix("http://testserver")
    assert path.startswith("/portal/launch/")
    browser = Browser(world)
    first = browser.get(path)
    assert first.status_code == 303
    assert first.headers["location"] == "/portal"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/portal" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets it
    page = browser.get("/portal")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert '<html lang="de"' in page.text
    again = Browser(world).get(path)
    assert again.status_code == 303
    assert again.headers["location"] == "/portal/expired"


def test_no_cookie_is_sent_to_the_expired_page(world: World) -> None:
    response = Browser(world).get("/portal")
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/expired"
    expired = Browser(world).get("/portal/expired")
    assert expired.status_code == 401
    assert "expired" in expired.text


def test_revoked_session_is_sent_to_the_expired_page(world: World) -> None:
    browser = open_portal(world)
    assert browser.get("/portal").status_code == 200
    revoked = world.api.post(f"/portal/sessions/{browser.session_id}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["data"]["id"] == browser.session_id
    response = browser.get("/portal")
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/expired"


def test_revoking_an_unopened_session_kills_its_link(world: World) -> None:
    created = mint(world, [world.alice]).json()["data"]
    assert world.api.post(f"/portal/sessions/{created['id']}/revoke").status_code == 200
    path = created["url"].removeprefix("http://testserver")
    assert Browser(world).get(path).headers["location"] == "/portal/expired"


def test_revoking_another_tenants_session_is_a_404(world: World) -> None:
    created = mint(world, [world.alice]).json()["data"]
    response = world.api.post(f"/portal/sessions/{created['id']}/revoke", key=world.other_key)
    assert response.status_code == 404


def test_session_expires(world: World) -> None:
    from tests.fixtures.app import Api

    browser = open_portal(world, expiresInSeconds=300)
    later = Api(world.conn, world.run, now=NOW + timedelta(seconds=301))
    browser.client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=later.app),  # type: ignore[arg-type]
        base_url="http://testserver",
        cookies=browser.client.cookies,
    )
    response = browser.get("/portal")
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/expired"


def test_link_expires_after_sixty_seconds(world: World) -> None:
    from tests.fixtures.app import Api

    created = mint(world, [world.alice])
    path = created.json()["data"]["url"].removeprefix("http://testserver")
    later = Api(world.conn, world.run, now=NOW + timedelta(seconds=61))
    response = world.run.run(later.client.get(path))
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/expired"


def test_unknown_customer_is_a_404_naming_the_index(world: World) -> None:
    response = mint(world, [world.alice, "00000000-0000-4000-8000-000000000000"])
    assert response.status_code == 404
    assert "customerIds[1]" in response.json()["message"]


def test_bad_body_names_the_field(world: World) -> None:
    response = mint(world, [world.alice], returnUrl="javascript:alert(1)")
    assert response.status_code == 400
    assert response.json()["details"][0]["parameter"] == "returnUrl"
    response = mint(world, [world.alice], expiresInSeconds=10)
    assert response.status_code == 400
    assert response.json()["details"][0]["parameter"] == "expiresInSeconds"


def test_demo_link_is_a_404_unless_the_demo_configured_it(world: World) -> None:
    assert Browser(world).get("/portal/demo/anything").status_code == 404


def test_demo_link_opens_a_fresh_write_session(world: World) -> None:
    from tests.fixtures.app import Api

    demo = Api(world.conn, world.run, portal_demo_customer=world.alice, portal_demo_token="t" * 32)
    browser = Browser(world)
    browser.client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=demo.app),  # type: ignore[arg-type]
        base_url="http://testserver",
    )
    assert browser.get("/portal/demo/wrong").status_code == 404
    first = browser.get("/portal/demo/" + "t" * 32)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/portal/launch/")
    assert browser.get(first.headers["location"]).headers["location"] == "/portal"
    assert browser.get("/portal").status_code == 200


def test_an_unmatched_portal_path_is_the_portals_404_page(world: World) -> None:
    response = open_portal(world).get("/portal/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text
    api = world.api.get("/no-such-route")
    assert api.status_code == 404
    assert api.json()["errorCode"] == "ROUTE_NOT_FOUND"
