"""SQL for renewals, the auto-renew setting and the scheduled runs. Every statement starts
from a tenant; the HTTP reads also from the caller's customers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from selfserve.assets.repository import ASSET_COLUMNS
from selfserve.db import Conn, Row, Sql
from selfserve.kit.pagination import Cursor, after_cursor, order_by
from selfserve.renewals.query import SORT

# The asset columns (``assets.repository.ASSET_COLUMNS``), then what pricing the next term
# needs from the line that produced the current version.
RENEWAL_COLUMNS = f"{ASSET_COLUMNS}, l.price_period, l.tax_rate"
Window = tuple[list[str], date, date]  # customers sharing a local today, first and last day


def _customers(sql: Sql, column: str, ids: Sequence[str]) -> str:
    return f"{column} = {sql.p(ids[0])}" if len(ids) == 1 else sql.in_(column, ids)


def _conditions(sql: Sql, tenant_id: str, windows: Sequence[Window], alias: str) -> list[str]:
    """Current, live subscriptions of the windows' customers ending within their window."""
    spans = " OR ".join(
        f"({_customers(sql, f'{alias}.customer_id', ids)} AND {alias}.end_date "
        f"BETWEEN {sql.p(first)} AND {sql.p(last)})"
        for ids, first, last in windows
    )
    return [
        f"{alias}.tenant_id = {sql.p(tenant_id)}",
        f"({spans})",
        f"{alias}.asset_type = 'Subscription'",
        f"{alias}.is_current",
        f"{alias}.status IN ('Active', 'Pending')",
    ]


async def renewals_page(
    conn: Conn, tenant_id: str, windows: Sequence[Window], limit: int, cursor: Cursor | None
) -> tuple[list[Row], int | None]:
    """One page, soonest end first, plus the total (None when the page is empty)."""
    sql = conn.sql()
    count_where = " AND ".join(_conditions(sql, tenant_id, windows, "t"))
    where = _conditions(sql, tenant_id, windows, "a")
    if cursor is not None:
        where.append(after_cursor(sql, SORT, cursor, "a"))
    rows = await conn.fetch(
        f"SELECT {RENEWAL_COLUMNS}, (SELECT count(*) FROM assets t WHERE {count_where}) "
        "FROM assets a LEFT JOIN order_products l ON l.id = a.order_product_id "
        f"WHERE {' AND '.join(where)} ORDER BY {order_by(sql, SORT, 'a')} "
        f"LIMIT {sql.p(limit + 1)}",
        sql.params,
    )
    return rows, (int(rows[0][-1]) if rows else None)


async def count_renewals(conn: Conn, tenant_id: str, windows: Sequence[Window]) -> int:
    sql = conn.sql()
    where = " AND ".join(_conditions(sql, tenant_id, windows, "t"))
    return int(await conn.fetchval(f"SELECT count(*) FROM assets t WHERE {where}", sql.params))


async def current_subscription(
    conn: Conn, tenant_id: str, customer_ids: frozenset[str] | None, asset_id: str
) -> Row | None:
    """The subscription version ``asset_id`` (laid out as ``ASSET_COLUMNS``) when it is the
    current one and the caller may see its customer."""
    sql = conn.sql()
    where = [
        f"a.id = {sql.p(asset_id)}",
        f"a.tenant_id = {sql.p(tenant_id)}",
        "a.asset_type = 'Subscription'",
        "a.is_current",
    ]
    if customer_ids is not None:
        where.append(sql.in_("a.customer_id", sorted(customer_ids)))
    return await conn.fetchrow(
        f"SELECT {ASSET_COLUMNS} FROM assets a WHERE {' AND '.join(where)}", sql.params
    )


async def set_auto_renew(conn: Conn, asset_id: str, value: bool, now: datetime) -> bool:
    """Change the setting on the current row in place; False when it stopped being current."""
    sql = conn.sql()
    row = await conn.fetchrow(
        f"UPDATE assets SET auto_renew = {sql.p(value)}, updated_at = {sql.p(now)} "
        f"WHERE id = {sql.p(asset_id)} AND is_current RETURNING id",
        sql.params,
    )
    return row is not None


async def set_status(conn: Conn, asset_id: str, status: str, now: datetime) -> bool:
    """A status the calendar decides (Ended, Expired, Canceled), in place on the current row."""
    sql = conn.sql()
    row = await conn.fetchrow(
        f"UPDATE assets SET status = {sql.p(status)}, updated_at = {sql.p(now)} "
        f"WHERE id = {sql.p(asset_id)} AND is_current RETURNING id",
        sql.params,
    )
    return row is not None


