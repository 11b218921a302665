"""HTTP of the portal's pages: declare inputs, assemble the view, render the template."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from selfserve.deps import DbConn
from selfserve.errors import InvalidParameter, ResourceNotFound
from selfserve.invoices import service as invoices
from selfserve.portal import actions, formats, views
from selfserve.portal.context import Portal, PortalPage
from selfserve.portal.render import View, headers_for, html

NOTICES = frozenset({"canceled", "uncanceled", "renewed", "quantity", "autorenew", "account"})


def notice_of(request: Request[Any, Any, Any]) -> str | None:
    """The result message after an action (the action redirects here with ``?done=``)."""
    done = request.query_params.get("done")
    return done if done in NOTICES else None


@get("/portal", opt={"portal": "read"}, include_in_schema=False)
async def overview(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn
) -> Response[bytes]:
    """Live subscriptions with their next renewal or end, unpaid invoices, recent orders."""
    data = await views.overview(conn, portal.ctx)
    return html(request, portal.view, "overview.html", data=data, notice=notice_of(request))


ROUTES: list[HTTPRouteHandler] = [overview]


READ = {"portal": "read"}


def _param(request: Request[Any, Any, Any], name: str) -> str | None:
    return request.query_params.get(name)


def problem(view: View, parameter: str, value: str | None) -> str:
    """What is wrong with the page's address, in the reader's words."""
    _ = view._
    if parameter == "cursor":
        return _("This page link is out of date or incomplete. Start again from the first page.")
    if parameter == "q":
        return _("Search for 1 to 100 characters of an order number or name.")
    return _("“{value}” is not a valid choice for “{name}”.", value=value or "", name=parameter)


def bad_request(
    request: Request[Any, Any, Any], portal: Portal, exc: InvalidParameter, back: str
) -> Response[bytes]:
    """A 400 page naming the parameter at fault, with the way back to the whole list."""
    details = exc.details or []
    allowed = details[0].allowed if details and details[0].allowed else []
    message = problem(portal.view, exc.parameter, _param(request, exc.parameter))
    return html(
        request, portal.view, "bad_request.html", status_code=400,
        message=message, allowed=allowed, back=back,
    )  # fmt: skip


def page(
    request: Request[Any, Any, Any], portal: Portal, template: str, **values: Any
) -> Response[bytes]:
    """A read page: its values, the formatting helpers, and whether htmx asked for it."""
    return html(request, portal.view, template, fmt=formats, portal_htmx=portal.htmx, **values)


@get("/portal/orders", opt=READ, include_in_schema=False)
async def order_list(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn
) -> Response[bytes]:
    """The customer's orders: a status filter, search by number or name, keyset pages."""
    status, search, cursor = (_param(request, n) for n in ("status", "q", "cursor"))
    try:
        data = await views.order_list(conn, portal.ctx, status, search, cursor)
    except InvalidParameter as exc:
        return bad_request(request, portal, exc, "/portal/orders")
    return page(request, portal, "orders.html", data=data)


@get("/portal/orders/{order_id:str}", opt=READ, include_in_schema=False)
async def order_page(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn, order_id: FromPath[str]
) -> Response[bytes]:
    """One order: facts, lines, totals, what it produced, its invoices and its changes."""
    try:
        order = await views.order_detail(conn, portal.ctx, order_id)
    except ResourceNotFound:
        raise NotFoundException() from None
    events = order.history if isinstance(order.history, list) else []
    timeline = formats.timeline(portal.view, events, order.currency)
    return page(request, portal, "order.html", order=order, timeline=timeline)


@get("/portal/subscriptions", opt=READ, include_in_schema=False)
async def subscription_list(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn
) -> Response[bytes]:
    """Subscriptions, assets or entitlements (``type``), ended ones included by default."""
    kind, status, cursor = (_param(request, n) for n in ("type", "status", "cursor"))
    try:
        data = await views.asset_list(conn, portal.ctx, kind, status, cursor)
    except InvalidParameter as exc:
        return bad_request(request, portal, exc, "/portal/subscriptions")
    return page(request, portal, "subscriptions.html", data=data)


@get("/portal/subscriptions/{subscription_id:str}", opt=READ, include_in_schema=False)
async def subscription_page(
    request: Request[Any, Any, Any],
    portal: PortalPage,
    conn: DbConn,
    subscription_id: FromPath[str],
) -> Response[bytes]:
    """One subscription, asset or entitlement with its versions and the actions area."""
    try:
        data = await views.subscription_detail(conn, portal.ctx, subscription_id)
    except ResourceNotFound:
        raise NotFoundException() from None
    offered = actions.offered(request, portal, data.subscription, data.actions)
    return page(
        request, portal, "subscription.html", data=data, offered=offered, notice=notice_of(request)
    )


@get("/portal/invoices", opt=READ, include_in_schema=False)
async def invoice_list(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn
) -> Response[bytes]:
    """The customer's invoices: all, open, overdue or paid, keyset pages."""
    status, cursor = _param(request, "status"), _param(request, "cursor")
    try:
        data = await views.invoice_list(conn, portal.ctx, status, cursor)
    except InvalidParameter as exc:
        return bad_request(request, portal, exc, "/portal/invoices")
    return page(request, portal, "invoices.html", data=data)


@get("/portal/invoices/{invoice_id:str}", opt=READ, include_in_schema=False)
async def invoice_page(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn, invoice_id: FromPath[str]
) -> Response[bytes]:
    """One invoice: its lines, totals, what was paid and what is due, and its PDF."""
    try:
        data = await views.invoice_detail(conn, portal.ctx, invoice_id)
    except ResourceNotFound:
        raise NotFoundException() from None
    return page(request, portal, "invoice.html", data=data)


@get("/portal/invoices/{invoice_id:str}/pdf", opt=READ, include_in_schema=False)
async def invoice_pdf(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn, invoice_id: FromPath[str]
) -> Response[bytes]:
    """The invoice's PDF in the page's locale, the same document as ``GET /invoices/{id}/pdf``,
    as an attachment named after the invoice number."""
    ctx = portal.ctx
    try:
        document = await invoices.invoice_pdf(
            conn, ctx.principal, ctx.now, invoice_id, portal.view.locale
        )
    except ResourceNotFound:
        raise NotFoundException() from None
    disposition = f'attachment; filename="{document.filename}"'
    headers = headers_for(portal.view.settings) | {"Content-Disposition": disposition}
    return Response(document.content, media_type="application/pdf", headers=headers)


@get("/portal/renewals", opt=READ, include_in_schema=False)
async def renewal_list(
    request: Request[Any, Any, Any], portal: PortalPage, conn: DbConn
) -> Response[bytes]:
    """Terms ending within the tenant's renewal notice window, with the next term's price."""
    try:
        data = await views.renewal_list(conn, portal.ctx, _param(request, "cursor"))
    except InvalidParameter as exc:
        return bad_request(request, portal, exc, "/portal/renewals")
    days = portal.ctx.principal.renewal_notice_days
    return page(request, portal, "renewals.html", data=data, days=days)


ROUTES.extend(
    [
        order_list,
        order_page,
        subscription_list,
        subscription_page,
        invoice_list,
        invoice_page,
        invoice_pdf,
        renewal_list,
    ]
)
