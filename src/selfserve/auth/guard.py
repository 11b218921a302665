"""The one guard on every route: authenticate, then check the route's declared scope."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from selfserve.auth.principal import Principal
from selfserve.auth.service import authenticate_api_key
from selfserve.db import Database
from selfserve.errors import Forbidden


def _automatic_options(handler: BaseRouteHandler) -> bool:
    """Litestar's own OPTIONS responder (it answers ``Allow`` and reads nothing)."""
    return getattr(handler, "http_methods", None) == {"OPTIONS"}


def route_policy(handler: BaseRouteHandler) -> str | None:
    """The scope a route requires, or None for a public route."""
    if handler.opt.get("public") or _automatic_options(handler):
        return None
    scope = handler.opt.get("scope")
    if not isinstance(scope, str):
        raise RuntimeError(f"route {handler!r} declares neither a scope nor public=True")
    return scope


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    scope = route_policy(handler)
    if scope is None:
        return
    db: Database = connection.app.state.db
    async with db.read() as conn:
        principal = await authenticate_api_key(conn, connection.headers.get("nue-api-key"))
    if not principal.may(scope):
        raise Forbidden(
            f"This credential lacks the scope {scope!r} that this operation requires.",
            error_code="MISSING_SCOPE",
        )
    connection.state.principal = principal


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """Dependency: the principal the guard authenticated."""
    principal: Principal = connection.state.principal
    return principal
