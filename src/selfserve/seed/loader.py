"""Writes a generated tenant into the database in bulk, inside the caller's transaction.

PostgreSQL gets binary COPY per table and batch; SQLite gets ``executemany``. Loading a large
dataset into an empty PostgreSQL database also drops the big tables' indexes, primary keys and
foreign keys first and recreates them afterwards from their catalog definitions (one index
build or one validating join each is far cheaper than maintaining them row by row). Orders,
asset versions and invoices are written with their stored documents (``orders.documents``,
``seed.documents``), so nothing is read back or rewritten after the load.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from selfserve.db import Conn, PgConn, SqliteConn
from selfserve.orders import documents

from .documents import SeedDocuments
from .generator import Batch, Generator, SeedSpec
from .rows import COLUMNS, STREAMED, Row
from .world import TenantTerms

_DOCUMENT_TRIGGERS = (
    "order_products_inserted_document",
    "order_products_updated_document",
    "order_products_deleted_document",
)
BULK_MIN_ORDERS = 20_000  # below this, plain COPY into indexed tables is already fast
BIG_TABLES = ("orders", "order_products", "assets", "invoices", "invoice_lines", "change_events")
DATA_TABLES = ("customers", "products", "price_book_entries", "tax_rates", "orders")


class SeedError(Exception):
    """The tenant cannot be seeded (it already has data)."""


@dataclass(frozen=True, slots=True)
class SeedReport:
    tenant_id: str
    counts: dict[str, int]
    sample_customer_ids: list[str]  # customers with many orders, the busiest first


async def seed(
    conn: Conn,
    *,
    tenant_slug: str = "demo",
    tenant_name: str = "Demo Inc.",
    customers: int = 50,
    orders: int = 600,
    seed: int = 42,
    as_of: datetime.date | None = None,
    big_customers: int = 0,
    big_customer_orders: int = 500,
) -> SeedReport:
    """Fill the tenant ``tenant_slug`` (created if missing) with a deterministic demo dataset.

    The rows are a pure function of the arguments: ``seed`` and ``tenant_slug`` key the random
    stream (two tenants seeded alike never share ids) and ``as_of`` (default: today's UTC
    date) is "now". Call it inside a write transaction; a large load into an empty PostgreSQL
    database then sets the big tables' indexes and keys aside until the rows are in.

    Raises :class:`SeedError` when the tenant already has customers, catalog or orders, and
    ``ValueError`` for counts that cannot be met (more big customers than customers, ...).
    """
    spec = SeedSpec(
        as_of=as_of or datetime.datetime.now(datetime.UTC).date(),
        tenant_slug=tenant_slug,
        tenant_name=tenant_name,
        customers=customers,
        orders=orders,
        seed=seed,
        big_customers=big_customers,
        big_customer_orders=big_customer_orders,
    )
    spec.validate()
    existing = await _existing_tenant(conn, tenant_slug)
    tenant_id, terms = existing or (None, None)
    generator = Generator(spec, conn.dialect, tenant_id, terms)
    await _load(conn, generator, with_tenant=existing is None)
    return SeedReport(
        tenant_id=generator.tenant_id,
        counts=dict(generator.counts),
        sample_customer_ids=generator.sample_customer_ids(),
    )


async def _load(conn: Conn, generator: Generator, with_tenant: bool) -> None:
    for table, rows in generator.reference_rows(with_tenant).items():
        await _insert(conn, table, rows)
    bulk = await _bulk_mode(conn, generator.spec.orders)
    restore = await _drop_constraints(conn) if bulk else []
    built = SeedDocuments(conn)
    # Generation and writing alternate on purpose: generating in a worker thread while COPY
    # runs was measured slower, because both need the GIL and the server's share is small.
    for batch in generator.batches():
        await _insert_batch(conn, batch, built, bulk)
    for statement in restore:
        await conn.execute(statement)
    # Fresh statistics: without them SQLite (which never gathers any by itself) plans the
    # per-customer reads through the tenant indexes and reads the whole tenant.
    if isinstance(conn, PgConn):
        await conn.execute("ANALYZE " + ", ".join(("customers", *BIG_TABLES)))
    else:
        await conn.execute("ANALYZE")
    await _upsert_sequences(conn, generator.sequence_rows())


async def _existing_tenant(conn: Conn, slug: str) -> tuple[str, TenantTerms] | None:
    """The id and settings of the tenant ``slug`` if it exists; SeedError if it has data."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT id, renewal_notice_days, payment_terms_days, grace_period_days FROM tenants"
        f" WHERE slug = {sql.p(slug)}",
        sql.params,
    )
    if row is None:
        return None
    tenant_id = conn.to_id(row[0])
    for table in DATA_TABLES:
        sql = conn.sql()
        query = f"SELECT 1 FROM {table} WHERE tenant_id = {sql.p(tenant_id)} LIMIT 1"
        if await conn.fetchrow(query, sql.params) is not None:
            raise SeedError(
                f"tenant {slug!r} already has data ({table}); seed fills only an empty tenant"
            )
    return tenant_id, TenantTerms(row[1], row[2], row[3])


