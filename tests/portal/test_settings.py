"""Per-tenant portal settings: the API that reads and replaces them, and what they change on
the pages (branding, links, embedding)."""

from __future__ import annotations

from tests.fixtures.world import World
from tests.portal.helpers import open_portal

SETTINGS = {
    "branding": {"name": "Acme Cloud", "accentColor": "#aa3300", "theme": "dark"},
    "supportUrl": "https://acme.test/support",
    "termsUrl": "https://acme.test/terms",
    "embedOrigins": ["https://app.acme.test", "http://localhost:3000"],
    "actions": {"renew": False},
}


def test_defaults_until_replaced_then_what_was_stored(world: World) -> None:
    default = world.api.get("/portal/settings")
    assert default.status_code == 200
    assert default.json()["data"]["actions"]["cancel"] is True
    assert default.json()["data"]["embedOrigins"] == []
    stored = world.api.request("PUT", "/portal/settings", json=SETTINGS)
    assert stored.status_code == 200, stored.text
    data = world.api.get("/portal/settings").json()["data"]
    assert data["branding"]["name"] == "Acme Cloud"
    assert data["actions"] == {
        "cancel": True, "uncancel": True, "renew": False, "changeQuantity": True,
        "autoRenew": True,
    }  # fmt: skip
    other = world.api.get("/portal/settings", key=world.other_key).json()["data"]
    assert other["branding"]["name"] is None  # settings are the tenant's own


def test_invalid_settings_name_the_field(world: World) -> None:
    cases = [
        ({"branding": {"accentColor": "red"}}, "branding.accentColor"),
        ({"embedOrigins": ["https://a.test/path"]}, "embedOrigins[0]"),
        ({"supportUrl": "javascript:alert(1)"}, "supportUrl"),
        ({"cancellation": {"timing": []}}, "cancellation.timing"),
        ({"unknown": 1}, "unknown"),
    ]
    for body, field in cases:
        response = world.api.request("PUT", "/portal/settings", json=body)
        assert response.status_code == 400, body
        assert field in response.json()["details"][0]["parameter"], response.text


def test_pages_show_the_branding_links_and_allow_the_embedding_origins(world: World) -> None:
    assert world.api.request("PUT", "/portal/settings", json=SETTINGS).status_code == 200
    browser = open_portal(world)
    page = browser.get("/portal")
    assert "Acme Cloud" in page.text
    assert 'data-theme="dark"' in page.text
    assert 'href="https://acme.test/support"' in page.text
    assert 'href="https://acme.test/terms"' in page.text
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors https://app.acme.test http://localhost:3000" in policy
    assert "x-frame-options" not in page.headers
    theme = browser.get("/portal/theme.css")
    assert "--ss-accent: #aa3300" in theme.text
    assert "color-scheme: dark" in theme.text
