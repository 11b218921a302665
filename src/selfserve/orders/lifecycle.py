"""Pure rules: an order's lifecycle stage and the actions its state allows."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from selfserve.auth.scopes import ORDERS_WRITE
from selfserve.orders.schemas import Action

# (action, method, path template): offered only when the app serves that route.
_ACTIONS = {
    "activate": ("POST", "/orders/{order_id}"),
    "cancel": ("POST", "/orders/{order_id}/cancel"),
    "change": ("POST", "/change-orders"),
    "renew": ("POST", "/change-orders"),
}
_BY_STAGE = {
    "draft": ("activate", "cancel"),
    "active": ("change", "renew", "cancel"),
    "renewal_due": ("change", "renew", "cancel"),
}


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
    stage: str, order_id: str, scopes: Collection[str], served: Collection[tuple[str, str]]
) -> list[Action]:
    """What this caller may do to the order now; never what its scopes forbid."""
    if ORDERS_WRITE not in scopes:
        return []
    actions = []
    for name in _BY_STAGE.get(stage, ()):
        method, template = _ACTIONS[name]
        if (method, template) in served:
            actions.append(Action(name, method, template.replace("{order_id}", order_id)))
    return actions


ACTION_ROUTES = frozenset(_ACTIONS.values())
