"""SQL for invoices and their lines, always within the caller's tenant and customers.

A page is one statement: the ordered page (``LIMIT n + 1``) with the total as an uncorrelated
scalar subquery, joined to customers for the time zone that decides ``isOverdue``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from selfserve.db import Conn, Row, Sql
from selfserve.invoices.query import MONEY_FILTERS, InvoiceListQuery
from selfserve.kit.money import thousandths_sql
from selfserve.kit.pagination import after_cursor, order_by
from selfserve.kit.query import Filter

_COLUMNS = (
    "i.id", "i.invoice_number", "i.status", "i.payment_status", "i.customer_id", "i.order_id",
    "i.invoice_date", "i.due_date", "i.start_date", "i.end_date", "i.amount",
    "i.amount_without_tax", "i.tax_amount", "i.balance", "i.currency",
)  # fmt: skip
INVOICE_COLUMNS = ", ".join(_COLUMNS)
# The invoices include over stored documents (orders.documents) lays a row out as the due date
# of an invoice that still has money owed (Active, balance above 0; NULL otherwise: it cannot be
# overdue), then INVOICE_COLUMNS packed into one value for an invoice that has no document yet
# (Conn.unpack; NULL otherwise), then the document without its closing brace, so that
# isOverdue as of the reader's day is appended to it as it is.
OWING_DUE, PACKED, DOCUMENT = 0, 1, 2
LINE_COLUMNS = (
    "id, description, quantity, start_date, end_date, amount, tax_amount, order_product_id, "
    "asset_id"
)
OverdueWindows = Sequence[tuple[Sequence[str], date]]
"""Customers grouped by their local today: an invoice is overdue when due before it."""

_FILTER_COLUMNS = {
    "invoiceDate": "invoice_date",
    "dueDate": "due_date",
    "amount": "amount",
    "balance": "balance",
}


def _document_columns(sql: Sql) -> str:
    return (
        f"CASE WHEN {_owing('i')} THEN i.due_date END, "
        f"{sql.packed(_COLUMNS, unless='i.document')}, "
        "substr(i.document, 1, length(i.document) - 1)"
    )


async def invoices_for_orders(
    conn: Conn, tenant_id: str, order_ids: Sequence[Any], cap: int, documents: bool = False
) -> list[Row]:
    """``(order_id, invoice...)``, newest first, at most ``cap + 1`` per order; the order id as
    text (a cheap dictionary key on both engines) and the invoice laid out as
    ``INVOICE_COLUMNS``, or with ``documents`` as ``OWING_DUE, PACKED, DOCUMENT`` above."""
    sql = conn.sql()
    columns = _document_columns(sql) if documents else INVOICE_COLUMNS
    return await conn.fetch(
        f"SELECT * FROM (SELECT CAST(i.order_id AS TEXT) AS for_order, {columns}, "
        "row_number() OVER "
        "(PARTITION BY i.order_id ORDER BY i.invoice_date DESC, i.invoice_number DESC) AS n "
        f"FROM invoices i WHERE {sql.in_('i.order_id', order_ids)} "
        f"AND i.tenant_id = {sql.p(tenant_id)}) x WHERE n <= {sql.p(cap + 1)} "
        "ORDER BY for_order, n",
        sql.params,
    )


def _filter(sql: Sql, flt: Filter[Any], alias: str) -> str:
    column = f"{alias}.{_FILTER_COLUMNS[flt.field]}"
    if flt.field in MONEY_FILTERS:
        value: Decimal = flt.value
        thousandths = int(value.scaleb(3))  # the query parser allows at most 3 decimals
        scale = thousandths_sql(alias + ".currency")
        return f"{column} * {scale} {flt.op} {sql.p(thousandths)}"
    return f"{column} {flt.op} {sql.p(flt.value)}"


def _owing(alias: str) -> str:
    """An issued invoice with money still owed: overdue once its due date has passed."""
    return f"{alias}.status = 'Active' AND {alias}.balance > 0"


def _overdue(sql: Sql, alias: str, windows: OverdueWindows) -> str:
    """Active, with money owed, and due before the customer's local today."""
    if not windows:
        return "(1 = 0)"
    days = " OR ".join(
        f"({sql.in_(f'{alias}.customer_id', ids)} AND {alias}.due_date < {sql.p(today)})"
        for ids, today in windows
    )
    return f"({_owing(alias)} AND ({days}))"


def _conditions(
    sql: Sql, tenant_id: str, query: InvoiceListQuery, alias: str, windows: OverdueWindows
) -> list[str]:
    ids = query.customer_ids or []
    where = [
        f"{alias}.tenant_id = {sql.p(tenant_id)}",
        f"{alias}.customer_id = {sql.p(ids[0])}"
        if len(ids) == 1
        else sql.in_(f"{alias}.customer_id", ids),
    ]
    if query.statuses:
        where.append(sql.in_(f"{alias}.status", query.statuses, "text"))
    if query.payment_statuses:
        where.append(sql.in_(f"{alias}.payment_status", query.payment_statuses, "text"))
    if query.is_overdue is not None:
        overdue = _overdue(sql, alias, windows)
        where.append(overdue if query.is_overdue else f"NOT {overdue}")
    where.extend(_filter(sql, flt, alias) for flt in query.filters)
    return where


