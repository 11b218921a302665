"""The API documentation pages work offline: every asset they load is served by the app itself."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from selfserve.openapi import (
    API_KEY_HEADER,
    SECURITY_SCHEME_NAME,
    STATIC_DOCS_DIR,
    STATIC_DOCS_PATH,
    openapi_config,
    openapi_json_route,
    static_files_router,
)

DOC_PAGES = ["/docs", "/docs/redoc"]
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
SOURCES_ROW = re.compile(
    r"^\| `(?P<path>[^`]+)` \| (?P<size>\d+) \| `(?P<sha256>[0-9a-f]{64})` \|$"
)


@get("/v1/ping", sync_to_thread=False)
def ping() -> dict[str, str]:
    return {"status": "SUCCESS"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    app = Litestar(
        route_handlers=[ping, static_files_router(), openapi_json_route()],
        openapi_config=openapi_config("1.2.3"),
    )
    with TestClient(app) as test_client:
        yield test_client


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value is not None:
                self.urls.append((tag, name, value))


def _links(html: str) -> list[tuple[str, str, str]]:
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.urls


def _sources() -> dict[str, tuple[int, str]]:
    text = (STATIC_DOCS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    rows = (SOURCES_ROW.match(line) for line in text.splitlines())
    return {m["path"]: (int(m["size"]), m["sha256"]) for m in rows if m}


def _vendored_files() -> set[str]:
    return {
        path.relative_to(STATIC_DOCS_DIR).as_posix()
        for path in STATIC_DOCS_DIR.rglob("*")
        if path.is_file() and path.name != "SOURCES.md"
    }


@pytest.mark.parametrize("page", DOC_PAGES)
def test_doc_page_loads_only_same_origin_assets(client: TestClient[Litestar], page: str) -> None:
    response = client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    links = _links(response.text)
    scripts = [url for tag, attr, url in links if tag == "script" and attr == "src"]
    stylesheets_and_icons = [url for tag, attr, url in links if tag == "link" and attr == "href"]
    assert scripts
    assert stylesheets_and_icons
    for _tag, _attr, url in links:
        parts = urlsplit(url)
        assert not parts.scheme, url
        assert not parts.netloc, url
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    assert "//cdn" not in response.text
    assert "googleapis" not in response.text


@pytest.mark.parametrize("page", DOC_PAGES)
def test_doc_page_assets_are_served(client: TestClient[Litestar], page: str) -> None:
    sources = _sources()
    asset_urls = [url for _tag, _attr, url in _links(client.get(page).text)]

    for url in asset_urls:
        response = client.get(url)

        assert response.status_code == 200, url
        assert url.startswith(f"{STATIC_DOCS_PATH}/"), url
        expected_type = CONTENT_TYPES[Path(url).suffix]
        assert expected_type in response.headers["content-type"], url
        cache_control = response.headers["cache-control"]
        assert "max-age=31536000" in cache_control
        assert "immutable" in cache_control
        _size, sha256 = sources[url.removeprefix(f"{STATIC_DOCS_PATH}/")]
        assert hashlib.sha256(response.content).hexdigest() == sha256, url


def test_swagger_is_the_main_docs_page(client: TestClient[Litestar]) -> None:
    html = client.get("/docs").text

    assert "SwaggerUIBundle(" in html
    assert "Redoc.init(" in client.get("/docs/redoc").text


def test_missing_asset_is_not_cached(client: TestClient[Litestar]) -> None:
    response = client.get(f"{STATIC_DOCS_PATH}/swagger-ui-dist-0.0.0/swagger-ui-bundle.js")

    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")


def test_openapi_json_at_root(client: TestClient[Litestar]) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    schema = response.json()
    assert schema["info"]["title"] == "Selfserve Orders API"
    assert schema["info"]["version"] == "1.2.3"
    assert API_KEY_HEADER in schema["info"]["description"]
    assert schema["components"]["securitySchemes"][SECURITY_SCHEME_NAME] == {
        "type": "apiKey",
        "name": "nue-api-key",
        "in": "header",
        "description": "Your API key.",
    }
    assert schema["security"] == [{SECURITY_SCHEME_NAME: []}]
    assert list(schema["paths"]) == ["/v1/ping"]
    assert client.get("/openapi.json").content == response.content


def test_openapi_json_under_docs_matches_root(client: TestClient[Litestar]) -> None:
    response = client.get("/docs/openapi.json")

    assert response.status_code == 200
    assert response.json() == client.get("/openapi.json").json()


def test_vendored_files_match_sources() -> None:
    sources = _sources()

    assert set(sources) == _vendored_files()
    for relative, (size, sha256) in sources.items():
        content = (STATIC_DOCS_DIR / relative).read_bytes()
        assert len(content) == size, relative
        assert hashlib.sha256(content).hexdigest() == sha256, relative


def test_license_files_are_vendored() -> None:
    files = _vendored_files()
    text = (STATIC_DOCS_DIR / "SOURCES.md").read_text(encoding="utf-8")

    for package in {relative.split("/")[0] for relative in files}:
        assert f"{package}/LICENSE" in files
        name, _, version = package.rpartition("-")
        assert f"`{name}@{version}`" in text
    assert "Apache-2.0" in text
    assert "MIT" in text
