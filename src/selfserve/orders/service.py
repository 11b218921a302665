"""Reading orders: scoping, paging, includes, lifecycle and actions. Never commits.

A request runs a fixed number of statements whatever its page size: the page (with its
total), the lines of the page's orders, and one statement per requested include.

The API reads (``*_encoded``) send each order as its stored document (``orders.documents``)
plus an encoded ``OrderTail`` (joined by ``orders.wire``), and read lines only for orders
that have no document yet; the portal, which renders typed objects, builds ``OrderRead`` from
the columns. Both give the same JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from selfserve.assets.repository import current_assets_for_orders
from selfserve.assets.service import asset_from_row, assets_by_order
from selfserve.auth.principal import Principal
from selfserve.auth.scopes import ORDERS_WRITE
from selfserve.auth.scoping import readable_customer_ids
from selfserve.customers import repository as customer_repository
from selfserve.db import Conn, Row
from selfserve.errors import InvalidParameter
from selfserve.history.repository import events_for_orders, events_page
from selfserve.history.service import event_from_row
from selfserve.invoices.repository import invoices_for_orders
from selfserve.invoices.service import invoice_from_row, invoices_by_order
from selfserve.kit.clock import local_date
from selfserve.kit.http import encoder
from selfserve.kit.pagination import Pagination, Sort, SortKey, encode_cursor, in_sort_order
from selfserve.kit.query import canonical_uuid
from selfserve.orders import repository
from selfserve.orders.assembly import (
    document_from_row,
    group,
    lifecycle_from_row,
    lines_from_rows,
    order_from_row,
    unpacked,
)
from selfserve.orders.errors import OrderNotFound
from selfserve.orders.lifecycle import UNCANCEL, actions_for
from selfserve.orders.query import OrderListQuery
from selfserve.orders.schemas import (
    Action,
    HistoryList,
    Lifecycle,
    OrderEnvelope,
    OrderList,
    OrderRead,
    OrderTail,
)
from selfserve.orders.wire import OrderBytes

HISTORY_SORT = Sort(SortKey("at", "at", "timestamp"), descending=False)


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What a read needs beyond its parameters: who asks, when, and what the app serves."""

    principal: Principal
    now: datetime
    include_cap: int
    served_routes: Collection[tuple[str, str]]


async def list_orders(conn: Conn, ctx: ReadContext, query: OrderListQuery) -> OrderList:
    rows, pagination = await _page(conn, ctx, query)
    orders = await _assemble(conn, ctx, rows, query.includes)
    return OrderList(status="SUCCESS", data=orders, pagination=pagination)


async def list_orders_encoded(conn: Conn, ctx: ReadContext, query: OrderListQuery) -> bytes:
    """``list_orders`` as the API sends it, encoded (an ``EncodedOrderList``): the same bytes,
    built from stored documents."""
    rows, pagination = await _page(conn, ctx, query, documents=True)
    orders = await _encode(conn, ctx, rows, query.includes)
    return orders.list_body(pagination)


async def get_order(
    conn: Conn, ctx: ReadContext, order_id: str, includes: frozenset[str]
) -> OrderEnvelope:
    row = await _visible_order(conn, ctx.principal, order_id)
    orders = await _assemble(conn, ctx, [row], includes)
    return OrderEnvelope(status="SUCCESS", data=orders[0])


async def get_order_encoded(
    conn: Conn, ctx: ReadContext, order_id: str, includes: frozenset[str]
) -> bytes:
    """``get_order`` as the API sends it, encoded (an ``EncodedOrderEnvelope``), from the
    stored document."""
    row = await _visible_order(conn, ctx.principal, order_id, documents=True)
    order = await _encode(conn, ctx, [row], includes)
    return order.single_body()