async def orders_touching(conn: Conn, tenant_id: str, asset_number: str) -> list[str]:
    """Every order that created or changed a version of ``asset_number``."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT DISTINCT order_id FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND asset_number = {sql.p(asset_number)}",
        sql.params,
    )
    return sorted(conn.to_id(r[0]) for r in rows)


# --- the scheduled runs -------------------------------------------------------------------


async def tenants(conn: Conn, slug: str | None) -> list[Row]:
    """``(id, slug, payment_terms_days, grace_period_days)`` of every tenant, or of one."""
    sql = conn.sql()
    where = f"WHERE slug = {sql.p(slug)} " if slug is not None else ""
    return await conn.fetch(
        f"SELECT id, slug, payment_terms_days, grace_period_days FROM tenants {where}ORDER BY slug",
        sql.params,
    )


async def subscriptions_due(conn: Conn, tenant_id: str, as_of: date, grace_days: int) -> list[str]:
    """Numbers of current subscriptions the renewal run has something to do with: live ones
    whose term ended before ``as_of``, scheduled cancellations that took effect, and Ended
    ones past the grace period."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT asset_number FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        "AND asset_type = 'Subscription' AND is_current AND end_date IS NOT NULL AND ("
        f"(status IN ('Active', 'Pending') AND end_date < {sql.p(as_of)}) OR "
        f"(status = 'Scheduled for Cancellation' AND cancellation_date <= {sql.p(as_of)}) OR "
        f"(status = 'Ended' AND end_date < {sql.p(as_of - timedelta(days=grace_days))})) "
        "ORDER BY asset_number",
        sql.params,
    )
    return [str(r[0]) for r in rows]


def _for_update(conn: Conn) -> str:
    """Row locks on PostgreSQL; SQLite's single writer serialises write transactions."""
    return " FOR UPDATE" if conn.dialect == "postgresql" else ""


async def lock_current(conn: Conn, tenant_id: str, asset_number: str) -> str | None:
    """Lock the current version of ``asset_number`` for this transaction; its id."""
    sql = conn.sql()
    value = await conn.fetchval(
        f"SELECT id FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND asset_number = {sql.p(asset_number)} AND is_current{_for_update(conn)}",
        sql.params,
    )
    return None if value is None else conn.to_id(value)


async def source_line(conn: Conn, line_id: str | None) -> Row | None:
    """``(price_period, tax_rate, product_sku)`` of the line behind an asset version."""
    if line_id is None:
        return None
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT price_period, tax_rate, product_sku FROM order_products "
        f"WHERE id = {sql.p(line_id)}",
        sql.params,
    )


async def orders_to_bill(conn: Conn, tenant_id: str, as_of: date) -> list[str]:
    """Activated orders that may have an invoice due by ``as_of``."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT id FROM orders WHERE tenant_id = {sql.p(tenant_id)} AND status = 'Activated' "
        f"AND (order_start_date IS NULL OR order_start_date <= {sql.p(as_of)}) "
        "ORDER BY order_number",
        sql.params,
    )
    return [conn.to_id(r[0]) for r in rows]


async def lock_order(conn: Conn, tenant_id: str, order_id: str) -> Row | None:
    """``(status, customer_id, currency, order_start_date, effective_date)``, locking the
    order for this transaction so that two billing runs take turns on it."""
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT status, customer_id, currency, order_start_date, effective_date FROM orders "
        f"WHERE id = {sql.p(order_id)} AND tenant_id = {sql.p(tenant_id)}{_for_update(conn)}",
        sql.params,
    )


async def invoiced_starts(conn: Conn, order_id: str) -> set[date]:
    """Start dates of the order's invoices that are not canceled."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT start_date FROM invoices WHERE order_id = {sql.p(order_id)} "
        "AND status <> 'Canceled'",
        sql.params,
    )
    return {conn.to_date(r[0]) for r in rows}


async def withdrawn_cancel_lines(conn: Conn, tenant_id: str, order_id: str) -> set[str]:
    """The order's Cancel lines whose cancellation was undone: the version a Cancel line made
    (the next after the one it was priced on, naming its order) is no longer current. Lines
    from before versions were pinned (no ``asset_version``) always stand."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    rows = await conn.fetch(
        f"SELECT l.id FROM order_products l WHERE l.order_id = {sql.p(order_id)} "
        f"AND l.tenant_id = {tenant} AND l.change_type = 'Cancel' "
        "AND l.asset_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assets a "
        f"WHERE a.tenant_id = {tenant} AND a.asset_number = l.asset_number "
        "AND a.asset_version = l.asset_version + 1 AND a.order_id = l.order_id AND a.is_current)",
        sql.params,
    )
    return {conn.to_id(r[0]) for r in rows}


async def line_cancellations(conn: Conn, tenant_id: str, order_id: str) -> dict[str, date]:
    """Order line id -> the cancellation date of the subscription it bills (when canceled)."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    rows = await conn.fetch(
        "SELECT l.id, a.cancellation_date FROM order_products l JOIN assets a "
        f"ON a.tenant_id = {tenant} AND a.asset_number = l.asset_number AND a.is_current "
        f"WHERE l.order_id = {sql.p(order_id)} AND l.tenant_id = {tenant} "
        "AND a.cancellation_date IS NOT NULL",
        sql.params,
    )
    return {conn.to_id(r[0]): conn.to_date(r[1]) for r in rows}
