"""The portal's static files: the one vendored script is the published htmx, every file a
template references ships in the package, and no template carries inline script or style
(the content security policy forbids both)."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from importlib.resources.abc import Traversable

from tests.fixtures.world import World
from tests.portal.helpers import Browser, open_portal

HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
PACKAGE = resources.files("selfserve.portal")
REFERENCE = re.compile(r"/portal/static/([\w./-]+)")


def static(name: str) -> Traversable:
    found = PACKAGE.joinpath("static")
    for part in name.split("/"):
        found = found.joinpath(part)
    return found


def templates() -> dict[str, str]:
    folder = PACKAGE.joinpath("templates")
    return {
        t.name: t.read_text(encoding="utf-8") for t in folder.iterdir() if t.name.endswith(".html")
    }


def test_vendored_htmx_is_the_published_file() -> None:
    data = static("vendor/htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256


def test_every_referenced_static_file_ships_with_the_package() -> None:
    referenced = {"vendor/htmx-2.0.11.min.js"}
    for text in templates().values():
        referenced.update(m for m in REFERENCE.findall(text) if "{" not in m)
    for name in referenced:
        assert static(name).is_file(), name


def test_no_template_has_inline_script_style_or_handlers() -> None:
    for name, text in templates().items():
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), name
        assert "<style" not in text, name
        assert not re.search(r"\sstyle=", text), name
        assert not re.search(r"\son[a-z]+=", text), name
        assert "hx-on" not in text, name


def test_static_files_are_served_without_a_session(world: World) -> None:
    browser = Browser(world)
    script = browser.get("/portal/static/vendor/htmx-2.0.11.min.js")
    assert script.status_code == 200
    assert hashlib.sha256(script.content).hexdigest() == HTMX_SHA256
    assert browser.get("/portal/static/portal.css").headers["content-type"].startswith("text/css")


def test_pages_carry_a_strict_policy(world: World) -> None:
    page = open_portal(world).get("/portal")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
