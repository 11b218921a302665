"""SQL for the catalog: the tenant's products, their price book entries and tax rates.

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


# Writing the catalog (``selfserve catalog import``).


async def products_by_sku(conn: Conn, tenant_id: str, skus: Sequence[str]) -> list[Row]:
    """``(id, sku, name, description, product_category)`` of the tenant's products."""
    sql = conn.sql()
    return await conn.fetch(
        "SELECT id, sku, name, description, product_category FROM products "
        f"WHERE tenant_id = {sql.p(tenant_id)} AND {sql.in_('sku', skus, 'text')}",
        sql.params,
    )


async def update_product(
    conn: Conn, product_id: str, name: str, description: str | None, category: str, now: Any
) -> None:
    sql = conn.sql()
    await conn.execute(
        f"UPDATE products SET name = {sql.p(name)}, description = {sql.p(description)}, "
        f"product_category = {sql.p(category)}, updated_at = {sql.p(now)} "
        f"WHERE id = {sql.p(product_id)}",
        sql.params,
    )


async def entries_by_key(conn: Conn, tenant_id: str, product_ids: Sequence[Any]) -> list[Row]:
    """``(id, product_id, currency, price_period, list_price, active)`` of the products'
    entries; where one (product, currency, period) has several, the active and newest first."""
    sql = conn.sql()
    return await conn.fetch(
        "SELECT id, product_id, currency, price_period, list_price, active "
        f"FROM price_book_entries WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('product_id', product_ids)} "
        "ORDER BY product_id, currency, price_period, active DESC, created_at DESC, id",
        sql.params,
    )


async def update_entry(conn: Conn, entry_id: str, list_price: int, active: bool) -> None:
    sql = conn.sql()
    await conn.execute(
        f"UPDATE price_book_entries SET list_price = {sql.p(list_price)}, "
        f"active = {sql.p(active)} WHERE id = {sql.p(entry_id)}",
        sql.params,
    )


async def tax_rates(conn: Conn, tenant_id: str) -> list[Row]:
    """``(country, rate)`` of the tenant."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT country, rate FROM tax_rates WHERE tenant_id = {sql.p(tenant_id)}", sql.params
    )


async def update_tax_rate(conn: Conn, tenant_id: str, country: str, rate: int) -> None:
    sql = conn.sql()
    await conn.execute(
        f"UPDATE tax_rates SET rate = {sql.p(rate)} "
        f"WHERE tenant_id = {sql.p(tenant_id)} AND country = {sql.p(country)}",
        sql.params,
    )