async def _page(
    conn: Conn, ctx: ReadContext, query: OrderListQuery, documents: bool = False
) -> tuple[list[Row], Pagination]:
    principal = ctx.principal
    ids = readable_customer_ids(principal, query.customer_ids)
    query = _with_customers(query, ids)
    windows = await _renewal_windows(conn, ctx, query)
    rows, total = await repository.list_orders(conn, principal.tenant_id, query, windows, documents)
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
    pagination = Pagination(
        limit=query.limit, has_more=has_more, next_cursor=next_cursor, total=total
    )
    return rows, pagination


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


async def _visible_order(
    conn: Conn, principal: Principal, order_id: str, documents: bool = False
) -> Row:
    try:
        canonical = canonical_uuid("orderId", order_id)
    except InvalidParameter:
        raise OrderNotFound() from None
    row = await repository.get_order(
        conn, principal.tenant_id, principal.customer_ids, canonical, documents
    )
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
        return conn.sort_ts(value)
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


@dataclass(frozen=True, slots=True)
class _Includes:
    """The requested includes of a page's orders, each grouped by order id as text (None:
    not requested). Text, because asyncpg's UUID objects, new for every row, hash several times
    slower."""

    assets: dict[str, list[Row]] | None
    invoices: dict[str, list[Row]] | None
    history: dict[str, list[Row]] | None


async def _include_rows(
    conn: Conn, ctx: ReadContext, order_ids: list[Any], includes: frozenset[str], documents: bool
) -> tuple[list[Row] | None, list[Row] | None, list[Row] | None]:
    """The rows of the requested includes (assets, invoices, history; None: not requested),
    one statement each."""
    tenant_id, cap = ctx.principal.tenant_id, ctx.include_cap

    async def rows(wanted: str, fetch: Any, *more: Any) -> list[Row] | None:
        return await fetch(conn, tenant_id, order_ids, cap, *more) if wanted in includes else None

    return (
        await rows("assets", current_assets_for_orders, documents),
        await rows("invoices", invoices_for_orders, documents),
        await rows("history", events_for_orders),
    )


async def _includes(
    conn: Conn, ctx: ReadContext, order_ids: list[Any], includes: frozenset[str]
) -> _Includes:
    found = await _include_rows(conn, ctx, order_ids, includes, documents=False)
    return _Includes(*(None if rows is None else group(rows) for rows in found))


def _attach(
    conn: Conn, order: OrderRead, found: _Includes, order_id: str, today: date, cap: int
) -> None:
    """Sets the requested includes of one order."""
    if found.assets is not None:
        assets = found.assets.get(order_id, [])
        order.assets = [asset_from_row(conn, a, 1) for a in assets[:cap]]
        order.assets_truncated = len(assets) > cap
    if found.invoices is not None:
        invoices = found.invoices.get(order_id, [])
        order.invoices = [invoice_from_row(conn, i, today, 1) for i in invoices[:cap]]
        order.invoices_truncated = len(invoices) > cap
    if found.history is not None:
        events = found.history.get(order_id, [])
        order.history = [event_from_row(conn, e, 1) for e in events[-cap:]]
        order.history_truncated = len(events) > cap


def _todays(now: datetime, rows: list[Row]) -> list[date]:
    """Each order's customer's today (``orders.repository.TIME_ZONE``), once per time zone."""
    by_zone: dict[str, date] = {}
    out = []
    for r in rows:
        zone = r[repository.TIME_ZONE]
        day = by_zone.get(zone)
        if day is None:
            day = by_zone[zone] = local_date(now, zone)
        out.append(day)
    return out


async def _assemble(
    conn: Conn, ctx: ReadContext, rows: list[Row], includes: frozenset[str]
) -> list[OrderRead]:
    if not rows:
        return []
    order_ids = [r[0] for r in rows]
    lines = group(await repository.lines_for(conn, ctx.principal.tenant_id, order_ids))
    found = await _includes(conn, ctx, order_ids, includes)
    out = []
    for r, today in zip(rows, _todays(ctx.now, rows), strict=True):
        order_id = conn.to_id(r[0])
        lifecycle, actions = _lifecycle(conn, ctx, r, order_id, today)
        line_objects = lines_from_rows(conn, lines.get(r[0], ()), r[repository.CURRENCY])
        order = order_from_row(conn, r, line_objects, lifecycle, actions)
        _attach(conn, order, found, order_id, today, ctx.include_cap)
        out.append(order)
    return out


