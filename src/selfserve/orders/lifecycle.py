"""Pure rules: an order's lifecycle stage, and the actions an order's or a subscription's
state allows."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from selfserve.assets.schemas import AssetRead
from selfserve.auth.scopes import ORDERS_WRITE
from selfserve.orders.schemas import Action

UNCANCEL = ("POST", "/subscriptions/{subscription_id}/uncancel")
# (action, method, path template): offered only when the app serves that route.
_ACTIONS = {
    "activate": ("POST", "/orders/{order_id}"),
    "cancel": ("POST", "/orders/{order_id}/cancel"),
    "change": ("POST", "/change-orders"),
    "renew": ("POST", "/change-orders"),
    "uncancel": UNCANCEL,
}
_BY_STAGE = {
    "draft": ("activate", "cancel"),
    "active": ("change", "renew", "cancel"),
    "renewal_due": ("change", "renew", "cancel"),
    # The order's scheduled cancellation is undone through one subscription it scheduled.
    "pending_cancellation": ("uncancel",),
}
_SUBSCRIPTION_ACTIONS = {
    "change": ("POST", "/change-orders"),
    "renew": ("POST", "/change-orders"),
    "cancel": ("POST", "/change-orders"),
    "autoRenew": ("PATCH", "/subscriptions/{subscription_id}"),
    "uncancel": UNCANCEL,
}
LIVE = ("Active", "Pending")
SCHEDULED = "Scheduled for Cancellation"


def stage_of(
    status: str,
    today: date,
    *,
    next_renewal: date | None,
    subscription_end: date | None,
    cancel_effective: date | None,
    notice_days: int,
) -> str:
    """draft | active | renewal_due | pending_cancellation | canceled | expired."""
    if status == "Draft":
        return "draft"
    if status == "Canceled":
        return "canceled"
    if cancel_effective is not None:
        return "pending_cancellation" if cancel_effective > today else "canceled"
    if next_renewal is None:
        ended = subscription_end is not None and subscription_end < today
        return "expired" if ended else "active"
    return "renewal_due" if (next_renewal - today).days <= notice_days else "active"


def actions_for(
    stage: str,
    order_id: str,
    scopes: Collection[str],
    served: Collection[tuple[str, str]],
    *,
    scheduled_subscription: str | None = None,
) -> list[Action]:
    """What this caller may do to the order now; never what its scopes forbid.
    ``scheduled_subscription``: the current version of a subscription whose cancellation
    this order scheduled (the target of ``uncancel``)."""
    if ORDERS_WRITE not in scopes:
        return []
    actions = []
    for name in _BY_STAGE.get(stage, ()):
        method, template = _ACTIONS[name]
        if name == "uncancel" and scheduled_subscription is None:
            continue
        if (method, template) in served:
            href = template.replace("{order_id}", order_id)
            href = href.replace("{subscription_id}", scheduled_subscription or "")
            actions.append(Action(name, method, href))
    return actions


def subscription_actions(
    sub: AssetRead, today: date | None, scopes: Collection[str], served: Collection[tuple[str, str]]
) -> list[Action]:
    """What this caller may do to the subscription (its current version) now: change, renew
    (when it has an end date), cancel and autoRenew while it is live; uncancel while its
    cancellation is scheduled for a day after the customer's ``today``."""
    if ORDERS_WRITE not in scopes:
        return []
    names: tuple[str, ...] = ()
    if sub.status in LIVE:
        names = ("change", "renew", "cancel", "autoRenew")
        if sub.end_date is None:
            names = ("change", "cancel", "autoRenew")
    elif sub.status == SCHEDULED and uncancelable(sub.cancellation_date, today):
        names = ("uncancel",)
    actions = []
    for name in names:
        method, template = _SUBSCRIPTION_ACTIONS[name]
        if (method, template) in served:
            actions.append(Action(name, method, template.replace("{subscription_id}", sub.id)))
    return actions


def uncancelable(cancellation_date: date | None, today: date | None) -> bool:
    """A scheduled cancellation can be undone until the day before it takes effect."""
    return cancellation_date is not None and today is not None and cancellation_date > today


ACTION_ROUTES = frozenset(_ACTIONS.values()) | frozenset(_SUBSCRIPTION_ACTIONS.values())
