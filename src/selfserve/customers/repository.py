"""SQL for customers, always within the caller's tenant (and customer set, for tokens)."""

from __future__ import annotations

from collections.abc import Sequence

from selfserve.db import Conn, Row
from selfserve.kit.pagination import Cursor, Sort, after_cursor, order_by

CUSTOMER_COLUMNS = (
    "c.id, c.account_number, c.name, c.email, c.parent_customer_id, c.time_zone, c.currency, "
    "c.country, c.created_at, c.updated_at"
)


async def list_customers(
    conn: Conn,
    tenant_id: str,
    customer_ids: frozenset[str] | None,
    *,
    sort: Sort,
    limit: int,
    cursor: Cursor | None,
    search: str | None,
) -> tuple[list[Row], int]:
    sql = conn.sql()
    where = [f"c.tenant_id = {sql.p(tenant_id)}"]
    if customer_ids is not None:
        where.append(sql.in_("c.id", sorted(customer_ids)))
    if search:
        where.append(f"({sql.ilike('c.name', search)} OR {sql.ilike('c.account_number', search)})")
    count_where = " AND ".join(where).replace("c.", "t.")
    if cursor is not None:
        where.append(after_cursor(sql, sort, cursor, "c"))
    rows = await conn.fetch(
        f"SELECT {CUSTOMER_COLUMNS}, (SELECT count(*) FROM customers t WHERE {count_where}) "
        f"FROM customers c WHERE {' AND '.join(where)} ORDER BY {order_by(sql, sort, 'c')} "
        f"LIMIT {sql.p(limit + 1)}",
        sql.params,
    )
    return rows, (int(rows[0][-1]) if rows else 0)


async def get_customer(
    conn: Conn, tenant_id: str, customer_ids: frozenset[str] | None, customer_id: str
) -> Row | None:
    """One customer of the tenant (for a token: only one of its own), or None."""
    sql = conn.sql()
    where = [f"c.id = {sql.p(customer_id)}", f"c.tenant_id = {sql.p(tenant_id)}"]
    if customer_ids is not None:
        where.append(sql.in_("c.id", sorted(customer_ids)))
    return await conn.fetchrow(
        f"SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE {' AND '.join(where)}", sql.params
    )


async def time_zones(conn: Conn, tenant_id: str, customer_ids: Sequence[str]) -> list[Row]:
    """``(id, time_zone)`` of the named customers of the tenant (unknown ids are skipped)."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT id, time_zone FROM customers WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('id', customer_ids)}",
        sql.params,
    )
