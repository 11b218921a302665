"""Rules and views for subscriptions, physical assets and entitlements. Never commits.

A list request runs one statement whatever its page size: the current versions of the
customers' assets of one type, with the total as a scalar subquery. Subscriptions list their
``actions``; only a page with a scheduled cancellation the caller could undo needs one more
statement (its customers' time zones: a cancellation can be undone until its date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import msgspec

from selfserve.assets import repository
from selfserve.assets.query import AssetListQuery
from selfserve.assets.schemas import AssetList, AssetRead, SubscriptionList, SubscriptionRead
from selfserve.auth.principal import Principal
from selfserve.auth.scopes import ORDERS_WRITE
from selfserve.auth.scoping import readable_customer_ids
from selfserve.customers.repository import time_zones
from selfserve.db import Conn, Row
from selfserve.kit.clock import local_date
from selfserve.kit.http import encoder
from selfserve.kit.money import minor_converter, price_converter
from selfserve.kit.pagination import Pagination, encode_cursor
from selfserve.orders.lifecycle import SCHEDULED, subscription_actions

if TYPE_CHECKING:
    from selfserve.orders.service import ReadContext

A = TypeVar("A", bound=AssetRead)


def asset_from_row(conn: Conn, r: Row, offset: int = 0) -> AssetRead:
    """Build the wire view of an asset row laid out as ``assets.repository.ASSET_COLUMNS``
    from ``offset`` on (further columns ignored). Order reads embed hundreds of assets, so
    the row is unpacked once and the struct built positionally (see ``orders.assembly``)."""
    (
        asset_id, asset_type, number, status, customer_id, product_id, product_name, quantity,
        start, end, term, renewal_term, auto_renew, billing_period, currency, list_price,
        price, total_price, version, previous, canceled, order_id, line, category, entry, *_,
    ) = r[offset:] if offset else r  # fmt: skip
    to_id, to_date, prices = conn.to_id, conn.to_date, price_converter(currency)
    return AssetRead(
        to_id(asset_id),
        asset_type,
        number,
        status,
        to_id(customer_id),
        to_id(product_id),
        product_name,
        quantity,
        None if start is None else to_date(start),
        None if end is None else to_date(end),
        term,
        renewal_term,
        bool(auto_renew),
        billing_period,
        currency,
        prices(list_price),
        prices(price),
        minor_converter(currency)(total_price),
        version,
        None if previous is None else to_id(previous),
        None if canceled is None else to_date(canceled),
        to_id(order_id),
        None if line is None else to_id(line),
        category,
        None if entry is None else to_id(entry),
    )


def assets_by_order(conn: Conn, rows: Iterable[Row]) -> dict[str, list[bytes]]:
    """Each order's assets include as bytes, from ``current_assets_for_orders`` rows with
    documents (the order id first): each version's stored document (``orders.documents``), or
    one built from its packed columns, in the rows' order."""
    out: dict[str, list[bytes]] = defaultdict(list)
    packed, at = 1 + repository.PACKED, 1 + repository.DOCUMENT
    for row in rows:
        document = row[at]
        if document is None:
            document = encoder.encode(asset_from_row(conn, conn.unpack(row[packed])))
        out[row[0]].append(document)
    return out


def subscription_from_row(conn: Conn, r: Row) -> SubscriptionRead:
    """An asset row as a subscription, with Nue's subscription field names added."""
    base = asset_from_row(conn, r)
    return SubscriptionRead(
        **msgspec.structs.asdict(base),
        name=base.asset_number,
        subscription_composite_id=f"{base.asset_number}-{base.asset_version}",
        subscription_version=base.asset_version,
        subscription_start_date=base.start_date,
        subscription_end_date=base.end_date,
        subscription_term=base.term,
        actions=[],
    )


async def add_actions(conn: Conn, ctx: ReadContext, subs: Sequence[SubscriptionRead]) -> None:
    """Fill in each subscription's ``actions`` for the caller. Whether a scheduled
    cancellation can still be undone depends on its customer's today: their time zones are
    read only when such a subscription is among ``subs`` and the caller may write."""
    principal = ctx.principal
    todays = {}
    scheduled = sorted({s.customer_id for s in subs if s.status == SCHEDULED})
    if scheduled and ORDERS_WRITE in principal.scopes:
        rows = await time_zones(conn, principal.tenant_id, scheduled)
        todays = {conn.to_id(cid): local_date(ctx.now, zone) for cid, zone in rows}
    for sub in subs:
        today = todays.get(sub.customer_id)
        sub.actions = subscription_actions(sub, today, principal.scopes, ctx.served_routes)


async def list_subscriptions(
    conn: Conn, principal: Principal, query: AssetListQuery, ctx: ReadContext | None = None
) -> SubscriptionList:
    """A page of the customers' subscriptions; with ``ctx`` (the API passes it) each lists
    the ``actions`` that caller may take, without it ``actions`` stay empty."""
    items, pagination = await _page(conn, principal, "Subscription", query, subscription_from_row)
    if ctx is not None:
        await add_actions(conn, ctx, items)
    return SubscriptionList(status="SUCCESS", data=items, pagination=pagination)


async def list_assets(
    conn: Conn, principal: Principal, asset_type: str, query: AssetListQuery
) -> AssetList:
    """Physical assets (``Asset``) or entitlements (``Entitlement``) of the customers."""
    items, pagination = await _page(conn, principal, asset_type, query, asset_from_row)
    return AssetList(status="SUCCESS", data=items, pagination=pagination)


async def _page(
    conn: Conn,
    principal: Principal,
    asset_type: str,
    query: AssetListQuery,
    build: Callable[[Conn, Row], A],
) -> tuple[list[A], Pagination]:
    """One page of the current versions of the customers' assets of ``asset_type``."""
    query = replace(query, customer_ids=readable_customer_ids(principal, query.customer_ids))
    tenant_id = principal.tenant_id
    rows, total = await repository.list_assets(conn, tenant_id, asset_type, query)
    has_more = len(rows) > query.limit
    items = [build(conn, r) for r in rows[: query.limit]]
    if total is None:  # an empty page: only a continued one can have matches before it
        total = (
            await repository.count_assets(conn, tenant_id, asset_type, query) if query.cursor else 0
        )
    next_cursor = None
    if has_more:
        last = items[-1]
        value = getattr(last, query.sort.key.column)  # sort columns are attribute names
        next_cursor = encode_cursor(query.sort, value, last.id)
    pagination = Pagination(
        limit=query.limit, has_more=has_more, next_cursor=next_cursor, total=total
    )
    return items, pagination
