"""SQL for customers, always within the caller's tenant (and customer set, for tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


# ``ACC-`` and 1 to 18 digits: the numbers the server assigns (they fit a 64-bit integer).
_SEQUENCE_WHERE = {
    "postgresql": "account_number ~ '^ACC-[0-9]{1,18}$'",
    "sqlite": "account_number GLOB 'ACC-[0-9]*' AND substr(account_number, 5) NOT GLOB "
    "'*[^0-9]*' AND length(account_number) <= 22",
}


async def lock_customer_creation(conn: Conn, tenant_id: str) -> None:
    """Make concurrent customer creations of one tenant take turns until the transaction
    ends (PostgreSQL: a row lock on the tenant that does not block foreign-key checks;
    SQLite has a single writer already)."""
    if conn.dialect == "postgresql":
        sql = conn.sql()
        await conn.execute(
            f"SELECT id FROM tenants WHERE id = {sql.p(tenant_id)} FOR NO KEY UPDATE", sql.params
        )


async def highest_account_sequence(conn: Conn, tenant_id: str) -> int:
    """The largest ``N`` of the tenant's ``ACC-N`` account numbers (0 when there is none)."""
    sql = conn.sql()
    value = await conn.fetchval(
        "SELECT max(CAST(substr(account_number, 5) AS BIGINT)) FROM customers "
        f"WHERE tenant_id = {sql.p(tenant_id)} AND account_number >= 'ACC-' "
        f"AND account_number < 'ACC.' AND {_SEQUENCE_WHERE[conn.dialect]}",
        sql.params,
    )
    return int(value or 0)


async def taken_account_numbers(conn: Conn, tenant_id: str, numbers: Sequence[str]) -> set[str]:
    """Which of ``numbers`` customers of the tenant already have."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT account_number FROM customers WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('account_number', numbers, 'text')}",
        sql.params,
    )
    return {r[0] for r in rows}


async def existing_customer_ids(
    conn: Conn, tenant_id: str, customer_ids: frozenset[str] | None, ids: Sequence[str]
) -> set[str]:
    """Which of ``ids`` (canonical UUIDs) are customers the caller may see."""
    sql = conn.sql()
    where = [f"tenant_id = {sql.p(tenant_id)}", sql.in_("id", ids)]
    if customer_ids is not None:
        where.append(sql.in_("id", sorted(customer_ids)))
    rows = await conn.fetch(f"SELECT id FROM customers WHERE {' AND '.join(where)}", sql.params)
    return {conn.to_id(r[0]) for r in rows}


async def insert_customers(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many customers with one prepared statement (every row has the same keys)."""
    columns = list(rows[0])
    params, placeholders = [], ""
    for row in rows:
        sql = conn.sql()
        placeholders = ", ".join(sql.p(row[c]) for c in columns)
        params.append(sql.params)
    await conn.executemany(
        f"INSERT INTO customers ({', '.join(columns)}) VALUES ({placeholders})", params
    )


async def customers_by_ids(conn: Conn, tenant_id: str, ids: Sequence[str]) -> list[Row]:
    """The tenant's customers among ``ids``, laid out as ``CUSTOMER_COLUMNS`` (any order)."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('c.id', ids)}",
        sql.params,
    )