async def list_invoices(
    conn: Conn, tenant_id: str, query: InvoiceListQuery, windows: OverdueWindows = ()
) -> tuple[list[Row], int | None]:
    """``(invoice..., time_zone, total)`` rows of one page; the total is None when the page
    is empty (count it separately)."""
    sql = conn.sql()
    count_where = " AND ".join(_conditions(sql, tenant_id, query, "t", windows))
    where = _conditions(sql, tenant_id, query, "i", windows)
    if query.cursor is not None:
        where.append(after_cursor(sql, query.sort, query.cursor, "i"))
    rows = await conn.fetch(
        f"SELECT {INVOICE_COLUMNS}, c.time_zone, "
        f"(SELECT count(*) FROM invoices t WHERE {count_where}) "
        "FROM invoices i JOIN customers c ON c.id = i.customer_id "
        f"WHERE {' AND '.join(where)} ORDER BY {order_by(sql, query.sort, 'i')} "
        f"LIMIT {sql.p(query.limit + 1)}",
        sql.params,
    )
    return rows, (int(rows[0][-1]) if rows else None)


async def count_invoices(
    conn: Conn, tenant_id: str, query: InvoiceListQuery, windows: OverdueWindows = ()
) -> int:
    sql = conn.sql()
    where = " AND ".join(_conditions(sql, tenant_id, query, "t", windows))
    return int(await conn.fetchval(f"SELECT count(*) FROM invoices t WHERE {where}", sql.params))


async def get_invoice(
    conn: Conn, tenant_id: str, customer_ids: frozenset[str] | None, invoice_id: str
) -> Row | None:
    """``(invoice..., time_zone)``, or None when it does not exist or is out of reach."""
    sql = conn.sql()
    where = [f"i.id = {sql.p(invoice_id)}", f"i.tenant_id = {sql.p(tenant_id)}"]
    if customer_ids is not None:
        where.append(sql.in_("i.customer_id", sorted(customer_ids)))
    return await conn.fetchrow(
        f"SELECT {INVOICE_COLUMNS}, c.time_zone FROM invoices i "
        f"JOIN customers c ON c.id = i.customer_id WHERE {' AND '.join(where)}",
        sql.params,
    )


async def lines_for(conn: Conn, tenant_id: str, invoice_id: Any) -> list[Row]:
    """The lines of one (already visible) invoice, in their order."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id = {sql.p(invoice_id)} "
        f"AND tenant_id = {sql.p(tenant_id)} ORDER BY line_number",
        sql.params,
    )


async def parties(conn: Conn, tenant_id: str, customer_id: str) -> Row | None:
    """``(tenant name, customer name, account number)`` for an invoice's header."""
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT t.name, c.name, c.account_number FROM customers c "
        f"JOIN tenants t ON t.id = c.tenant_id WHERE c.id = {sql.p(customer_id)} "
        f"AND c.tenant_id = {sql.p(tenant_id)}",
        sql.params,
    )


# --- undoing a cancellation's credit ------------------------------------------------------

# An invoice line of a credit, with its invoice and how many lines that invoice has.
CREDIT_COLUMNS = (
    "i.id, i.invoice_number, i.status, i.payment_status, i.currency, i.order_id, i.customer_id, "
    "(SELECT count(*) FROM invoice_lines x WHERE x.invoice_id = i.id), l.order_product_id, "
    "l.description, l.quantity, l.start_date, l.amount, l.tax_amount"
)


async def credits_for_lines(conn: Conn, tenant_id: str, line_ids: Sequence[str]) -> list[Row]:
    """The credit lines (``CREDIT_COLUMNS``) invoiced for these order lines, on invoices that
    are not canceled."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {CREDIT_COLUMNS} FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
        f"WHERE l.tenant_id = {sql.p(tenant_id)} AND {sql.in_('l.order_product_id', line_ids)} "
        "AND l.amount < 0 AND i.status <> 'Canceled' ORDER BY i.invoice_number, l.line_number",
        sql.params,
    )


async def credits_issued_at(
    conn: Conn, tenant_id: str, order_id: str, issued_at: datetime
) -> list[Row]:
    """Every line (``CREDIT_COLUMNS``) of the order's credit invoices issued at ``issued_at``
    (an order's cancellation issues its credit invoice in the same instant it records
    ``canceled_at``), on invoices that are not canceled."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {CREDIT_COLUMNS} FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id "
        f"WHERE i.tenant_id = {sql.p(tenant_id)} AND i.order_id = {sql.p(order_id)} "
        f"AND i.created_at = {sql.p(issued_at)} AND i.amount < 0 AND i.status <> 'Canceled' "
        "ORDER BY i.invoice_number, l.line_number",
        sql.params,
    )


async def void_invoice(conn: Conn, invoice_id: str, now: datetime) -> bool:
    """Cancel an invoice nothing was settled against; False when it changed meanwhile."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "UPDATE invoices SET status = 'Canceled', payment_status = 'Canceled', balance = 0, "
        f"updated_at = {sql.p(now)} WHERE id = {sql.p(invoice_id)} AND status <> 'Canceled' "
        "AND payment_status = 'NotTransferred' RETURNING id",
        sql.params,
    )
    return row is not None
