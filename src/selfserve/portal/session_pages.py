"""HTTP of the portal's session life: opening a link, the "link expired" page, switching
account, signing out, and the tenant's theme stylesheet."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath

from selfserve.db import request_lease
from selfserve.errors import ResourceNotFound
from selfserve.portal import sessions
from selfserve.portal import settings as portal_settings
from selfserve.portal.context import PortalPage, page_view
from selfserve.portal.render import html, redirect
from selfserve.portal.schemas import PortalSettings
from selfserve.portal.sessions import COOKIE


def session_cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    return Cookie(
        key=COOKIE, value=value, path="/portal", httponly=True, samesite="lax",
        secure=request.url.scheme == "https", max_age=max_age,
    )  # fmt: skip


@get("/portal/launch/{code:str}", opt={"portal": "open"}, include_in_schema=False)
async def launch(
    request: Request[Any, Any, Any], code: FromPath[str], state: State
) -> Response[bytes]:
    """Exchange the single-use link for the session cookie, then leave the link's URL."""
    now = state.clock()
    async with request_lease(request.scope).write() as conn:
        secret = await sessions.launch(conn, code, now)
    if secret is None:
        return redirect("/portal/expired", PortalSettings())
    async with request_lease(request.scope).write() as conn:
        session = await sessions.authenticate(conn, secret, now)
    assert session is not None
    response = redirect("/portal", PortalSettings())
    max_age = int((session.expires_at - now).total_seconds())
    response.set_cookie(session_cookie(request, secret, max_age))
    return response


@get("/portal/demo/{token:str}", opt={"portal": "open"}, include_in_schema=False)
async def demo(
    request: Request[Any, Any, Any], token: FromPath[str], state: State
) -> Response[bytes]:
    """``serve --demo`` only: a reusable link that opens a fresh write session for the demo
    customer. Without the demo settings (every real deployment) the route is a 404."""
    secret = state.settings.portal_demo_token.get_secret_value()
    customer = state.settings.portal_demo_customer
    if not secret or not customer or not hmac.compare_digest(token.encode(), secret.encode()):
        raise ResourceNotFound("Not found.")
    async with request_lease(request.scope).write() as conn:
        url = await sessions.demo_link(conn, customer, now=state.clock())
    return redirect(url, PortalSettings())


@get("/portal/expired", opt={"portal": "open"}, include_in_schema=False)
async def expired(request: Request[Any, Any, Any]) -> Response[bytes]:
    view = page_view(request, None, PortalSettings())
    response = html(request, view, "expired.html", status_code=401)
    response.delete_cookie(COOKIE, path="/portal")
    return response


@post("/portal/account", opt={"portal": "read"}, include_in_schema=False)
async def switch_account(request: Request[Any, Any, Any], portal: PortalPage) -> Response[bytes]:
    """The account switcher (a session that covers several customers)."""
    form = await request.form()
    customer_id = form.get("customerId")
    async with request_lease(request.scope).write() as conn:
        await sessions.switch_customer(conn, portal.session, str(customer_id or ""))
    return redirect("/portal", portal.settings, htmx=portal.htmx)


@post("/portal/logout", opt={"portal": "read"}, include_in_schema=False)
async def logout(
    request: Request[Any, Any, Any], portal: PortalPage, state: State
) -> Response[bytes]:
    async with request_lease(request.scope).write() as conn:
        await sessions.end(conn, portal.session, state.clock())
    response = redirect(portal.session.return_url or "/portal/expired", portal.settings)
    response.delete_cookie(COOKIE, path="/portal")
    return response


@get("/portal/theme.css", opt={"portal": "read"}, include_in_schema=False)
async def theme(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    """The tenant's branding as CSS custom properties (a stylesheet, so the CSP needs no
    inline styles)."""
    conn = await request_lease(request.scope).read()
    settings = await portal_settings.load(conn, request.state.portal_session.tenant_id)
    accent = settings.branding.accent_color  # validated as #rrggbb
    scheme = {"auto": "light dark", "light": "light", "dark": "dark"}[settings.branding.theme]
    body = f":root {{ --ss-accent: {accent}; color-scheme: {scheme}; }}\n"
    return Response(
        body.encode(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "no-store", "Vary": "Cookie"},
    )


ROUTES = [launch, demo, expired, switch_account, logout, theme]
