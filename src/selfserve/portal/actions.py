"""HTTP of the portal's actions: each one a form, a preview with a Confirm button, and a
confirmation that redirects (303) to the subscription with a result notice.

Forms are GETs anyone with the session may open (they refuse what is not offered); previews
and confirmations are write posts (the guard checks CSRF and the write right). A confirmation
carries an idempotency key minted when its preview was shown, so a second submit of the same
form redirects to the first result and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath

from selfserve import idempotency
from selfserve.assets.schemas import AssetRead
from selfserve.db import Conn, request_lease
from selfserve.deps import DbConn
from selfserve.errors import InvalidParameter
from selfserve.idempotency import IdempotentReplay
from selfserve.orders.schemas import Action, AssetChange
from selfserve.portal import action_forms as forms
from selfserve.portal import previews
from selfserve.portal.action_forms import FormError
from selfserve.portal.context import Portal, PortalPage
from selfserve.portal.previews import Outcome, Target
from selfserve.portal.render import html, redirect
from selfserve.renewals import service as renewals
from selfserve.renewals.schemas import SubscriptionPatch

BASE = "/portal/subscriptions/{subscription_id:str}"
READ, WRITE = {"portal": "read"}, {"portal": "write"}
UNCANCEL_ROUTE = ("POST", "/subscriptions/{subscription_id}/uncancel")
PATHS = {"cancel": "cancel", "uncancel": "uncancel", "renew": "renew", "quantity": "quantity",
         "auto_renew": "auto-renew"}  # fmt: skip


def offered(
    request: Request[Any, Any, Any], portal: Portal, sub: AssetRead, order_actions: list[Action]
) -> frozenset[str]:
    """What the subscription page offers (``_subscription_actions.html``), from the current
    version and its order's ``actions`` that the page has already read."""
    if sub.asset_type != "Subscription":
        return frozenset()
    names = frozenset(action.name for action in order_actions)
    served = UNCANCEL_ROUTE in request.app.state.served_routes
    timing = portal.settings.cancellation.timing
    possible = previews.possible_actions(sub, names, served, timing)
    return previews.enabled_actions(portal.settings, portal.session.can_write) & possible


async def _target(
    request: Request[Any, Any, Any], portal: Portal, conn: Conn, subscription_id: str
) -> Target:
    sub = await previews.subscription(conn, portal.ctx, subscription_id)
    served = UNCANCEL_ROUTE in request.app.state.served_routes
    return await previews.target(
        conn, portal.ctx, portal.settings, portal.session.can_write, sub, served
    )


async def _allowed(
    request: Request[Any, Any, Any], portal: Portal, conn: Conn, subscription_id: str, action: str
) -> Target:
    target = await _target(request, portal, conn, subscription_id)
    previews.require(target, action)
    return target


def _fields(form: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and not k.startswith("_")}


def _form_page(
    request: Request[Any, Any, Any], portal: Portal, target: Target, template: str,
    form: Mapping[str, str], error: FormError | None = None, **values: Any,
) -> Response[bytes]:  # fmt: skip
    return html(
        request, portal.view, template, status_code=422 if error else 200,
        sub=target.subscription, today=target.today, form=form, error=error, **values,
    )  # fmt: skip


def _confirm_page(
    request: Request[Any, Any, Any], portal: Portal, target: Target, kind: str,
    fields: Mapping[str, str], **values: Any,
) -> Response[bytes]:  # fmt: skip
    sub = target.subscription
    return html(
        request, portal.view, "action_confirm.html", sub=sub, kind=kind, fields=fields,
        key=str(uuid.uuid4()), action=f"/portal/subscriptions/{sub.id}/{PATHS[kind]}",
        today=target.today, **values,
    )  # fmt: skip


async def _confirm(
    request: Request[Any, Any, Any], portal: Portal, conn: Conn, subscription_id: str,
    action: str, work: Callable[[Target, Conn], Awaitable[str]],
) -> Response[bytes]:  # fmt: skip
    """Reserve the form's idempotency key, do ``work`` (which returns the result's location)
    in one transaction with the stored result, and redirect there. The same key again
    redirects to the stored location: the subscription it names may have a new version by
    then, so the key is checked before anything else."""
    form = await request.form()
    fields = _fields(form)
    lease = request_lease(request.scope)
    request_hash = idempotency.fingerprint(
        "POST", request.url.path, b"", urlencode(sorted(fields.items())).encode()
    )
    key = form.get("_key")
    try:
        reservation = await idempotency.reserve(
            lease, portal.session.principal(), str(key or ""), request_hash, portal.ctx.now
        )
    except IdempotentReplay as replay:
        return redirect(replay.body.decode(), portal.settings, htmx=portal.htmx)
    request.state.idempotency = reservation
    target = await _allowed(request, portal, conn, subscription_id, action)
    try:
        async with lease.write() as tx:
            location = await work(target, tx)
            await idempotency.store(tx, request, 303, location)
    except FormError as error:  # only an altered form gets here: its preview checked it
        raise InvalidParameter(error.field, error.message.format(**error.values)) from None
    return redirect(location, portal.settings, htmx=portal.htmx)


