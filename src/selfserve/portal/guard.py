"""The portal's guard: the session cookie instead of an API key, CSRF on every form post, the
session's write right on actions, and the same rate limit as customer tokens."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from selfserve.auth.guard import rate_limit
from selfserve.db import request_lease
from selfserve.portal import sessions
from selfserve.portal.errors import CsrfRejected, ReadOnlySession, SessionInvalid
from selfserve.portal.sessions import COOKIE, PortalSession

CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


async def portal_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    mode = handler.opt.get("portal")
    if mode not in ("read", "write"):
        return  # the launch link, the expired page and static files need no session
    state = connection.app.state
    conn = await request_lease(connection.scope).read()
    session = await sessions.authenticate(conn, connection.cookies.get(COOKIE), state.clock())
    if session is None:
        raise SessionInvalid()
    connection.state.portal_session = session
    principal = session.principal()
    connection.state.principal = principal
    await rate_limit(connection, principal)
    if connection.scope.get("method") not in _SAFE:
        await _check_csrf(connection, session)
        if mode == "write" and not session.can_write:
            raise ReadOnlySession()


async def _check_csrf(
    connection: ASGIConnection[Any, Any, Any, Any], session: PortalSession
) -> None:
    """A form must carry the session's token (a field, or a header from htmx), and a browser
    that names an ``Origin`` must name this server. ``Origin: null`` names none: browsers send
    it for form posts under ``Referrer-Policy: no-referrer``, which every response carries."""
    origin = connection.headers.get("origin")
    named = origin if origin and origin != "null" else None
    if named and urlsplit(named).netloc != connection.headers.get("host", ""):
        raise CsrfRejected()
    sent = connection.headers.get(CSRF_HEADER)
    if sent is None and isinstance(connection, Request):
        form = await connection.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise CsrfRejected()


def current_session(connection: ASGIConnection[Any, Any, Any, Any]) -> PortalSession:
    session: PortalSession = connection.state.portal_session
    return session
