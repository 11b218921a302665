"""The includes of an API read, as bytes ready to append to each order (``orders.wire``).

The database joins each order's asset and invoice documents itself, one row per order
(``kit.joined``), invoices completed with their ``isOverdue`` as of the customer's
today; what a page gets back is about one short row per order and include instead of a row
of columns per asset and invoice. An order with an asset version or invoice that has no
document yet (one changed since its document was built) gets, in the same statement, a row
per asset or invoice with the columns, and its include is encoded here from them: the same
bytes either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from selfserve.assets.repository import current_asset_documents_for_orders
from selfserve.assets.service import asset_bytes
from selfserve.db import Conn, Row
from selfserve.history.repository import events_for_orders
from selfserve.history.service import event_from_row
from selfserve.invoices.repository import invoice_documents_for_orders
from selfserve.invoices.service import invoice_bytes
from selfserve.kit.http import encoder
from selfserve.orders.assembly import group
from selfserve.orders.wire import OrderBytes

Joined = dict[Any, tuple[bytes, bool]]  # order id -> (documents joined with commas, more)


@dataclass(frozen=True, slots=True)
class EncodedIncludes:
    """The requested includes of a page's orders (None: not requested)."""

    assets: Joined | None
    invoices: Joined | None
    history: dict[Any, list[Row]] | None


async def fetch(
    conn: Conn, tenant_id: str, cap: int, todays: Mapping[Any, date], includes: frozenset[str]
) -> EncodedIncludes:
    """The includes of the orders of ``todays`` (order id -> its customer's today), at most
    ``cap`` of each per order."""
    order_ids = list(todays)
    assets = invoices = history = None
    if "assets" in includes:
        rows = await current_asset_documents_for_orders(conn, tenant_id, order_ids, cap)
        assets = _joined(rows, lambda r, order_id: asset_bytes(conn, r, _COLUMNS_AT))
    if "invoices" in includes:
        windows = _overdue_windows(todays)
        rows = await invoice_documents_for_orders(conn, tenant_id, order_ids, cap, windows)
        invoices = _joined(
            rows, lambda r, order_id: invoice_bytes(conn, r, todays[order_id], _COLUMNS_AT)
        )
    if "history" in includes:
        history = group(await events_for_orders(conn, tenant_id, order_ids, cap))
    return EncodedIncludes(assets, invoices, history)


def append(out: OrderBytes, conn: Conn, found: EncodedIncludes, order_id: Any, cap: int) -> None:
    """The requested includes of one order, after its document and lifecycle."""
    for name, joined in (("assets", found.assets), ("invoices", found.invoices)):
        if joined is not None:
            documents, more = joined.get(order_id, _NONE)
            out.joined(name, documents, more)
    if found.history is not None:
        events = found.history.get(order_id, ())
        encoded = encoder.encode([event_from_row(conn, e, 1) for e in events[-cap:]])
        out.history(encoded, len(events) > cap)


_NONE = (b"", False)
_COLUMNS_AT = 4  # where a row's columns start, after (order, documents, more, missing)


def _joined(rows: list[Row], build: Callable[[Row, Any], bytes]) -> Joined:
    """Rows of ``kit.joined`` by order: the joined documents, or for an order with
    missing ones, its rows each encoded by ``build`` (row, order id) and joined here."""
    if not any(r[3] for r in rows):  # every document built: a row per order
        return {r[0]: (r[1], bool(r[2])) for r in rows}
    joined: Joined = {}
    for order_id, order_rows in group(rows).items():
        _, documents, more, missing, *_ = order_rows[0]
        if missing:
            documents = b",".join(build(r, order_id) for r in order_rows)
        joined[order_id] = (documents, bool(more))
    return joined


def _overdue_windows(todays: Mapping[Any, date]) -> list[tuple[list[Any], date]]:
    """The orders grouped by their customer's today (``invoice_documents_for_orders``)."""
    by_day: dict[date, list[Any]] = {}
    for order_id, today in todays.items():
        by_day.setdefault(today, []).append(order_id)
    return [(ids, today) for today, ids in by_day.items()]