def _done(outcome_id: str, notice: str) -> str:
    return f"/portal/subscriptions/{outcome_id}?done={notice}"


# --- cancel -----------------------------------------------------------------------------


def _cancel_change(target: Target, choice: forms.CancelChoice) -> AssetChange:
    return AssetChange(change_type="Cancel", asset_number=target.subscription.asset_number,
                       cancellation_date=choice.cancellation_date)  # fmt: skip


def _cancel_form(
    request: Request[Any, Any, Any], portal: Portal, target: Target, form: Mapping[str, str],
    error: FormError | None = None,
) -> Response[bytes]:  # fmt: skip
    policy = portal.settings.cancellation
    return _form_page(
        request, portal, target, "action_cancel.html", form, error, policy=policy,
        timings=forms.cancel_timings(policy, target.subscription),
        end_of_term=forms.end_of_term(target.subscription),
    )  # fmt: skip


@get(f"{BASE}/cancel", opt=READ, include_in_schema=False)
async def cancel_form(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """When the subscription ends, and why."""
    target = await _allowed(request, portal, conn, subscription_id, "cancel")
    return _cancel_form(request, portal, target, {})


@post(f"{BASE}/cancel/preview", opt=WRITE, include_in_schema=False, status_code=200)
async def cancel_preview(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """Until when service continues and any credit, from the real change order."""
    target = await _allowed(request, portal, conn, subscription_id, "cancel")
    form = _fields(await request.form())
    try:
        choice = forms.cancel_choice(form, portal.settings.cancellation, target.subscription,
                                     target.today)  # fmt: skip
    except FormError as error:
        return _cancel_form(request, portal, target, form, error)
    body = previews.change_order(_cancel_change(target, choice))
    outcome = await previews.preview(
        request_lease(request.scope),
        lambda tx: previews.apply(tx, portal.ctx, body, reason=choice.history_reason()),
    )
    return _confirm_page(request, portal, target, "cancel", choice.fields(), outcome=outcome,
                         choice=choice)  # fmt: skip


@post(f"{BASE}/cancel", opt=WRITE, include_in_schema=False)
async def cancel(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    form = _fields(await request.form())

    async def work(target: Target, tx: Conn) -> str:
        choice = forms.cancel_choice(form, portal.settings.cancellation, target.subscription,
                                     target.today)  # fmt: skip
        body = previews.change_order(_cancel_change(target, choice))
        outcome = await previews.apply(tx, portal.ctx, body, reason=choice.history_reason())
        return _done(outcome.subscription.id, "canceled")

    return await _confirm(request, portal, conn, subscription_id, "cancel", work)


# --- change quantity --------------------------------------------------------------------


def _quantity_change(target: Target, quantity: int) -> AssetChange:
    sub = target.subscription
    start = max(target.today, sub.start_date or target.today)
    return AssetChange(change_type="UpdateQuantity", asset_number=sub.asset_number,
                       quantity=quantity - sub.quantity, start_date=start)  # fmt: skip


async def _quantity_outcome(
    request: Request[Any, Any, Any], portal: Portal, target: Target, quantity: int
) -> Outcome:
    body = previews.change_order(_quantity_change(target, quantity))
    return await previews.preview(
        request_lease(request.scope), lambda tx: previews.apply(tx, portal.ctx, body)
    )


@get(f"{BASE}/quantity", opt=READ, include_in_schema=False)
async def quantity_form(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """The new total quantity, with a live proration preview where scripts run."""
    target = await _allowed(request, portal, conn, subscription_id, "quantity")
    return _form_page(request, portal, target, "action_quantity.html", {}, outcome=None)


@post(f"{BASE}/quantity/preview", opt=WRITE, include_in_schema=False, status_code=200)
async def quantity_preview(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """For htmx, the live region's content; otherwise the preview page with Confirm."""
    target = await _allowed(request, portal, conn, subscription_id, "quantity")
    form = _fields(await request.form())
    try:
        quantity = forms.new_quantity(form, target.subscription.quantity)
    except FormError as error:
        if portal.htmx:
            return html(request, portal.view, "_quantity_preview.html", sub=target.subscription,
                        outcome=None, error=error)  # fmt: skip
        return _form_page(request, portal, target, "action_quantity.html", form, error,
                          outcome=None)  # fmt: skip
    outcome = await _quantity_outcome(request, portal, target, quantity)
    if portal.htmx:
        return html(request, portal.view, "_quantity_preview.html", sub=target.subscription,
                    outcome=outcome, error=None)  # fmt: skip
    return _confirm_page(request, portal, target, "quantity", {"quantity": str(quantity)},
                         outcome=outcome)  # fmt: skip


@post(f"{BASE}/quantity", opt=WRITE, include_in_schema=False)
async def change_quantity(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    form = _fields(await request.form())

    async def work(target: Target, tx: Conn) -> str:
        quantity = forms.new_quantity(form, target.subscription.quantity)
        body = previews.change_order(_quantity_change(target, quantity))
        outcome = await previews.apply(tx, portal.ctx, body)
        return _done(outcome.subscription.id, "quantity")

    return await _confirm(request, portal, conn, subscription_id, "quantity", work)


# --- renew ------------------------------------------------------------------------------


def _renew_change(target: Target, term: int) -> AssetChange:
    return AssetChange(change_type="Renew", asset_number=target.subscription.asset_number,
                       renewal_term=term)  # fmt: skip


@get(f"{BASE}/renew", opt=READ, include_in_schema=False)
async def renew_form(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """The length of the new term."""
    target = await _allowed(request, portal, conn, subscription_id, "renew")
    return _form_page(request, portal, target, "action_renew.html", {},
                      terms=forms.renewal_terms(target.subscription))  # fmt: skip


@post(f"{BASE}/renew/preview", opt=WRITE, include_in_schema=False, status_code=200)
async def renew_preview(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    target = await _allowed(request, portal, conn, subscription_id, "renew")
    form = _fields(await request.form())
    try:
        term = forms.renewal_term(form, target.subscription)
    except FormError as error:
        return _form_page(request, portal, target, "action_renew.html", form, error,
                          terms=forms.renewal_terms(target.subscription))  # fmt: skip
    body = previews.change_order(_renew_change(target, term))
    outcome = await previews.preview(
        request_lease(request.scope), lambda tx: previews.apply(tx, portal.ctx, body)
    )
    return _confirm_page(request, portal, target, "renew", {"term": str(term)}, outcome=outcome,
                         term=term)  # fmt: skip


@post(f"{BASE}/renew", opt=WRITE, include_in_schema=False)
async def renew(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    form = _fields(await request.form())

    async def work(target: Target, tx: Conn) -> str:
        term = forms.renewal_term(form, target.subscription)
        body = previews.change_order(_renew_change(target, term))
        outcome = await previews.apply(tx, portal.ctx, body)
        return _done(outcome.subscription.id, "renewed")

    return await _confirm(request, portal, conn, subscription_id, "renew", work)


# --- auto-renew -------------------------------------------------------------------------


@get(f"{BASE}/auto-renew", opt=READ, include_in_schema=False)
async def auto_renew_form(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """What turning automatic renewal on or off changes, with a Confirm button."""
    target = await _allowed(request, portal, conn, subscription_id, "auto_renew")
    sub = target.subscription
    renewal = await previews.next_renewal(conn, portal.ctx.principal.tenant_id, sub.asset_number)
    value = "off" if sub.auto_renew else "on"
    return _confirm_page(request, portal, target, "auto_renew", {"autoRenew": value},
                         renewal=renewal)  # fmt: skip


@post(f"{BASE}/auto-renew", opt=WRITE, include_in_schema=False)
async def set_auto_renew(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    form = _fields(await request.form())

    async def work(target: Target, tx: Conn) -> str:
        body = SubscriptionPatch(auto_renew=forms.auto_renew(form))
        result = await renewals.set_auto_renew(tx, portal.ctx, target.subscription.id, body)
        return _done(result.data[0].id, "autorenew")

    return await _confirm(request, portal, conn, subscription_id, "auto_renew", work)


# --- undo a scheduled cancellation --------------------------------------------------------


@get(f"{BASE}/uncancel", opt=READ, include_in_schema=False)
async def uncancel_form(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    """What withdrawing the scheduled cancellation means (the next renewal, where known), with
    a Confirm button."""
    target = await _allowed(request, portal, conn, subscription_id, "uncancel")
    sub = target.subscription
    renewal = await previews.next_renewal(conn, portal.ctx.principal.tenant_id, sub.asset_number)
    return _confirm_page(request, portal, target, "uncancel", {}, renewal=renewal)


@post(f"{BASE}/uncancel", opt=WRITE, include_in_schema=False)
async def uncancel(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], portal: PortalPage,
    conn: DbConn,
) -> Response[bytes]:  # fmt: skip
    async def work(target: Target, tx: Conn) -> str:
        result = await renewals.uncancel(tx, portal.ctx, target.subscription.id)
        return _done(result.data[0].id, "uncanceled")

    return await _confirm(request, portal, conn, subscription_id, "uncancel", work)


ROUTES = [
    cancel_form, cancel_preview, cancel,
    uncancel_form, uncancel,
    quantity_form, quantity_preview, change_quantity,
    renew_form, renew_preview, renew,
    auto_renew_form, set_auto_renew,
]  # fmt: skip
