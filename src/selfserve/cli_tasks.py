"""The database work behind ``selfserve`` commands; each runs in one transaction."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from selfserve.auth import repository as auth_repository
from selfserve.auth import service as auth_service
from selfserve.config import get_settings
from selfserve.db import Database, create_database
from selfserve.kit.clock import system_clock
from selfserve.orders import documents

DEMO_KEY_NAME = "make run demo key"


def _database() -> Database:
    settings = get_settings()
    return create_database(settings.database_url, pool_min=1, pool_max=2)


async def create_key(tenant: str, role: str, name: str) -> dict[str, str]:
    db = _database()
    try:
        async with db.write() as conn:
            created = await auth_service.create_key(
                conn, tenant=tenant, role=role, now=system_clock(), name=name
            )
    finally:
        await db.close()
    return {
        "key": created.key,
        "keyId": created.key_id,
        "tenant": created.tenant,
        "tenantId": created.tenant_id,
        "role": created.role,
    }


async def list_keys(tenant: str | None) -> list[dict[str, Any]]:
    db = _database()
    try:
        async with db.read() as conn:
            tenant_id = await auth_repository.tenant_id_by_slug(conn, tenant) if tenant else None
            if tenant and tenant_id is None:
                return []
            rows = await auth_repository.list_keys(conn, tenant_id)
            return [
                {
                    "keyId": r[0],
                    "tenant": r[1],
                    "role": r[2],
                    "name": r[3],
                    "createdAt": _iso(conn.to_ts(r[4])),
                    "revokedAt": None if r[5] is None else _iso(conn.to_ts(r[5])),
                    "lastUsedAt": None if r[6] is None else _iso(conn.to_ts(r[6])),
                }
                for r in rows
            ]
    finally:
        await db.close()


def _iso(value: Any) -> str:
    return str(value.isoformat()).replace("+00:00", "Z")


async def rotate_key(key_id: str, overlap_seconds: int) -> dict[str, str] | None:
    """A new key with the same tenant, role and name; the old one expires after the overlap."""
    db = _database()
    now = system_clock()
    until = now + timedelta(seconds=overlap_seconds)
    try:
        async with db.write() as conn:
            row = await auth_repository.expire_key(conn, key_id, until)
            if row is None:
                return None
            created = await auth_service.create_key_for_tenant(
                conn, tenant_id=conn.to_id(row[0]), role=row[1], name=row[2], now=now
            )
    finally:
        await db.close()
    return {"key": created.key, "keyId": created.key_id, "role": created.role,
            "replaces": key_id, "oldExpiresAt": _iso(until)}  # fmt: skip


async def revoke_key(key_id: str) -> bool:
    db = _database()
    try:
        async with db.write() as conn:
            return await auth_repository.revoke_key(conn, key_id, system_clock())
    finally:
        await db.close()


async def seed(*, tenant: str, as_of: date | None = None, **counts: Any) -> dict[str, Any]:
    from selfserve.seed import seed as run_seed

    db = _database()
    try:
        async with db.write() as conn:
            report = await run_seed(conn, tenant_slug=tenant, as_of=as_of, **counts)
        await analyze(db)
    finally:
        await db.close()
    return asdict(report)


async def build_documents() -> int:
    """Builds every missing order, asset and invoice document (``orders.documents``)."""
    db = _database()
    try:
        return await documents.build_all(db)
    finally:
        await db.close()


async def analyze(db: Database) -> None:
    """Refresh planner statistics after a bulk load. SQLite never gathers them by itself, and
    without them it reads a whole tenant where one customer's index would do."""
    async with db.write() as conn:
        await conn.execute("ANALYZE")


async def prepare_demo(base_url: str) -> tuple[str, str]:
    """Migrate, seed the demo tenant when empty, mint a fresh demo key; the text to print and
    the demo customer."""
    from selfserve.migrate import migrate
    from selfserve.seed import seed as run_seed

    migrate(get_settings().database_url)
    db = _database()
    try:
        async with db.write() as conn:
            customer = await _demo_customer(conn)
            seeded = customer is None
            if customer is None:
                report = await run_seed(conn, tenant_slug="demo")
                customer = report.sample_customer_ids[0]
            for row in await auth_repository.list_keys(
                conn, await auth_repository.tenant_id_by_slug(conn, "demo")
            ):
                if row[3] == DEMO_KEY_NAME and row[5] is None:
                    await auth_repository.revoke_key(conn, row[0], system_clock())
            created = await auth_service.create_key(
                conn, tenant="demo", role="integration", now=system_clock(), name=DEMO_KEY_NAME
            )
        if seeded:
            await analyze(db)
    finally:
        await db.close()
    ids = f"%5B%22{customer}%22%5D"
    text = (
        f"\nSelfserve is starting on {base_url}  (API docs: {base_url}/docs)\n"
        f"Demo API key (tenant 'demo'): {created.key}\n\n"
        f"  curl -s -H 'nue-api-key: {created.key}' \\\n"
        f"    '{base_url}/orders?customerIds={ids}&includes=assets,invoices&limit=5'\n"
    )
    return text, customer


async def _demo_customer(conn: Any) -> str | None:
    """The demo customer with the most orders, or None when the demo tenant has no data."""
    tenant_id = await auth_repository.tenant_id_by_slug(conn, "demo")
    if tenant_id is None:
        return None
    sql = conn.sql()
    value = await conn.fetchval(
        f"SELECT customer_id FROM orders WHERE tenant_id = {sql.p(tenant_id)} "
        "GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1",
        sql.params,
    )
    return None if value is None else str(conn.to_id(value))


async def renew(as_of: date, tenant: str | None) -> dict[str, Any]:
    """``selfserve renew``: renew, end and expire the subscriptions whose terms ended."""
    from selfserve.renewals.runs import renew_run

    db = _database()
    try:
        report = await renew_run(db, as_of=as_of, now=system_clock(), tenant=tenant)
    finally:
        await db.close()
    return {"summary": report.summary(), "json": report.as_json()}


async def bill(as_of: date, tenant: str | None) -> dict[str, Any]:
    """``selfserve bill``: issue every invoice due by ``as_of`` that was not issued yet."""
    from selfserve.renewals.runs import bill_run

    db = _database()
    try:
        report = await bill_run(db, as_of=as_of, now=system_clock(), tenant=tenant)
    finally:
        await db.close()
    return {"summary": report.summary(), "json": report.as_json()}


async def import_catalog(raw: bytes, tenant: str) -> dict[str, Any]:
    """``selfserve catalog import``: validate the whole file, then upsert it in one
    transaction (all or nothing); the counts of created, updated and unchanged rows."""
    from selfserve.catalog.importer import import_catalog as run_import
    from selfserve.catalog.importer import parse_catalog
    from selfserve.errors import ResourceNotFound

    catalog = parse_catalog(raw)
    db = _database()
    try:
        async with db.write() as conn:
            tenant_id = await auth_repository.tenant_id_by_slug(conn, tenant)
            if tenant_id is None:
                raise ResourceNotFound(f"no tenant {tenant!r} (selfserve keys create makes one)")
            report = await run_import(conn, conn.to_id(tenant_id), catalog, system_clock())
    finally:
        await db.close()
    summary = f"imported the catalog into tenant {tenant}: {report.summary()}"
    return {"summary": summary, "json": {"tenant": tenant, **report.as_json()}}
