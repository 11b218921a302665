"""A seed writes each order, asset version and invoice with its stored document: the same
bytes the builder makes from the columns."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from selfserve.db import Conn
from selfserve.orders import documents
from selfserve.seed import loader, seed
from tests.fixtures.database import create_pg_database, drop_pg_database, rolled_back

AS_OF = date(2026, 3, 1)
TABLES = ("orders", "assets", "invoices")


async def _stored(conn: Conn, tenant_id: str) -> dict[str, dict[str, bytes | None]]:
    out: dict[str, dict[str, bytes | None]] = {}
    for table in TABLES:
        sql = conn.sql()
        rows = await conn.fetch(
            f"SELECT id, document FROM {table} WHERE tenant_id = {sql.p(tenant_id)}", sql.params
        )
        out[table] = {conn.to_id(r[0]): None if r[1] is None else bytes(r[1]) for r in rows}
    return out


async def _rebuilt(conn: Conn, tenant_id: str) -> dict[str, dict[str, bytes | None]]:
    """The tenant's documents once cleared and built again from the columns."""
    for table in TABLES:
        sql = conn.sql()
        await conn.execute(
            f"UPDATE {table} SET document = NULL WHERE tenant_id = {sql.p(tenant_id)}",
            sql.params,
        )
    while await documents.build_pending(conn, 500):
        pass
    return await _stored(conn, tenant_id)


def assert_seeded_documents_match(conn: Conn, run: asyncio.Runner, tenant_id: str) -> None:
    seeded = run.run(_stored(conn, tenant_id))
    assert all(seeded[t] for t in TABLES)
    assert all(doc is not None for t in TABLES for doc in seeded[t].values())
    assert seeded == run.run(_rebuilt(conn, tenant_id))


def test_seeded_rows_carry_the_documents_built_from_their_columns(
    conn: Conn, run: asyncio.Runner
) -> None:
    report = run.run(
        seed(conn, tenant_slug="seeddocs", customers=12, orders=120, seed=3, as_of=AS_OF)
    )
    assert_seeded_documents_match(conn, run, report.tenant_id)


def test_a_bulk_load_writes_the_same_documents(
    postgres_url: str, run: asyncio.Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL only, in a database of its own (the bulk path needs empty big tables): the
    orders' documents go into the COPY itself while the lines' triggers are disabled."""
    monkeypatch.setattr(loader, "BULK_MIN_ORDERS", 1)
    url = run.run(create_pg_database())
    try:
        manager = rolled_back(url)
        conn = run.run(manager.__aenter__())
        try:
            report = run.run(seed(conn, customers=12, orders=120, seed=3, as_of=AS_OF))
            assert_seeded_documents_match(conn, run, report.tenant_id)
        finally:
            run.run(manager.__aexit__(None, None, None))
    finally:
        run.run(drop_pg_database(url))
