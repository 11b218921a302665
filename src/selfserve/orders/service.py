"""Reading orders: scoping, paging, includes, lifecycle and actions. Never commits.

A request runs a fixed number of statements whatever its page size: the page (with its
total), the lines of the page's orders, and one statement per requested include.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from selfserve.assets.repository import current_assets_for_orders
from selfserve.assets.service import asset_from_row
from selfserve.auth.principal import Principal
from selfserve.auth.scopes import ORDERS_WRITE
from selfserve.auth.scoping import readable_customer_ids
from selfserve.customers import repository as customer_repository
from selfserve.db import Conn, Row
from selfserve.errors import InvalidParameter
from selfserve.history.repository import events_for_orders, events_page
from selfserve.history.service import event_from_row
from selfserve.invoices.repository import invoices_for_orders
from selfserve.invoices.service import invoice_from_row
from selfserve.kit.clock import local_date
from selfserve.kit.pagination import Pagination, Sort, SortKey, encode_cursor, in_sort_order
from selfserve.kit.query import canonical_uuid
from selfserve.orders import repository
from selfserve.orders.assembly import group, lifecycle_from_row, lines_from_rows, order_from_row
from selfserve.orders.errors import OrderNotFound
from selfserve.orders.lifecycle import UNCANCEL, actions_for, stage_of
from selfserve.orders.query import OrderListQuery
from selfserve.orders.schemas import HistoryList, OrderEnvelope, OrderList, OrderRead

HISTORY_SORT = Sort(SortKey("at", "at", "timestamp"), descending=False)


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What a read needs beyond its parameters: who asks, when, and what the app serves."""

    principal: Principal
    now: datetime
    include_cap: int
    served_routes: Collection[tuple[str, str]]


async def list_orders(conn: Conn, ctx: ReadContext, query: OrderListQuery) -> OrderList:
    principal = ctx.principal
    ids = readable_customer_ids(principal, query.customer_ids)
    query = _with_customers(query, ids)
    windows = await _renewal_windows(conn, ctx, query)
    rows, total = await repository.list_orders(conn, principal.tenant_id, query, windows)
    rows = in_sort_order(rows, query.sort, repository.WALK_VALUE)
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    if total is None:
        total = (
            await repository.count_orders(conn, principal.tenant_id, query, windows)
            if query.cursor
            else 0
        )
    next_cursor = None
    if has_more:
        last = rows[-1]
        value = _walk_value(conn, last, query.sort.key)
        next_cursor = encode_cursor(query.sort, value, conn.to_id(last[0]), _pin(query, rows))
    orders = await _assemble(conn, ctx, rows, query.includes)
    return OrderList(
        status="SUCCESS",
        data=orders,
        pagination=Pagination(
            limit=query.limit, has_more=has_more, next_cursor=next_cursor, total=total
        ),
    )


async def get_order(
    conn: Conn, ctx: ReadContext, order_id: str, includes: frozenset[str]
) -> OrderEnvelope:
    row = await _visible_order(conn, ctx.principal, order_id)
    orders = await _assemble(conn, ctx, [row], includes)
    return OrderEnvelope(status="SUCCESS", data=orders[0])


async def order_history(
    conn: Conn, ctx: ReadContext, order_id: str, limit: int, after: tuple[datetime, str] | None
) -> HistoryList:
    """The order's change events and those of every asset it touched, oldest first."""
    row = await _visible_order(conn, ctx.principal, order_id)
    rows, total = await events_page(conn, ctx.principal.tenant_id, row[0], limit, after)
    has_more = len(rows) > limit
    events = [event_from_row(conn, r) for r in rows[:limit]]
    next_cursor = None
    if has_more:
        last = events[-1]
        next_cursor = encode_cursor(HISTORY_SORT, last.at, last.id)
    return HistoryList(
        status="SUCCESS",
        data=events,
        pagination=Pagination(limit=limit, has_more=has_more, next_cursor=next_cursor, total=total),
    )


async def visible_order_id(conn: Conn, principal: Principal, order_id: str) -> str:
    """The canonical id of an order the caller may see; 404 otherwise."""
    return conn.to_id((await _visible_order(conn, principal, order_id))[0])


async def _visible_order(conn: Conn, principal: Principal, order_id: str) -> Row:
    try:
        canonical = canonical_uuid("orderId", order_id)
    except InvalidParameter:
        raise OrderNotFound() from None
    row = await repository.get_order(conn, principal.tenant_id, principal.customer_ids, canonical)
    if row is None:
        raise OrderNotFound()
    return row


