"""Upcoming renewals, the auto-renew setting and undoing a scheduled cancellation. Never
commits.

``GET /renewals`` runs, after authentication, one statement for the customers' time zones
and one for the page (with its total as a scalar subquery), whatever the page size.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from selfserve.assets.service import add_actions, subscription_from_row
from selfserve.auth.scoping import readable_customer_ids
from selfserve.customers.repository import time_zones
from selfserve.db import Conn, Row
from selfserve.errors import InvalidParameter
from selfserve.history import service as history
from selfserve.kit.clock import local_date
from selfserve.kit.money import minor_to_decimal
from selfserve.kit.pagination import Pagination, encode_cursor
from selfserve.kit.query import canonical_uuid
from selfserve.orders import uncancellation
from selfserve.orders.activation import refresh_lifecycle
from selfserve.orders.service import ReadContext
from selfserve.orders.versions import AssetChanged
from selfserve.renewals import repository
from selfserve.renewals.errors import SubscriptionNotFound, SubscriptionNotLive
from selfserve.renewals.pricing import next_term
from selfserve.renewals.query import SORT, RenewalQuery
from selfserve.renewals.repository import Window
from selfserve.renewals.schemas import (
    RenewalList,
    RenewalRead,
    SubscriptionPatch,
    SubscriptionPatchResult,
    SubscriptionUncancel,
)

LIVE = ("Active", "Pending")


async def list_renewals(conn: Conn, ctx: ReadContext, query: RenewalQuery) -> RenewalList:
    ids = readable_customer_ids(ctx.principal, query.customer_ids)
    todays = await _customer_todays(conn, ctx, ids)
    windows = _windows(todays, query.within_days)
    tenant_id = ctx.principal.tenant_id
    rows, total = (
        await repository.renewals_page(conn, tenant_id, windows, query.limit, query.cursor)
        if windows
        else ([], 0)
    )
    has_more = len(rows) > query.limit
    items = [renewal_from_row(conn, r, todays) for r in rows[: query.limit]]
    await add_actions(conn, ctx, items)
    if total is None:  # an empty page: only a continued one can have matches before it
        total = await repository.count_renewals(conn, tenant_id, windows) if query.cursor else 0
    next_cursor = None
    if has_more:
        last = items[-1]
        next_cursor = encode_cursor(SORT, last.end_date, last.id)
    pagination = Pagination(
        limit=query.limit, has_more=has_more, next_cursor=next_cursor, total=total
    )
    return RenewalList(status="SUCCESS", data=items, pagination=pagination)


async def _customer_todays(conn: Conn, ctx: ReadContext, ids: list[str]) -> dict[str, date]:
    """Each existing customer's calendar date now (unknown ids simply contribute nothing)."""
    rows = await time_zones(conn, ctx.principal.tenant_id, ids)
    return {conn.to_id(cid): local_date(ctx.now, zone) for cid, zone in rows}


def _windows(todays: dict[str, date], within_days: int) -> list[Window]:
    """Customers grouped by their local today: ``[today, today + within_days]`` each."""
    by_day: dict[date, list[str]] = {}
    for customer_id, today in sorted(todays.items()):
        by_day.setdefault(today, []).append(customer_id)
    span = timedelta(days=within_days)
    return [(ids, today, today + span) for today, ids in sorted(by_day.items())]


def renewal_from_row(conn: Conn, r: Row, todays: dict[str, date]) -> RenewalRead:
    """A row laid out as ``renewals.repository.RENEWAL_COLUMNS``."""
    base = subscription_from_row(conn, r)
    currency = base.currency
    term = next_term(
        end_date=base.end_date, renewal_term=base.renewal_term, price=r[16], quantity=r[7],
        price_period=r[25] or "Month", tax_rate=r[26] or 0, currency=currency,
    )  # fmt: skip
    assert base.end_date is not None  # the window selects dated subscriptions only
    return RenewalRead(
        **msgspec.structs.asdict(base),
        days_until_renewal=(base.end_date - todays[base.customer_id]).days,
        projected_renewal_start_date=None if term is None else term.start,
        projected_renewal_end_date=None if term is None else term.end,
        projected_renewal_amount=None
        if term is None
        else minor_to_decimal(term.price.total_price, currency),
        projected_renewal_tax_amount=None
        if term is None
        else minor_to_decimal(term.price.tax_amount, currency),
    )


async def set_auto_renew(
    conn: Conn, ctx: ReadContext, subscription_id: str, body: SubscriptionPatch
) -> SubscriptionPatchResult:
    """Change ``autoRenew`` on the current version in place (a setting, not a contract
    change: no new version), record the change and refresh the orders' renewal summaries."""
    row = await _visible(conn, ctx, subscription_id)
    subscription = subscription_from_row(conn, row)
    if subscription.status not in LIVE:
        raise SubscriptionNotLive(subscription.status)
    if subscription.auto_renew == body.auto_renew:
        await add_actions(conn, ctx, [subscription])
        return SubscriptionPatchResult(status="SUCCESS", data=[subscription])
    if not await repository.set_auto_renew(conn, subscription.id, body.auto_renew, ctx.now):
        raise AssetChanged(f"{subscription.asset_number} was changed meanwhile; read it again.")
    tenant_id = ctx.principal.tenant_id
    await history.record(
        conn, tenant_id=tenant_id, customer_id=subscription.customer_id,
        asset_number=subscription.asset_number, action="subscription.auto_renew_changed",
        entity_type="asset", entity_id=subscription.id, actor=history.actor_of(ctx.principal),
        at=ctx.now, changes=history.diff({"autoRenew": subscription.auto_renew},
                                         {"autoRenew": body.auto_renew}),
    )  # fmt: skip
    for order_id in await repository.orders_touching(conn, tenant_id, subscription.asset_number):
        await refresh_lifecycle(conn, tenant_id, order_id)
    updated = subscription_from_row(conn, await _visible(conn, ctx, subscription_id))
    await add_actions(conn, ctx, [updated])
    return SubscriptionPatchResult(status="SUCCESS", data=[updated])


async def uncancel(
    conn: Conn, ctx: ReadContext, subscription_id: str, body: SubscriptionUncancel | None = None
) -> SubscriptionPatchResult:
    """Undo the scheduled cancellation of the subscription whose current version is
    ``subscription_id`` (``orders.uncancellation``): every subscription that cancellation
    scheduled goes back to what it was, its credit is voided or reversed. ``data`` holds the
    restored subscriptions, this one first. 404 when not visible; 409
    ``CANCELLATION_IN_EFFECT`` from the cancellation date on, ``NO_SCHEDULED_CANCELLATION``
    when there is none."""
    row = await _visible(conn, ctx, subscription_id)
    reason = None if body is None else body.reason
    restored = await uncancellation.uncancel(conn, ctx, conn.to_id(row[0]), reason=reason)
    subscriptions = [subscription_from_row(conn, await _visible(conn, ctx, i)) for i in restored]
    await add_actions(conn, ctx, subscriptions)
    return SubscriptionPatchResult(status="SUCCESS", data=subscriptions)


async def _visible(conn: Conn, ctx: ReadContext, subscription_id: str) -> Row:
    try:
        canonical = canonical_uuid("subscriptionId", subscription_id)
    except InvalidParameter:
        raise SubscriptionNotFound() from None
    principal = ctx.principal
    row = await repository.current_subscription(
        conn, principal.tenant_id, principal.customer_ids, canonical
    )
    if row is None:
        raise SubscriptionNotFound()
    return row
