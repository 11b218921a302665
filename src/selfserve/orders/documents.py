"""Stored documents: the wire JSON of each order (with its lines) and each asset version.

Turning an order's row and its lines into JSON is most of what a read of ``GET /orders``
costs, and it gives the same bytes until the order or one of its lines changes. So each
order keeps those bytes in ``orders.document`` (``OrderDocument``, encoded): a read copies
them and adds only what depends on the caller and the day (``OrderTail``: lifecycle,
actions, includes), and reads neither the columns nor the lines the document holds.

The includes work the same way: ``assets.document`` holds each asset version's ``AssetRead``,
``invoices.document`` each invoice's ``InvoiceDocument`` (all but ``isOverdue``, which a read
appends as of the customer's today).

Database triggers clear a document whenever its order or one of its lines changes, or the
asset version's or invoice's row (migrations ``8d2b6e4f1a07`` and ``4b7e9a1c3d52``); a read
serves a row without one from its columns, so the documents only ever make reads faster.
Each server worker builds the missing ones in the background (``run``), a batch per write
transaction; ``selfserve documents build`` builds all that are missing at once. A seed writes
its rows with their documents (``seed.documents``).

A builder must never store a document older than the rows: on PostgreSQL it locks the
rows it builds (``FOR UPDATE SKIP LOCKED``), so a writer that changes one of them waits
for the builder's commit and then clears the new document (the lines' trigger updates the
order's row for that reason even when its document is already NULL). SQLite has one writer
at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from selfserve.assets.repository import ASSET_COLUMNS
from selfserve.assets.service import asset_from_row
from selfserve.db import Conn, Database, Row
from selfserve.invoices.repository import INVOICE_COLUMNS
from selfserve.invoices.service import invoice_document
from selfserve.kit.http import encoder
from selfserve.orders.assembly import document_from_row, group, lines_from_rows
from selfserve.orders.repository import BUILD_COLUMNS, CURRENCY, LINE_COLUMNS

logger = logging.getLogger("selfserve.documents")

BATCH = 100


def encode_document(conn: Conn, row: Row, lines: Sequence[Row]) -> bytes:
    """The stored document of the order in ``row`` (``BUILD_COLUMNS``) with its ``lines``."""
    line_objects = lines_from_rows(conn, lines, row[CURRENCY])
    return encoder.encode(document_from_row(conn, row, line_objects))


_ORDERS = "orders o JOIN customers c ON c.id = o.customer_id"


def asset_document(conn: Conn, row: Row) -> bytes:
    """The stored document of the asset version in ``row`` (``ASSET_COLUMNS``)."""
    return encoder.encode(asset_from_row(conn, row))


# The tables whose rows are documents by themselves: (table, FROM, alias, columns, encoder).
_ROWS: tuple[tuple[str, str, str, str, Callable[[Conn, Row], bytes]], ...] = (
    ("assets", "assets a", "a", ASSET_COLUMNS, asset_document),
    ("invoices", "invoices i", "i", INVOICE_COLUMNS, invoice_document),
)


async def build_pending(conn: Conn, limit: int = BATCH) -> int:
    """Builds and stores the documents of up to ``limit`` orders, ``limit`` asset versions
    and ``limit`` invoices that have none, in the caller's write transaction, across all
    tenants (a maintenance task, not a request); returns how many it built."""
    orders = await _pending(conn, BUILD_COLUMNS, _ORDERS, "o", limit)
    lines = await _lines(conn, [r[0] for r in orders]) if orders else []
    built = await _store_orders(conn, orders, lines)
    for table, source, alias, columns, encode in _ROWS:
        rows = await _pending(conn, columns, source, alias, limit)
        built += await store(conn, table, rows, [encode(conn, r) for r in rows])
    return built


async def _pending(conn: Conn, columns: str, source: str, alias: str, limit: int) -> list[Row]:
    """Up to ``limit`` rows of ``source`` without a document, locked on PostgreSQL (rows a
    writer holds are skipped: it clears their documents anyway)."""
    sql = conn.sql()
    lock = f" FOR UPDATE OF {alias} SKIP LOCKED" if conn.dialect == "postgresql" else ""
    return await conn.fetch(
        f"SELECT {columns} FROM {source} WHERE {alias}.document IS NULL "
        f"ORDER BY {alias}.id LIMIT {sql.p(limit)}{lock}",
        sql.params,
    )


async def _store_orders(conn: Conn, orders: list[Row], lines: list[Row]) -> int:
    """Stores the documents of ``orders``; ``lines``: theirs, ordered by order and number."""
    by_order = group(lines)
    documents = [encode_document(conn, r, by_order.get(r[0], ())) for r in orders]
    return await store(conn, "orders", orders, documents)


async def store(conn: Conn, table: str, rows: Sequence[Row], documents: list[bytes]) -> int:
    """Sets the documents of ``rows`` (ids first); ``table`` is a trusted name. How many."""
    if not rows:
        return 0
    if conn.dialect == "postgresql":  # one statement for the batch, not one per row
        await conn.execute(
            f"UPDATE {table} SET document = d.document FROM unnest($1::uuid[], $2::bytea[]) "
            f"AS d(id, document) WHERE {table}.id = d.id",
            [[r[0] for r in rows], documents],
        )
    else:
        await conn.executemany(
            f"UPDATE {table} SET document = ? WHERE id = ?",
            [(document, r[0]) for document, r in zip(documents, rows, strict=True)],
        )
    return len(rows)


async def build_all(db: Database, batch: int = 2000) -> int:
    """Builds every missing document, a batch per transaction; how many it built."""
    total = 0
    while True:
        async with db.write() as conn:
            built = await build_pending(conn, batch)
        total += built
        if built < batch:
            return total


async def run(db: Database, every: float, batch: int = BATCH) -> None:
    """Builds missing documents forever (cancelled at shutdown): batch after batch while
    there are any, then every ``every`` seconds."""
    while True:
        try:
            async with db.write() as conn:
                built = await build_pending(conn, batch)
        except Exception:  # a document is an optimisation: never let it stop the loop
            logger.warning("could not build documents; will retry", exc_info=True)
            built = 0
        await asyncio.sleep(0 if built >= batch else every)


async def _lines(conn: Conn, order_ids: list[Any]) -> list[Row]:
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {LINE_COLUMNS} FROM order_products WHERE {sql.in_('order_id', order_ids)} "
        "ORDER BY order_id, line_number",
        sql.params,
    )
