"""What the portal's actions may do and what they change, through the API's own write path.

A preview runs the real change — the draft change order, its activation and the invoice it
issues — in a transaction that is always rolled back, and keeps what it read before the
rollback; the confirmation runs the same function in a transaction that commits. So a
previewed amount is the amount then invoiced, and a preview leaves nothing behind: no order,
no taken number, no history event.

Never commits: the request owns its transactions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from selfserve.assets.schemas import AssetRead, SubscriptionRead
from selfserve.assets.service import subscription_from_row
from selfserve.customers.repository import time_zones
from selfserve.db import Conn, Lease
from selfserve.errors import Conflict, InvalidParameter, ResourceNotFound
from selfserve.invoices.schemas import InvoiceRead
from selfserve.kit.clock import local_date
from selfserve.kit.money import minor_to_decimal
from selfserve.kit.query import canonical_uuid
from selfserve.orders import activation, changes, versions
from selfserve.orders import service as orders
from selfserve.orders.schemas import (
    ActivateOptions,
    AssetChange,
    ChangeOrderCreate,
    OrderOptions,
    OrderRead,
)
from selfserve.orders.service import ReadContext
from selfserve.portal.errors import N_, ActionNotAllowed
from selfserve.portal.schemas import PortalSettings
from selfserve.renewals import repository as renewals_repository
from selfserve.renewals.pricing import next_term

ACTIONS = ("cancel", "uncancel", "renew", "quantity", "auto_renew")
LIVE = ("Active", "Pending")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Target:
    """A subscription an action is about, and which actions it may get now."""

    subscription: SubscriptionRead
    today: date  # the customer's local date
    enabled: frozenset[str]  # by the tenant's settings and the session's write right
    possible: frozenset[str]  # by the order's actions and the subscription's status

    @property
    def offered(self) -> frozenset[str]:
        return self.enabled & self.possible


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a change did (or, previewed, would do): the activated change order, the invoice
    its activation issued, and the subscription's new current version."""

    order: OrderRead
    invoice: InvoiceRead | None
    subscription: AssetRead


@dataclass(frozen=True, slots=True)
class Renewal:
    """The next term as ``GET /renewals`` projects it (the renewal run's price)."""

    start: date
    end: date
    amount: Decimal
    tax_amount: Decimal


def enabled_actions(settings: PortalSettings, can_write: bool) -> frozenset[str]:
    if not can_write:
        return frozenset()
    on = settings.actions
    flags = (on.cancel, on.uncancel, on.renew, on.change_quantity, on.auto_renew)
    return frozenset(name for name, flag in zip(ACTIONS, flags, strict=True) if flag)


def possible_actions(
    sub: AssetRead, order_actions: frozenset[str], uncancel_served: bool, timing: Sequence[str]
) -> frozenset[str]:
    """What the order's ``actions`` and the subscription's status allow (pure); ``timing``
    is the cancellation policy's (an open-ended subscription has no end of term)."""
    live = sub.status in LIVE and sub.cancellation_date is None
    found = set()
    can_end = "date" in timing or sub.end_date is not None
    if live and "cancel" in order_actions and can_end:
        found.add("cancel")
    if live and "renew" in order_actions and sub.end_date is not None:
        found.add("renew")
    if live and "change" in order_actions:
        found.add("quantity")
    if live and sub.end_date is not None:
        found.add("auto_renew")
    scheduled = sub.status == "Scheduled for Cancellation"
    if scheduled and uncancel_served and ("uncancel" in order_actions or "change" in order_actions):
        found.add("uncancel")
    return frozenset(found)


def require(target: Target, action: str) -> None:
    """403 when the tenant or the session does not allow the action, 409 when the
    subscription's state does not."""
    if action not in target.enabled:
        raise ActionNotAllowed(N_("This action is not available in this portal session."))
    if action not in target.possible:
        raise Conflict(
            N_("This subscription cannot be changed this way now."),
            error_code="ACTION_NOT_POSSIBLE",
        )