async def _bulk_mode(conn: Conn, orders: int) -> bool:
    """Whether to set the big tables' indexes and keys aside for the load.

    Only for a large load on PostgreSQL, inside a transaction (so the DDL rolls back with the
    data on failure) and when no tenant has rows in those tables yet: the dropped indexes
    would otherwise be missing for everyone else until the load commits.
    """
    if not isinstance(conn, PgConn) or orders < BULK_MIN_ORDERS:
        return False
    if not conn.raw.is_in_transaction():
        return False
    for table in BIG_TABLES:
        if await conn.fetchrow(f"SELECT 1 FROM {table} LIMIT 1") is not None:
            return False
    return True


async def _insert_batch(conn: Conn, batch: Batch, built: SeedDocuments, bulk: bool) -> None:
    """One batch of every streamed table, each order, asset version and invoice with its
    document. The lines' triggers clear an order's document when a line is inserted, except
    in a bulk load, which disables them: otherwise the orders' documents are stored once
    their lines are in."""
    orders = batch["orders"]
    order_documents = built.orders(orders, batch["order_products"])
    for table in STREAMED:
        rows, columns = batch[table], COLUMNS[table]
        if table == "orders" and bulk:
            rows, columns = _documented(rows, order_documents), (*columns, "document")
        elif table == "assets" or table == "invoices":
            made = built.assets(rows) if table == "assets" else built.invoices(rows)
            rows, columns = _documented(rows, made), (*columns, "document")
        await _insert(conn, table, rows, columns)
        if table == "order_products" and not bulk:
            await documents.store(conn, "orders", orders, order_documents)


def _documented(rows: list[Row], made: list[bytes]) -> list[Row]:
    return [(*row, document) for row, document in zip(rows, made, strict=True)]


async def _insert(
    conn: Conn, table: str, rows: list[Row], columns: tuple[str, ...] | None = None
) -> None:
    if not rows:
        return
    columns = columns or COLUMNS[table]
    if isinstance(conn, PgConn):
        await conn.raw.copy_records_to_table(table, records=rows, columns=columns)
    elif isinstance(conn, SqliteConn):
        marks = ", ".join("?" * len(columns))
        conn.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    else:  # pragma: no cover - only the two engines exist
        raise TypeError(f"unsupported connection {type(conn).__name__}")


async def _upsert_sequences(conn: Conn, rows: list[Row]) -> None:
    """Later writers continue after the highest number used (a reused tenant may have rows)."""
    for tenant_id, kind, value in rows:
        sql = conn.sql()
        await conn.execute(
            "INSERT INTO number_sequences (tenant_id, kind, last_value) "
            f"VALUES ({sql.p(tenant_id)}, {sql.p(kind)}, {sql.p(value)}) "
            "ON CONFLICT (tenant_id, kind) DO UPDATE SET last_value = excluded.last_value",
            sql.params,
        )


_SECONDARY_INDEXES = """
SELECT t.relname, x.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class x ON x.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname = ANY($1::text[]) AND t.relnamespace = current_schema()::regnamespace
  AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY t.relname, x.relname
"""
# Constraints to set aside: primary keys of the big tables, and every foreign key from or to
# them (a primary key cannot be dropped while a foreign key references it). Primary keys sort
# first, so they are recreated before the foreign keys that need them.
_CONSTRAINTS = """
SELECT t.relname, k.conname, pg_get_constraintdef(k.oid), k.contype::text
FROM pg_constraint k
JOIN pg_class t ON t.oid = k.conrelid
LEFT JOIN pg_class r ON r.oid = k.confrelid
WHERE t.relnamespace = current_schema()::regnamespace
  AND (
    (k.contype = 'p' AND t.relname = ANY($1::text[]))
    OR (k.contype = 'f' AND (t.relname = ANY($1::text[]) OR r.relname = ANY($1::text[])))
  )
ORDER BY k.contype DESC, t.relname, k.conname
"""


async def _drop_constraints(conn: Conn) -> list[str]:
    """Drops the big tables' indexes and keys; returns the statements that recreate them.

    Random UUID primary keys are the costliest part of a bulk load: every row lands on a
    random B-tree page, and once the index outgrows shared buffers each insert is a page
    read and a full-page WAL image. Building the index once after the load is a single sort.
    """
    tables = list(BIG_TABLES)
    indexes = await conn.fetch(_SECONDARY_INDEXES, [tables])
    constraints = await conn.fetch(_CONSTRAINTS, [tables])
    for table, name, _, _ in reversed(constraints):  # foreign keys before the keys they use
        await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _, name, _ in indexes:
        await conn.execute(f'DROP INDEX "{name}"')
    # The lines' triggers would clear the documents the orders were just written with, one
    # UPDATE of the batch's orders per COPY, each a scan while the keys are set aside.
    for trigger in _DOCUMENT_TRIGGERS:
        await conn.execute(f"ALTER TABLE order_products DISABLE TRIGGER {trigger}")
    # Index builds sort in memory up to maintenance_work_mem; the default 64 MB spills to disk.
    restore = ["SET LOCAL maintenance_work_mem = '512MB'"]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "p"
    ]
    restore += [definition for _, _, definition in indexes]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    restore += [
        f"ALTER TABLE order_products ENABLE TRIGGER {trigger}" for trigger in _DOCUMENT_TRIGGERS
    ]
    return restore
