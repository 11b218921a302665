"""The one guard on every route: refuse credentials in URLs, authenticate, check the route's
declared scope, apply the caller's rate limit, and remember the principal."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from selfserve import idempotency
from selfserve.auth.customer_tokens import authenticate_token
from selfserve.auth.principal import Principal
from selfserve.auth.service import authenticate_api_key
from selfserve.db import request_lease
from selfserve.errors import Forbidden, InvalidParameter, NotAuthenticated, SelfserveError

_CREDENTIAL_IN_URL = re.compile(
    rb"(?:^|&)(?:nue-api-key|api[-_]?key|apikey|access[-_]?token|token|authorization)(?:=|&|$)",
    re.IGNORECASE,
)


class TooManyRequests(SelfserveError):
    status_code = 429
    error_code = "RATE_LIMITED"


def _automatic_options(handler: BaseRouteHandler) -> bool:
    """Litestar's own OPTIONS responder (it answers ``Allow`` and reads nothing)."""
    return getattr(handler, "http_methods", None) == {"OPTIONS"}


def route_policy(handler: BaseRouteHandler) -> str | None:
    """The scope a route requires, or None for a public route or a portal page (the portal
    router's own guard authenticates its session cookie)."""
    if handler.opt.get("public") or _automatic_options(handler):
        return None
    if handler.opt.get("portal") in ("open", "read", "write"):
        return None
    scope = handler.opt.get("scope")
    if not isinstance(scope, str):
        raise RuntimeError(f"route {handler!r} declares neither a scope nor public=True")
    return scope


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    if _CREDENTIAL_IN_URL.search(connection.scope.get("query_string", b"")):
        raise InvalidParameter(
            "query",
            "Credentials never go in URLs: send the key in the nue-api-key header or the "
            "token as Authorization: Bearer.",
            code="CREDENTIALS_IN_URL",
        )
    scope = route_policy(handler)
    if scope is None:
        return
    principal = await _authenticate(connection)
    if not principal.may(scope):
        raise Forbidden(
            f"This credential lacks the scope {scope!r} that this operation requires.",
            error_code="MISSING_SCOPE",
        )
    await rate_limit(connection, principal)
    connection.state.principal = principal
    if connection.scope.get("method") == "POST" and not handler.opt.get("read_only"):
        await _reserve_idempotency_key(connection, principal)


async def _reserve_idempotency_key(
    connection: ASGIConnection[Any, Any, Any, Any], principal: Principal
) -> None:
    key = connection.headers.get(idempotency.HEADER)
    if key is None or not isinstance(connection, Request):
        return
    body = await connection.body()
    request_hash = idempotency.fingerprint(
        "POST", connection.scope["path"], connection.scope.get("query_string", b""), body
    )
    state = connection.app.state
    connection.state.idempotency = await idempotency.reserve(
        request_lease(connection.scope), principal, key, request_hash, state.clock()
    )


async def _authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    state = connection.app.state
    api_key = connection.headers.get("nue-api-key")
    authorization = connection.headers.get("authorization")
    if api_key and authorization:
        raise NotAuthenticated(
            "Send one credential: the nue-api-key header or an Authorization bearer token.",
            error_code="AMBIGUOUS_CREDENTIALS",
        )
    now = state.clock()
    conn = await request_lease(connection.scope).read()
    if authorization:
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(
                "Authorization must be 'Bearer <customer token>'.", error_code="INVALID_TOKEN"
            )
        return await authenticate_token(conn, state.signing_keys, token.strip(), now)
    principal = await authenticate_api_key(conn, api_key, now)
    state.key_usage.saw(principal.subject, now)
    return principal


async def rate_limit(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal) -> None:
    state = connection.app.state
    rate = state.key_rate if principal.kind == "api_key" else state.token_rate
    decision = await state.rate_limiter.hit(f"{principal.kind}:{principal.subject}", rate)
    connection.state.rate_limit = decision
    if not decision.allowed:
        raise TooManyRequests(
            f"Too many requests for this credential; retry in {decision.retry_after} s.",
            headers={"Retry-After": str(decision.retry_after)},
        )


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The principal the guard authenticated."""
    principal: Principal = connection.state.principal
    return principal