async def subscription(conn: Conn, ctx: ReadContext, subscription_id: str) -> SubscriptionRead:
    """The current version ``subscription_id`` of one of the session's subscriptions."""
    try:
        canonical = canonical_uuid("subscriptionId", subscription_id)
    except InvalidParameter:
        raise ResourceNotFound("Subscription not found.") from None
    principal = ctx.principal
    row = await renewals_repository.current_subscription(
        conn, principal.tenant_id, principal.customer_ids, canonical
    )
    if row is None:
        raise ResourceNotFound("Subscription not found.")
    return subscription_from_row(conn, row)


async def customer_today(conn: Conn, ctx: ReadContext, customer_id: str) -> date:
    rows = await time_zones(conn, ctx.principal.tenant_id, [customer_id])
    return local_date(ctx.now, rows[0][1] if rows else "UTC")


async def target(
    conn: Conn,
    ctx: ReadContext,
    settings: PortalSettings,
    can_write: bool,
    sub: SubscriptionRead,
    uncancel_served: bool,
) -> Target:
    order = (await orders.get_order(conn, ctx, sub.order_id, frozenset())).data
    names = frozenset(action.name for action in order.actions)
    today = await customer_today(conn, ctx, sub.customer_id)
    possible = possible_actions(sub, names, uncancel_served, settings.cancellation.timing)
    return Target(sub, today, enabled_actions(settings, can_write), possible)


def change_order(change: AssetChange) -> ChangeOrderCreate:
    """One asset change, priced with the tenant's tax rate for the customer's country."""
    return ChangeOrderCreate(asset_changes=[change], options=OrderOptions(calculate_tax=True))


async def apply(
    conn: Conn, ctx: ReadContext, body: ChangeOrderCreate, *, reason: str | None = None
) -> Outcome:
    """Create the change order, activate it issuing its invoice, and read what it did."""
    order_id = await changes.create_change_order(conn, ctx, body)
    options = ActivateOptions(generate_invoice=True, activate_invoice=True)
    await activation.activate(conn, ctx, order_id, options, reason=reason)
    includes = frozenset({"assets", "invoices"})
    order = (await orders.get_order(conn, ctx, order_id, includes)).data
    number = body.asset_changes[0].asset_number
    assets = order.assets if isinstance(order.assets, list) else []
    invoices = order.invoices if isinstance(order.invoices, list) else []
    changed = next(a for a in assets if a.asset_number == number)
    return Outcome(order, invoices[0] if invoices else None, changed)


class _Rollback(Exception):
    """Carries a preview's result out of the transaction it rolls back."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("preview")
        self.outcome = outcome


async def preview(lease: Lease, run: Callable[[Conn], Awaitable[Outcome]]) -> Outcome:
    """``run`` in a transaction that is always rolled back; its result survives."""
    try:
        async with lease.write() as conn:
            raise _Rollback(await run(conn))
    except _Rollback as done:
        return done.outcome


async def next_renewal(conn: Conn, tenant_id: str, asset_number: str) -> Renewal | None:
    """The next term at the current price, as ``GET /renewals`` projects it; None when the
    subscription has no end or no renewal term."""
    asset = await versions.current(conn, tenant_id, asset_number)
    if asset is None:
        return None
    source = await renewals_repository.source_line(conn, asset["order_product_id"])
    term = next_term(
        end_date=asset["end_date"], renewal_term=asset["renewal_term"], price=asset["price"],
        quantity=asset["quantity"],
        price_period=str(source[0]) if source is not None and source[0] else "Month",
        tax_rate=int(source[1] or 0) if source is not None else 0, currency=asset["currency"],
    )  # fmt: skip
    if term is None:
        return None
    currency = asset["currency"]
    return Renewal(
        term.start,
        term.end,
        minor_to_decimal(term.price.total_price, currency),
        minor_to_decimal(term.price.tax_amount, currency),
    )
