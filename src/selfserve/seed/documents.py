"""The stored documents (``orders.documents``) of the rows a seed writes, built from those rows.

A seed has every row in hand before it writes it, so it stores each order's, asset version's
and invoice's document with the row instead of reading the rows back to build them and
rewriting every row. The documents come from the same functions the read path and the
background builder use, fed the same columns: the seed's rows are laid out for its inserts
(``rows.COLUMNS``), so each document's input row is picked out of them by column name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from selfserve.assets.repository import ASSET_COLUMNS
from selfserve.db import Conn
from selfserve.invoices.repository import INVOICE_COLUMNS
from selfserve.invoices.service import invoice_document
from selfserve.orders.documents import asset_document, encode_document
from selfserve.orders.repository import BUILD_COLUMNS, LINE_COLUMNS

from .rows import COLUMNS, Row

_ORDER_ID = COLUMNS["order_products"].index("order_id")
_LINE_NUMBER = itemgetter(COLUMNS["order_products"].index("line_number"))


def _picker(select_list: str, table: str, alias: str) -> Callable[[Row], Row]:
    """A function that lays a row of ``table`` (``rows.COLUMNS``) out as ``select_list``;
    columns of other tables (the customer's time zone) and literals come out as None, and
    no document needs them."""
    names = COLUMNS[table]
    missing = len(names)  # the position of the None appended to each row
    positions = []
    for item in select_list.split(", "):
        expression = item.partition(" AS ")[0]
        owner, _, name = expression.rpartition(".")
        ours = owner == alias and name in names
        positions.append(names.index(name) if ours else missing)
    pick = itemgetter(*positions)
    return lambda row: pick((*row, None))


class SeedDocuments:
    """Builds the documents of one batch of seeded rows, for the engine of ``conn``."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._order = _picker(BUILD_COLUMNS, "orders", "o")
        self._line = _picker(LINE_COLUMNS, "order_products", "")
        self._asset = _picker(ASSET_COLUMNS, "assets", "a")
        self._invoice = _picker(INVOICE_COLUMNS, "invoices", "i")

    def orders(self, orders: list[Row], lines: list[Row]) -> list[bytes]:
        """Each order's document; ``lines`` holds every line of those orders."""
        by_order: dict[Any, list[Row]] = defaultdict(list)
        for line in sorted(lines, key=_LINE_NUMBER):  # as orders.documents reads them
            by_order[line[_ORDER_ID]].append(line)
        conn, pick, pick_line = self.conn, self._order, self._line
        return [
            encode_document(conn, pick(r), [pick_line(x) for x in by_order.get(r[0], ())])
            for r in orders
        ]

    def assets(self, rows: list[Row]) -> list[bytes]:
        conn, pick = self.conn, self._asset
        return [asset_document(conn, pick(r)) for r in rows]

    def invoices(self, rows: list[Row]) -> list[bytes]:
        conn, pick = self.conn, self._invoice
        return [invoice_document(conn, pick(r)) for r in rows]
