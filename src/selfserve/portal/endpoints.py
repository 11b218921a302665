"""HTTP of the portal's JSON API for businesses: open a portal session, revoke it, and read
or replace the tenant's portal settings."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post, put
from litestar.params import FromPath

from selfserve.auth.scopes import PORTAL_MANAGE, TOKENS_CREATE
from selfserve.deps import Caller, DbConn, WriteConn
from selfserve.idempotency import respond
from selfserve.kit.body import decode
from selfserve.kit.http import json_response
from selfserve.kit.openapi import documented
from selfserve.portal import sessions
from selfserve.portal import settings as portal_settings
from selfserve.portal.schemas import (
    PortalSessionCreate,
    PortalSessionEnvelope,
    PortalSessionRevokedEnvelope,
    PortalSettings,
    PortalSettingsEnvelope,
)


def _base_url(request: Request[Any, Any, Any]) -> str:
    configured: str = request.app.state.settings.public_base_url
    return configured or str(request.base_url)


@post(
    "/portal/sessions",
    opt={"scope": TOKENS_CREATE, "action": "portal_session.created"},
    summary="Open a portal session",
    operation_class=documented(body=PortalSessionCreate),
)
async def create_session(
    request: Request[Any, Any, Any], tx: WriteConn, principal: Caller
) -> Response[PortalSessionEnvelope]:
    """A single-use link to the self-service portal for these customers (redirect the
    customer's browser to ``data.url`` within 60 seconds). Opening it sets an HttpOnly session
    cookie and leaves the link's URL; the session lasts ``expiresInSeconds`` (default one
    hour) unless revoked. Several customers get an account switcher."""
    body = decode(await request.body(), PortalSessionCreate)
    created = await sessions.create(
        tx, principal, body, now=request.app.state.clock(), base_url=_base_url(request)
    )
    envelope = PortalSessionEnvelope(status="SUCCESS", data=created)
    return await respond(tx, request, envelope, status_code=201)


@post(
    "/portal/sessions/{session_id:str}/revoke",
    opt={"scope": TOKENS_CREATE, "action": "portal_session.revoked"},
    status_code=200,
    summary="Revoke a portal session",
)
async def revoke_session(
    request: Request[Any, Any, Any], session_id: FromPath[str], tx: WriteConn, principal: Caller
) -> Response[PortalSessionRevokedEnvelope]:
    """End a portal session (and its unused link) at once, in every worker."""
    revoked = await sessions.revoke(tx, principal, session_id, request.app.state.clock())
    return await respond(tx, request, PortalSessionRevokedEnvelope("SUCCESS", revoked))


@get("/portal/settings", opt={"scope": PORTAL_MANAGE}, summary="Get the portal settings")
async def get_settings(
    request: Request[Any, Any, Any], conn: DbConn, principal: Caller
) -> Response[PortalSettingsEnvelope]:
    """The tenant's portal settings (defaults until replaced)."""
    current = await portal_settings.load(conn, principal.tenant_id)
    return json_response(request, PortalSettingsEnvelope("SUCCESS", current))


@put(
    "/portal/settings",
    opt={"scope": PORTAL_MANAGE, "action": "portal_settings.updated"},
    summary="Replace the portal settings",
    operation_class=documented(body=PortalSettings),
)
async def put_settings(
    request: Request[Any, Any, Any], tx: WriteConn, principal: Caller
) -> Response[PortalSettingsEnvelope]:
    """Replace the tenant's portal settings: which actions customers may take, the
    cancellation policy, branding, support and terms links, and the origins allowed to show
    the portal in an iframe. Omitted fields take their defaults."""
    body = decode(await request.body(), PortalSettings)
    await portal_settings.store(tx, principal.tenant_id, body, request.app.state.clock())
    return await respond(tx, request, PortalSettingsEnvelope("SUCCESS", body))


router = Router(
    path="/",
    route_handlers=[create_session, revoke_session, get_settings, put_settings],
    tags=["Portal"],
)
