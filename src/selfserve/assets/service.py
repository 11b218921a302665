"""Rules and views for subscriptions, physical assets and entitlements. Never commits.

A list request runs one statement whatever its page size: the current versions of the
customers' assets of one type, with the total as a scalar subquery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import msgspec

from selfserve.assets import repository
from selfserve.assets.query import AssetListQuery
from selfserve.assets.schemas import AssetList, AssetRead, SubscriptionList, SubscriptionRead
from selfserve.auth.principal import Principal
from selfserve.auth.scoping import readable_customer_ids
from selfserve.db import Conn, Row
from selfserve.kit.money import minor_to_decimal, price_to_decimal
from selfserve.kit.pagination import Pagination, encode_cursor

A = TypeVar("A", bound=AssetRead)


def asset_from_row(conn: Conn, r: Row, offset: int = 0) -> AssetRead:
    """Build the wire view of an asset row laid out as ``assets.repository.ASSET_COLUMNS``."""
    to_date, currency = conn.to_date, r[offset + 14]
    start, end, canceled = r[offset + 8], r[offset + 9], r[offset + 20]
    previous, line, entry = r[offset + 19], r[offset + 22], r[offset + 24]
    return AssetRead(
        id=conn.to_id(r[offset]),
        asset_type=r[offset + 1],
        asset_number=r[offset + 2],
        status=r[offset + 3],
        customer_id=conn.to_id(r[offset + 4]),
        product_id=conn.to_id(r[offset + 5]),
        product_name=r[offset + 6],
        quantity=r[offset + 7],
        start_date=None if start is None else to_date(start),
        end_date=None if end is None else to_date(end),
        term=r[offset + 10],
        renewal_term=r[offset + 11],
        auto_renew=bool(r[offset + 12]),
        billing_period=r[offset + 13],
        currency=currency,
        list_price=price_to_decimal(r[offset + 15], currency),
        price=price_to_decimal(r[offset + 16], currency),
        total_price=minor_to_decimal(r[offset + 17], currency),
        asset_version=r[offset + 18],
        last_versioned_asset_id=None if previous is None else conn.to_id(previous),
        cancellation_date=None if canceled is None else to_date(canceled),
        order_id=conn.to_id(r[offset + 21]),
        order_product_id=None if line is None else conn.to_id(line),
        product_category=r[offset + 23],
        price_book_entry_id=None if entry is None else conn.to_id(entry),
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
    )


async def list_subscriptions(
    conn: Conn, principal: Principal, query: AssetListQuery
) -> SubscriptionList:
    items, pagination = await _page(conn, principal, "Subscription", query, subscription_from_row)
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
