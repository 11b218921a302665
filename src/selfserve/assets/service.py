"""Rules and views for subscriptions, physical assets and entitlements. Never commits.

A list request runs one statement whatever its page size: the current versions of the
customers' assets of one type, with the total as a scalar subquery. Subscriptions list their
``actions``; only a page with a scheduled cancellation the caller could undo needs one more
statement (its customers' time zones: a cancellation can be undone until its date).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from selfserve.kit.money import minor_to_decimal, price_converter
from selfserve.kit.pagination import Pagination, encode_cursor
from selfserve.orders.lifecycle import SCHEDULED, subscription_actions

if TYPE_CHECKING:
    from selfserve.orders.service import ReadContext

A = TypeVar("A", bound=AssetRead)


def asset_from_row(conn: Conn, r: Row, offset: int = 0) -> AssetRead:
    """Build the wire view of an asset row laid out as ``assets.repository.ASSET_COLUMNS``
    from ``offset`` on: the columns are the fields of ``AssetRead`` in order. Built
    positionally because order reads embed hundreds of assets (keywords cost several times
    more in msgspec)."""
    if offset:
        r = r[offset:]
    to_id, to_date, currency = conn.to_id, conn.to_date, r[14]
    price = price_converter(currency)
    return AssetRead(
        to_id(r[0]),
        r[1],  # asset_type
        r[2],  # asset_number
        r[3],  # status
        to_id(r[4]),  # customer_id
        to_id(r[5]),  # product_id
        r[6],  # product_name
        r[7],  # quantity
        None if r[8] is None else to_date(r[8]),  # start_date
        None if r[9] is None else to_date(r[9]),  # end_date
        r[10],  # term
        r[11],  # renewal_term
        bool(r[12]),  # auto_renew
        r[13],  # billing_period
        currency,
        price(r[15]),  # list_price
        price(r[16]),  # price
        minor_to_decimal(r[17], currency),  # total_price
        r[18],  # asset_version
        None if r[19] is None else to_id(r[19]),  # last_versioned_asset_id
        None if r[20] is None else to_date(r[20]),  # cancellation_date
        to_id(r[21]),  # order_id
        None if r[22] is None else to_id(r[22]),  # order_product_id
        r[23],  # product_category
        None if r[24] is None else to_id(r[24]),  # price_book_entry_id
    )


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
