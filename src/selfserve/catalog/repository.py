"""SQL for the catalog: the tenant's products and their price book entries.

The catalog belongs to the tenant, not to a customer: every statement is scoped by tenant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from selfserve.db import Conn, Row, Sql
from selfserve.kit.pagination import Cursor, Sort, after_cursor, order_by

PRODUCT_COLUMNS = (
    "p.id, p.sku, p.name, p.description, p.product_category, p.created_at, p.updated_at"
)
ENTRY_COLUMNS = "product_id, id, currency, list_price, price_period, active"


def _conditions(
    sql: Sql, tenant_id: str, categories: Sequence[str], currencies: Sequence[str], alias: str
) -> list[str]:
    where = [f"{alias}.tenant_id = {sql.p(tenant_id)}"]
    if categories:
        where.append(sql.in_(f"{alias}.product_category", categories, "text"))
    if currencies:
        where.append(
            f"EXISTS (SELECT 1 FROM price_book_entries e WHERE e.product_id = {alias}.id "
            f"AND e.tenant_id = {alias}.tenant_id AND {sql.in_('e.currency', currencies, 'text')})"
        )
    return where


async def list_products(
    conn: Conn,
    tenant_id: str,
    *,
    categories: Sequence[str],
    currencies: Sequence[str],
    sort: Sort,
    limit: int,
    cursor: Cursor | None,
) -> tuple[list[Row], int | None]:
    """One page plus the total (None when the page is empty: count it separately)."""
    sql = conn.sql()
    count_where = " AND ".join(_conditions(sql, tenant_id, categories, currencies, "t"))
    where = _conditions(sql, tenant_id, categories, currencies, "p")
    if cursor is not None:
        where.append(after_cursor(sql, sort, cursor, "p"))
    rows = await conn.fetch(
        f"SELECT {PRODUCT_COLUMNS}, (SELECT count(*) FROM products t WHERE {count_where}) "
        f"FROM products p WHERE {' AND '.join(where)} ORDER BY {order_by(sql, sort, 'p')} "
        f"LIMIT {sql.p(limit + 1)}",
        sql.params,
    )
    return rows, (int(rows[0][-1]) if rows else None)


async def count_products(
    conn: Conn, tenant_id: str, *, categories: Sequence[str], currencies: Sequence[str]
) -> int:
    sql = conn.sql()
    where = " AND ".join(_conditions(sql, tenant_id, categories, currencies, "t"))
    return int(await conn.fetchval(f"SELECT count(*) FROM products t WHERE {where}", sql.params))


async def entries_for(
    conn: Conn, tenant_id: str, product_ids: Sequence[Any], currencies: Sequence[str]
) -> list[Row]:
    """``(product_id, entry...)`` of the page's products, optionally in some currencies only."""
    sql = conn.sql()
    where = [sql.in_("product_id", product_ids), f"tenant_id = {sql.p(tenant_id)}"]
    if currencies:
        where.append(sql.in_("currency", currencies, "text"))
    return await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM price_book_entries WHERE {' AND '.join(where)} "
        "ORDER BY product_id, currency, price_period, id",
        sql.params,
    )
