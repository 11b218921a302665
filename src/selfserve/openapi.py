"""OpenAPI schema and interactive API documentation served without internet access.

``/docs`` shows Swagger UI, ``/docs/redoc`` shows Redoc and the schema is served as JSON at both
``/openapi.json`` and ``/docs/openapi.json``. Litestar's render plugins load their scripts and
stylesheets from CDNs unless told otherwise; here they point at copies vendored in
``static/docs/`` (see ``static/docs/SOURCES.md``) and served by :func:`static_files_router`.

Wiring, in the app factory::

    Litestar(
        route_handlers=[..., static_files_router(), openapi_json_route()],
        openapi_config=openapi_config(__version__),
    )
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    RedocRenderPlugin,
    SwaggerRenderPlugin,
)
from litestar.openapi.spec import Components, OpenAPI, SecurityScheme
from litestar.static_files import create_static_files_router

__all__ = [
    "API_KEY_HEADER",
    "DOCS_PATH",
    "OPENAPI_JSON_PATH",
    "REDOC_VERSION",
    "SECURITY_SCHEME_NAME",
    "STATIC_DOCS_DIR",
    "STATIC_DOCS_PATH",
    "SWAGGER_UI_VERSION",
    "openapi_config",
    "openapi_json_route",
    "static_files_router",
]

TITLE: Final = "Selfserve Orders API"
DESCRIPTION: Final = (
    "A Nue-compatible self-service orders API. "
    "Authenticate every request with your API key in the `nue-api-key` header. "
    'Successful responses wrap their payload in an envelope: `{"status": "SUCCESS", "data": ...}`. '
    "Money amounts are JSON numbers with the currency's number of decimals "
    "(`12.34` USD, `1500` JPY, `1.250` KWD); unit prices may carry more decimals when needed."
)

DOCS_PATH: Final = "/docs"
"""Swagger UI; Redoc is at ``/docs/redoc`` and the schema also at ``/docs/openapi.json``."""
OPENAPI_JSON_PATH: Final = "/openapi.json"
STATIC_DOCS_PATH: Final = "/static/docs"
STATIC_DOCS_DIR: Final = Path(__file__).parent / "static" / "docs"

API_KEY_HEADER: Final = "nue-api-key"
SECURITY_SCHEME_NAME: Final = "nueApiKey"

SWAGGER_UI_VERSION: Final = "5.35.0"
REDOC_VERSION: Final = "2.5.4"

# The package version is part of every asset URL, so a cached file never goes stale.
_SWAGGER_UI_URL: Final = f"{STATIC_DOCS_PATH}/swagger-ui-dist-{SWAGGER_UI_VERSION}"
_REDOC_URL: Final = f"{STATIC_DOCS_PATH}/redoc-{REDOC_VERSION}"
_FAVICON: Final = f'<link rel="icon" type="image/png" href="{_SWAGGER_UI_URL}/favicon-32x32.png">'
_ONE_YEAR: Final = 365 * 24 * 60 * 60


def openapi_config(version: str) -> OpenAPIConfig:
    """The OpenAPI configuration: schema metadata, API-key security and self-hosted doc pages."""
    return OpenAPIConfig(
        title=TITLE,
        version=version,
        description=DESCRIPTION,
        path=DOCS_PATH,
        # Documentation is public: the pages and the schema describe, they do not expose data.
        openapi_router=Router(
            path=DOCS_PATH, route_handlers=[], opt={"public": True}, include_in_schema=False
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                js_url=f"{_SWAGGER_UI_URL}/swagger-ui-bundle.js",
                css_url=f"{_SWAGGER_UI_URL}/swagger-ui.css",
                standalone_preset_js_url=f"{_SWAGGER_UI_URL}/swagger-ui-standalone-preset.js",
                path="/",
                favicon=_FAVICON,
            ),
            RedocRenderPlugin(
                js_url=f"{_REDOC_URL}/redoc.standalone.js",
                google_fonts=False,
                path="/redoc",
                favicon=_FAVICON,
            ),
            JsonRenderPlugin(path="/openapi.json", media_type=MediaType.JSON),
        ],
        components=Components(
            security_schemes={
                SECURITY_SCHEME_NAME: SecurityScheme(
                    type="apiKey",
                    name=API_KEY_HEADER,
                    security_scheme_in="header",
                    description="Your API key.",
                )
            }
        ),
        security=[{SECURITY_SCHEME_NAME: []}],
    )


def openapi_json_route() -> HTTPRouteHandler:
    """``GET /openapi.json``: the app's schema, the same document as ``/docs/openapi.json``.

    Litestar serves the schema only under the documentation path, so the root URL needs its own
    handler. The encoded schema is cached for as long as the app keeps the same schema object.
    """
    cached: list[tuple[OpenAPI, bytes]] = []

    @get(
        OPENAPI_JSON_PATH,
        media_type=MediaType.JSON,
        include_in_schema=False,
        sync_to_thread=False,
        opt={"public": True},
    )
    def openapi_json(request: Request[Any, Any, Any]) -> bytes:
        schema = request.app.openapi_schema
        if not cached or cached[0][0] is not schema:
            cached[:] = [(schema, OpenAPIRenderPlugin.render_json(request, schema.to_schema()))]
        return cached[0][1]

    return openapi_json


def static_files_router() -> Router:
    """``/static/docs/...``: the vendored documentation assets, cacheable for a year."""
    return create_static_files_router(
        path=STATIC_DOCS_PATH,
        directories=[STATIC_DOCS_DIR],
        name="docs_assets",
        cache_control=CacheControlHeader(public=True, max_age=_ONE_YEAR, immutable=True),
        include_in_schema=False,
        opt={"public": True},
    )
