"""SQL for subscriptions, physical assets and entitlements: the current versions of a
tenant's assets, always within the caller's customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from selfserve.assets.query import AssetListQuery
from selfserve.db import Conn, Row, Sql
from selfserve.kit.pagination import after_cursor, order_by

_COLUMNS = (
    "a.id", "a.asset_type", "a.asset_number", "a.status", "a.customer_id", "a.product_id",
    "a.product_name", "a.quantity", "a.start_date", "a.end_date", "a.term", "a.renewal_term",
    "a.auto_renew", "a.billing_period", "a.currency", "a.list_price", "a.price",
    "a.total_price", "a.asset_version", "a.last_versioned_asset_id", "a.cancellation_date",
    "a.order_id AS asset_order_id", "a.order_product_id", "a.product_category",
    "a.price_book_entry_id",
)  # fmt: skip
ASSET_COLUMNS = ", ".join(_COLUMNS)
_FILTER_COLUMNS = {"startDate": "start_date", "endDate": "end_date"}

# The assets include over stored documents (orders.documents) lays a row out as the asset
# number (what the include orders by), then ASSET_COLUMNS packed into one value for a version
# that has no document yet (Conn.unpack; NULL otherwise), then the document.
NUMBER, PACKED, DOCUMENT = 0, 1, 2


_EXPRESSIONS = [column.partition(" AS ")[0] for column in _COLUMNS]


def _document_columns(sql: Sql) -> str:
    return f"a.asset_number, {sql.packed(_EXPRESSIONS, unless='a.document')}, a.document"


async def current_assets_for_orders(
    conn: Conn, tenant_id: str, order_ids: Sequence[Any], cap: int, documents: bool = False
) -> list[Row]:
    """``(order_id, asset...)`` for every asset an order created or changed, at its current
    version, at most ``cap + 1`` per order (the extra row tells the caller it was cut); the
    order id as text (a cheap dictionary key on both engines) and the asset laid out as
    ``ASSET_COLUMNS``, or with ``documents`` as ``NUMBER, PACKED, DOCUMENT`` above.

    Each order's asset numbers are numbered and cut before their current versions are
    joined, so only the rows kept are read whole and the window sorts numbers, not rows. An
    asset number has exactly one current version (``orders.versions`` retires the old one in
    the transaction that adds the new), so this numbers the versions. The rows come sorted by
    the text id, which also makes PostgreSQL send them at once rather than as they are found.
    """
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    columns = _document_columns(sql) if documents else ASSET_COLUMNS
    return await conn.fetch(
        f"SELECT CAST(k.order_id AS TEXT) AS order_id, {columns}, k.n FROM (SELECT order_id, "
        "asset_number, row_number() OVER (PARTITION BY order_id ORDER BY asset_number) AS n "
        "FROM (SELECT DISTINCT order_id, asset_number FROM assets "
        f"WHERE {sql.in_('order_id', order_ids)} AND tenant_id = {tenant}) v) k "
        f"JOIN assets a ON a.tenant_id = {tenant} AND a.asset_number = k.asset_number "
        f"AND a.is_current WHERE k.n <= {sql.p(cap + 1)} ORDER BY order_id, k.asset_number",
        sql.params,
    )


def _conditions(
    sql: Sql, tenant_id: str, asset_type: str, query: AssetListQuery, alias: str
) -> list[str]:
    """Current versions of the tenant's assets of one type, for the query's customers."""
    ids = query.customer_ids or []
    where = [
        f"{alias}.tenant_id = {sql.p(tenant_id)}",
        f"{alias}.customer_id = {sql.p(ids[0])}"
        if len(ids) == 1
        else sql.in_(f"{alias}.customer_id", ids),
        f"{alias}.asset_type = {sql.p(asset_type)}",
        f"{alias}.is_current",
    ]
    if query.statuses:
        where.append(sql.in_(f"{alias}.status", query.statuses, "text"))
    where.extend(
        f"{alias}.{_FILTER_COLUMNS[f.field]} {f.op} {sql.p(f.value)}" for f in query.filters
    )
    return where


async def list_assets(
    conn: Conn, tenant_id: str, asset_type: str, query: AssetListQuery
) -> tuple[list[Row], int | None]:
    """One page plus the total (None when the page is empty: count it separately).

    A single customer's page is an ordered scan of a partial index ``(customer_id,
    asset_type, <sort key>, id) WHERE is_current`` that stops at the limit.
    """
    sql = conn.sql()
    count_where = " AND ".join(_conditions(sql, tenant_id, asset_type, query, "t"))
    where = _conditions(sql, tenant_id, asset_type, query, "a")
    if query.cursor is not None:
        where.append(after_cursor(sql, query.sort, query.cursor, "a"))
    rows = await conn.fetch(
        f"SELECT {ASSET_COLUMNS}, (SELECT count(*) FROM assets t WHERE {count_where}) "
        f"FROM assets a WHERE {' AND '.join(where)} ORDER BY {order_by(sql, query.sort, 'a')} "
        f"LIMIT {sql.p(query.limit + 1)}",
        sql.params,
    )
    return rows, (int(rows[0][-1]) if rows else None)


async def count_assets(conn: Conn, tenant_id: str, asset_type: str, query: AssetListQuery) -> int:
    sql = conn.sql()
    where = " AND ".join(_conditions(sql, tenant_id, asset_type, query, "t"))
    return int(await conn.fetchval(f"SELECT count(*) FROM assets t WHERE {where}", sql.params))
