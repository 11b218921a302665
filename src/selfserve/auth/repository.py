"""SQL for tenants and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from selfserve.db import Conn, Row

SEQUENCE_KINDS = ("O", "SUB", "AST", "ENT", "INV")


async def key_with_tenant(conn: Conn, key_id: str) -> Row | None:
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT k.tenant_id, k.secret_hash, k.role, k.revoked_at, t.renewal_notice_days "
        f"FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.key_id = {sql.p(key_id)}",
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
    sql = conn.sql()
    names = ", ".join(values)
    placeholders = ", ".join(sql.p(v) for v in values.values())
    await conn.execute(f"INSERT INTO api_keys ({names}) VALUES ({placeholders})", sql.params)


async def list_keys(conn: Conn, tenant_id: str | None) -> list[Row]:
    sql = conn.sql()
    where = f"WHERE k.tenant_id = {sql.p(tenant_id)}" if tenant_id else ""
    return await conn.fetch(
        "SELECT k.key_id, t.slug, k.role, k.name, k.created_at, k.revoked_at, k.last_used_at "
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