def _with_customers(query: OrderListQuery, ids: list[str]) -> OrderListQuery:
    return replace(query, customer_ids=ids)


def _walk_value(conn: Conn, row: Row, key: SortKey) -> Any:
    """The row's sort value in its walk: its value at the pin (docs/api.md, "Pagination")."""
    value = row[repository.WALK_VALUE]
    if value is None:
        return None
    if key.kind == "timestamp":
        return conn.to_ts(value)
    if key.kind == "date":
        return conn.to_date(value)
    return value


def _pin(query: OrderListQuery, rows: list[Row]) -> int:
    """A walk keeps the pin of its first page, which is the tenant's order clock then (a
    cursor from before pins existed is pinned from here on)."""
    if query.cursor is not None and query.cursor.pin is not None:
        return query.cursor.pin
    return int(rows[0][repository.CLOCK] or 0)


async def _renewal_windows(
    conn: Conn, ctx: ReadContext, query: OrderListQuery
) -> list[tuple[list[str], date, date]]:
    """For renewalWithinDays: customers grouped by their local today, with the window."""
    if query.renewal_within_days is None:
        return []
    rows = await customer_repository.time_zones(
        conn, ctx.principal.tenant_id, query.customer_ids or []
    )
    by_day: dict[date, list[str]] = {}
    for customer_id, time_zone in rows:
        by_day.setdefault(local_date(ctx.now, time_zone), []).append(conn.to_id(customer_id))
    span = timedelta(days=query.renewal_within_days)
    return [(ids, today, today + span) for today, ids in sorted(by_day.items())]


async def _assemble(
    conn: Conn, ctx: ReadContext, rows: list[Row], includes: frozenset[str]
) -> list[OrderRead]:
    if not rows:
        return []
    tenant_id, cap = ctx.principal.tenant_id, ctx.include_cap
    order_ids = [r[0] for r in rows]
    lines = group(await repository.lines_for(conn, tenant_id, order_ids))
    assets = (
        group(await current_assets_for_orders(conn, tenant_id, order_ids, cap))
        if "assets" in includes
        else None
    )
    invoices = (
        group(await invoices_for_orders(conn, tenant_id, order_ids, cap))
        if "invoices" in includes
        else None
    )
    history = (
        group(await events_for_orders(conn, tenant_id, order_ids, cap))
        if "history" in includes
        else None
    )
    may_uncancel = ORDERS_WRITE in ctx.principal.scopes and UNCANCEL in ctx.served_routes
    today_by_zone: dict[str, date] = {}
    out = []
    for r in rows:
        zone = r[repository.TIME_ZONE]
        today = today_by_zone.get(zone) or today_by_zone.setdefault(zone, local_date(ctx.now, zone))
        target = r[repository.UNCANCEL_TARGET] if may_uncancel else None
        uncancel = None if target is None else conn.to_id(target)
        order = _order(conn, ctx, r, lines.get(r[0], ()), today, uncancel)
        if assets is not None:
            found = assets.get(r[0], [])
            order.assets = [asset_from_row(conn, a, 1) for a in found[:cap]]
            order.assets_truncated = len(found) > cap
        if invoices is not None:
            found = invoices.get(r[0], [])
            order.invoices = [invoice_from_row(conn, i, today, 1) for i in found[:cap]]
            order.invoices_truncated = len(found) > cap
        if history is not None:
            found = history.get(r[0], [])
            order.history = [event_from_row(conn, e, 1) for e in found[-cap:]]
            order.history_truncated = len(found) > cap
        out.append(order)
    return out


def _order(
    conn: Conn, ctx: ReadContext, r: Row, line_rows: Any, today: date, uncancel: str | None
) -> OrderRead:
    currency = r[7]
    stage = stage_of(
        r[4],
        today,
        next_renewal=None if r[33] is None else conn.to_date(r[33]),
        subscription_end=None if r[19] is None else conn.to_date(r[19]),
        cancel_effective=None if r[36] is None else conn.to_date(r[36]),
        notice_days=ctx.principal.renewal_notice_days,
    )
    order_id = conn.to_id(r[0])
    return order_from_row(
        conn,
        r,
        lines_from_rows(conn, line_rows, currency),
        lifecycle_from_row(conn, r, stage, today),
        actions_for(
            stage,
            order_id,
            ctx.principal.scopes,
            ctx.served_routes,
            scheduled_subscription=uncancel,
        ),
    )
