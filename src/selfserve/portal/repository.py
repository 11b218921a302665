"""SQL for portal sessions and portal settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from selfserve.db import Conn, Row, insert_row

_SESSION_COLUMNS = (
    "s.id, s.tenant_id, s.customer_ids, s.scopes, s.locale, s.return_url, s.csrf_token, "
    "s.current_customer_id, s.expires_at, t.renewal_notice_days, t.name"
)


async def insert_session(conn: Conn, values: dict[str, Any]) -> None:
    await insert_row(conn, "portal_sessions", values)


async def launch(
    conn: Conn, launch_hash: str, secret_hash: str, csrf: str, now: datetime
) -> Row | None:
    """Open an unused, unexpired, unrevoked link exactly once (a conditional update, so two
    concurrent clicks cannot both succeed); ``(id, customer_ids)`` or None."""
    sql = conn.sql()
    at = sql.p(now)
    return await conn.fetchrow(
        f"UPDATE portal_sessions SET launched_at = {at}, secret_hash = {sql.p(secret_hash)}, "
        f"csrf_token = {sql.p(csrf)} WHERE launch_hash = {sql.p(launch_hash)} "
        f"AND launched_at IS NULL AND revoked_at IS NULL AND launch_expires_at > {at} "
        f"AND expires_at > {at} RETURNING id, customer_ids",
        sql.params,
    )


async def set_current_customer(conn: Conn, session_id: str, customer_id: str) -> None:
    sql = conn.sql()
    await conn.execute(
        f"UPDATE portal_sessions SET current_customer_id = {sql.p(customer_id)} "
        f"WHERE id = {sql.p(session_id)}",
        sql.params,
    )


async def live_session(conn: Conn, secret_hash: str, now: datetime) -> Row | None:
    """The session a cookie names, with its tenant, if opened, unexpired and unrevoked."""
    sql = conn.sql()
    return await conn.fetchrow(
        f"SELECT {_SESSION_COLUMNS} FROM portal_sessions s JOIN tenants t ON t.id = s.tenant_id "
        f"WHERE s.secret_hash = {sql.p(secret_hash)} AND s.revoked_at IS NULL "
        f"AND s.expires_at > {sql.p(now)}",
        sql.params,
    )


async def revoke(conn: Conn, tenant_id: str, session_id: str, now: datetime) -> Row | None:
    """Revoke a session of the tenant (idempotently: a revoked one keeps its first time)."""
    sql = conn.sql()
    at = sql.p(now)
    return await conn.fetchrow(
        f"UPDATE portal_sessions SET revoked_at = COALESCE(revoked_at, {at}) "
        f"WHERE id = {sql.p(session_id)} AND tenant_id = {sql.p(tenant_id)} "
        "RETURNING id, revoked_at",
        sql.params,
    )


async def settings(conn: Conn, tenant_id: str) -> str | None:
    sql = conn.sql()
    value: str | None = await conn.fetchval(
        f"SELECT settings FROM portal_settings WHERE tenant_id = {sql.p(tenant_id)}", sql.params
    )
    return value


async def store_settings(conn: Conn, tenant_id: str, settings: str, now: datetime) -> None:
    sql = conn.sql()
    await conn.execute(
        "INSERT INTO portal_settings (tenant_id, settings, updated_at) VALUES "
        f"({sql.p(tenant_id)}, {sql.p(settings)}, {sql.p(now)}) ON CONFLICT (tenant_id) "
        "DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        sql.params,
    )


async def price_periods(conn: Conn, tenant_id: str, line_ids: list[str]) -> dict[str, str]:
    """The price period (Month, Year, OneTime) of order lines of the tenant, by line id."""
    if not line_ids:
        return {}
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT id, price_period FROM order_products WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('id', line_ids)}",
        sql.params,
    )
    return {conn.to_id(r[0]): r[1] for r in rows}


async def tenant_of_customer(conn: Conn, customer_id: str) -> str | None:
    sql = conn.sql()
    value = await conn.fetchval(
        f"SELECT tenant_id FROM customers WHERE id = {sql.p(customer_id)}", sql.params
    )
    return None if value is None else conn.to_id(value)


async def customer_time_zone(conn: Conn, tenant_id: str, customer_id: str) -> str | None:
    sql = conn.sql()
    value: str | None = await conn.fetchval(
        f"SELECT time_zone FROM customers WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND id = {sql.p(customer_id)}",
        sql.params,
    )
    return value


async def open_balances(conn: Conn, tenant_id: str, customer_id: str, today: date) -> list[Row]:
    """Per currency: unpaid issued invoices (count, balance) and those past due (the same
    rule as ``invoices.service.is_overdue``), in minor units."""
    sql = conn.sql()
    late = f"due_date < {sql.p(today)}"
    return await conn.fetch(
        f"SELECT currency, count(*), sum(balance), sum(CASE WHEN {late} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {late} THEN balance ELSE 0 END) FROM invoices "
        f"WHERE tenant_id = {sql.p(tenant_id)} AND customer_id = {sql.p(customer_id)} "
        "AND status = 'Active' AND balance > 0 GROUP BY currency ORDER BY currency",
        sql.params,
    )
