"""SQL for tenants and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from selfserve.db import Conn, Row, insert_row

SEQUENCE_KINDS = ("O", "SUB", "AST", "ENT", "INV")


async def key_with_tenant(conn: Conn, key_id: str) -> Row | None:
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT k.tenant_id, k.secret_hash, k.role, k.revoked_at, k.expires_at, "
        "t.renewal_notice_days FROM api_keys k JOIN tenants t ON t.id = k.tenant_id "
        f"WHERE k.key_id = {sql.p(key_id)}",
        sql.params,
    )


async def token_state(
    conn: Conn, tenant_id: str, token_id: str, customer_ids: list[str], issued_at: datetime
) -> Row | None:
    """``(renewal_notice_days, revoked)`` for a token, or None when its tenant is gone."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    return await conn.fetchrow(
        "SELECT t.renewal_notice_days, EXISTS (SELECT 1 FROM token_revocations r "
        f"WHERE r.tenant_id = {tenant} AND (r.token_id = {sql.p(token_id)} OR "
        f"({sql.in_('r.customer_id', customer_ids)} AND r.revoked_at >= {sql.p(issued_at)}))) "
        f"FROM tenants t WHERE t.id = {tenant}",
        sql.params,
    )


async def insert_revocation(conn: Conn, values: dict[str, Any]) -> None:
    await insert_row(conn, "token_revocations", values)


async def customers_in_tenant(
    conn: Conn, tenant_id: str, customer_ids: list[str], with_children: bool
) -> list[str]:
    """Those of ``customer_ids`` in the tenant, plus (optionally) all their descendants."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    seed = f"SELECT id FROM customers WHERE tenant_id = {tenant} AND {sql.in_('id', customer_ids)}"
    if not with_children:
        rows = await conn.fetch(seed, sql.params)
    else:
        rows = await conn.fetch(
            f"WITH RECURSIVE family(id) AS ({seed} UNION SELECT c.id FROM customers c "
            f"JOIN family f ON c.parent_customer_id = f.id WHERE c.tenant_id = {tenant}) "
            "SELECT id FROM family",
            sql.params,
        )
    return [conn.to_id(r[0]) for r in rows]


async def expire_key(conn: Conn, key_id: str, at: datetime) -> Row | None:
    """Give an active key an expiry; returns ``(tenant_id, role, name)`` or None."""
    sql = conn.sql()
    return await conn.fetchrow(
        f"UPDATE api_keys SET expires_at = {sql.p(at)} WHERE key_id = {sql.p(key_id)} "
        "AND revoked_at IS NULL RETURNING tenant_id, role, name",
        sql.params,
    )


async def record_usage(conn: Conn, used: list[tuple[datetime, str]]) -> None:
    """Write 'last used' times in one batch (never one write per request)."""
    for at, key_id in used:
        sql = conn.sql()
        when = sql.p(at)
        await conn.execute(
            f"UPDATE api_keys SET last_used_at = {when} WHERE key_id = {sql.p(key_id)} "
            f"AND (last_used_at IS NULL OR last_used_at < {when})",
            sql.params,
        )


async def tenant_id_by_slug(conn: Conn, slug: str) -> str | None:
    sql = conn.sql()
    value = await conn.fetchval(f"SELECT id FROM tenants WHERE slug = {sql.p(slug)}", sql.params)
    return None if value is None else conn.to_id(value)


async def insert_tenant(conn: Conn, tenant_id: str, slug: str, name: str, now: datetime) -> None:
    sql = conn.sql()
    await conn.execute(
        "INSERT INTO tenants (id, slug, name, renewal_notice_days, payment_terms_days, "
        f"grace_period_days, created_at) VALUES ({sql.p(tenant_id)}, {sql.p(slug)}, "
        f"{sql.p(name)}, 30, 30, 30, {sql.p(now)})",
        sql.params,
    )
    for kind in SEQUENCE_KINDS:
        sql = conn.sql()
        await conn.execute(
            "INSERT INTO number_sequences (tenant_id, kind, last_value) "
            f"VALUES ({sql.p(tenant_id)}, {sql.p(kind)}, 0)",
            sql.params,
        )


async def insert_key(conn: Conn, values: dict[str, Any]) -> None:
    await insert_row(conn, "api_keys", values)


async def list_keys(conn: Conn, tenant_id: str | None) -> list[Row]:
    sql = conn.sql()
    where = f"WHERE k.tenant_id = {sql.p(tenant_id)}" if tenant_id else ""
    return await conn.fetch(
        "SELECT k.key_id, t.slug, k.role, k.name, k.created_at, k.revoked_at, k.last_used_at, "
        "k.expires_at "
        f"FROM api_keys k JOIN tenants t ON t.id = k.tenant_id {where} "
        "ORDER BY t.slug, k.created_at, k.key_id",
        sql.params,
    )


async def revoke_key(conn: Conn, key_id: str, now: datetime) -> bool:
    sql = conn.sql()
    row = await conn.fetchrow(
        f"UPDATE api_keys SET revoked_at = {sql.p(now)} WHERE key_id = {sql.p(key_id)} "
        "AND revoked_at IS NULL RETURNING key_id",
        sql.params,
    )
    return row is not None