async def _encode(
    conn: Conn, ctx: ReadContext, rows: list[Row], includes: frozenset[str]
) -> OrderBytes:
    """Each order's bytes: its stored document (built here from its columns and lines when
    it has none) with the encoded lifecycle, actions and includes appended."""
    out = OrderBytes()
    if not rows:
        return out
    ids, todays = [conn.to_id(r[0]) for r in rows], _todays(ctx.now, rows)
    documents = await _documents(conn, ctx, rows)
    assets, invoices, history = await _include_rows(conn, ctx, [r[0] for r in rows], includes, True)
    assets_of = None if assets is None else assets_by_order(conn, assets)
    invoices_of = None
    if invoices is not None:
        invoices_of = invoices_by_order(conn, invoices, dict(zip(ids, todays, strict=True)))
    history_of = None if history is None else group(history)
    tail, cap = _tail_encoder(conn, ctx), ctx.include_cap
    for r, order_id, today, document in zip(rows, ids, todays, documents, strict=True):
        out.open(document, tail(r, order_id, today))
        if assets_of is not None:
            out.documents("assets", assets_of.get(order_id, ()), cap)
        if invoices_of is not None:
            out.documents("invoices", invoices_of.get(order_id, ()), cap)
        if history_of is not None:
            events = history_of.get(order_id, ())
            encoded = encoder.encode([event_from_row(conn, e, 1) for e in events[-cap:]])
            out.history(encoded, len(events) > cap)
        out.close()
    return out


async def _documents(conn: Conn, ctx: ReadContext, rows: list[Row]) -> list[bytes]:
    """Each order's stored document, built from its columns and lines (one statement for
    all of them) where it has none yet."""
    at = repository.DOCUMENT
    missing = [r[0] for r in rows if r[at] is None]  # rows laid out over stored documents
    if not missing:
        return [r[at] for r in rows]
    lines = group(await repository.lines_for(conn, ctx.principal.tenant_id, missing))
    out = []
    for r in rows:
        document = r[at]
        if document is None:
            line_objects = lines_from_rows(conn, lines.get(r[0], ()), r[repository.CURRENCY])
            document = encoder.encode(document_from_row(conn, unpacked(conn, r), line_objects))
        out.append(document)
    return out


def _tail_encoder(conn: Conn, ctx: ReadContext) -> Callable[[Row, str, date], bytes]:
    """Encodes an order's ``OrderTail`` without includes (its lifecycle and actions), with
    what is the same for every order of the request worked out once."""
    encode, writable = encoder.encode, ORDERS_WRITE in ctx.principal.scopes
    notice_days = ctx.principal.renewal_notice_days

    def tail(r: Row, order_id: str, today: date) -> bytes:
        lifecycle = lifecycle_from_row(conn, r, today, notice_days)
        actions = _actions(conn, ctx, r, lifecycle.stage, order_id) if writable else []
        return encode(OrderTail(lifecycle, actions))

    return tail


def _lifecycle(
    conn: Conn, ctx: ReadContext, r: Row, order_id: str, today: date
) -> tuple[Lifecycle, list[Action]]:
    """The order's lifecycle and the actions its caller may take, as of ``today``."""
    lifecycle = lifecycle_from_row(conn, r, today, ctx.principal.renewal_notice_days)
    return lifecycle, _actions(conn, ctx, r, lifecycle.stage, order_id)


def _actions(conn: Conn, ctx: ReadContext, r: Row, stage: str, order_id: str) -> list[Action]:
    may_uncancel = ORDERS_WRITE in ctx.principal.scopes and UNCANCEL in ctx.served_routes
    target = r[repository.UNCANCEL_TARGET] if may_uncancel else None
    return actions_for(
        stage,
        order_id,
        ctx.principal.scopes,
        ctx.served_routes,
        scheduled_subscription=None if target is None else conn.to_id(target),
    )
