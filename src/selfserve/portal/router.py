"""The portal mounted under ``/portal``: its pages, its session guard, its static files and
its HTML error pages; the JSON API for businesses lives in ``endpoints.py``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.static_files import create_static_files_router

from selfserve.db import DatabaseUnavailable
from selfserve.errors import SelfserveError, request_id_of
from selfserve.kit.l10n import DEFAULT_LOCALE
from selfserve.portal import actions, pages, session_pages
from selfserve.portal.context import page_view, provide_portal
from selfserve.portal.errors import SessionInvalid
from selfserve.portal.guard import portal_guard
from selfserve.portal.render import html, redirect
from selfserve.portal.schemas import PortalSettings

logger = logging.getLogger("selfserve.portal")
STATIC_DIR = Path(__file__).parent / "static"


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[bytes]:
    session = request.scope.get("state", {}).get("portal_session")
    view = page_view(request, session, PortalSettings())
    # The API's own error messages are English; on a page in another language a message
    # without a translation is left out (the heading and the hints below it say enough).
    shown = view._(message) if message else ""
    if shown == message and view.locale != DEFAULT_LOCALE:
        shown = ""
    return html(request, view, "error.html", status_code=status, status=status, message=shown)


def _expired(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    return redirect("/portal/expired", PortalSettings(), htmx=_is_htmx(request))


def _selfserve(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, SelfserveError)
    return _error_page(request, exc.status_code, exc.message)


def _http(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, "")
    return _error_page(request, exc.status_code, str(exc.detail))


def not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The portal's 404 page, also for ``/portal/...`` paths no route matches."""
    return _error_page(request, 404, "")


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    logger.exception("unhandled portal error (request %s)", request_id_of(request), exc_info=exc)
    return _error_page(request, 500, "")


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    return _error_page(request, 503, "")


def portal_router() -> Router:
    static = create_static_files_router(
        path="/portal/static",
        directories=[STATIC_DIR],
        name="portal_static",
        cache_control=CacheControlHeader(public=True, max_age=3600),
        include_in_schema=False,
        opt={"public": True},
    )
    return Router(
        path="/",
        route_handlers=[*session_pages.ROUTES, *pages.ROUTES, *actions.ROUTES, static],
        guards=[portal_guard],
        dependencies={"portal": Provide(provide_portal)},
        exception_handlers={
            SessionInvalid: _expired,
            SelfserveError: _selfserve,
            HTTPException: _http,
            DatabaseUnavailable: _unavailable,
            Exception: _internal,
        },
        include_in_schema=False,
    )
