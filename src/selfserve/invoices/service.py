"""Rules and views for invoices. Never commits.

``isOverdue`` is judged on each customer's local date. A list request runs the page (with
its total) and, only when it filters on ``isOverdue``, one statement for the customers' time
zones first; one invoice is one statement plus one for its lines (its PDF one more, for the
seller's and the customer's names).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

import msgspec

from selfserve.auth.principal import Principal
from selfserve.auth.scoping import readable_customer_ids
from selfserve.customers.repository import time_zones
from selfserve.db import Conn, Row
from selfserve.errors import InvalidParameter
from selfserve.invoices import repository
from selfserve.invoices.errors import InvoiceNotFound
from selfserve.invoices.query import InvoiceListQuery
from selfserve.invoices.schemas import (
    InvoiceDetail,
    InvoiceDocument,
    InvoiceEnvelope,
    InvoiceLineRead,
    InvoiceList,
    InvoiceRead,
)
from selfserve.kit.clock import local_date
from selfserve.kit.http import encoder
from selfserve.kit.money import minor_converter, minor_to_decimal
from selfserve.kit.pagination import Pagination, encode_cursor
from selfserve.kit.query import canonical_uuid


def is_overdue(status: str, balance: int, due: date, today: date) -> bool:
    """An issued invoice with money still owed after its due date (customer-local)."""
    return status == "Active" and balance > 0 and due < today


def invoice_from_row(conn: Conn, r: Row, today: date, offset: int = 0) -> InvoiceRead:
    """Build the wire view of a row laid out as ``invoices.repository.INVOICE_COLUMNS`` from
    ``offset`` on (further columns ignored). Order reads embed many invoices, so the row is
    unpacked once and the struct built positionally (see ``orders.assembly``)."""
    (
        invoice_id, number, status, payment_status, customer_id, order_id, invoice_date, due,
        start, end, amount, without_tax, tax, balance, currency, *_,
    ) = r[offset:] if offset else r  # fmt: skip
    to_id, to_date, minor = conn.to_id, conn.to_date, minor_converter(currency)
    due = to_date(due)
    return InvoiceRead(
        to_id(invoice_id),
        number,
        status,
        payment_status,
        to_id(customer_id),
        None if order_id is None else to_id(order_id),
        to_date(invoice_date),
        due,
        None if start is None else to_date(start),
        None if end is None else to_date(end),
        minor(amount),
        minor(without_tax),
        minor(tax),
        minor(balance),
        currency,
        is_overdue(status, balance, due, today),
    )


_OVERDUE = (b',"isOverdue":false}', b',"isOverdue":true}')


def invoices_by_order(
    conn: Conn, rows: Iterable[Row], today_of: Mapping[str, date]
) -> dict[str, list[bytes]]:
    """Each order's invoices include as bytes, from ``invoices_for_orders`` rows with
    documents (the order id first), with ``isOverdue`` as of the day in ``today_of`` (by
    order id): each stored document (``orders.documents``) with it appended, or one built from
    the invoice's packed columns."""
    out: dict[str, list[bytes]] = defaultdict(list)
    owing, packed = 1 + repository.OWING_DUE, 1 + repository.PACKED
    at, to_date = 1 + repository.DOCUMENT, conn.to_date
    for row in rows:
        order_id, document, due = row[0], row[at], row[owing]
        today = today_of[order_id]
        if document is None:
            document = encoder.encode(invoice_from_row(conn, conn.unpack(row[packed]), today))
        else:
            document += _OVERDUE[due is not None and to_date(due) < today]
        out[order_id].append(document)
    return out


def invoice_document(conn: Conn, r: Row) -> bytes:
    """The stored document of the invoice in ``r`` (``INVOICE_COLUMNS``): without isOverdue."""
    # InvoiceRead is InvoiceDocument's fields and then isOverdue, which is dropped here, so the
    # day passed for it does not matter.
    invoice = invoice_from_row(conn, r, date.min)
    return encoder.encode(InvoiceDocument(*msgspec.structs.astuple(invoice)[:-1]))


def line_from_row(conn: Conn, r: Row, currency: str) -> InvoiceLineRead:
    """A row laid out as ``invoices.repository.LINE_COLUMNS``."""
    start, end, line, asset = r[3], r[4], r[7], r[8]
    return InvoiceLineRead(
        id=conn.to_id(r[0]),
        description=r[1],
        quantity=r[2],
        start_date=None if start is None else conn.to_date(start),
        end_date=None if end is None else conn.to_date(end),
        amount=minor_to_decimal(r[5], currency),
        tax_amount=minor_to_decimal(r[6], currency),
        order_product_id=None if line is None else conn.to_id(line),
        asset_id=None if asset is None else conn.to_id(asset),
    )


async def list_invoices(
    conn: Conn, principal: Principal, now: datetime, query: InvoiceListQuery
) -> InvoiceList:
    """A page of the customers' invoices, newest first unless ``sort`` says otherwise."""
    query = replace(query, customer_ids=readable_customer_ids(principal, query.customer_ids))
    tenant_id = principal.tenant_id
    windows = await _overdue_windows(conn, principal, now, query)
    rows, total = await repository.list_invoices(conn, tenant_id, query, windows)
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    if total is None:  # an empty page: only a continued one can have matches before it
        total = (
            await repository.count_invoices(conn, tenant_id, query, windows) if query.cursor else 0
        )
    today_by_zone: dict[str, date] = {}
    invoices = [invoice_from_row(conn, r, _today(now, r[15], today_by_zone)) for r in rows]
    next_cursor = None
    if has_more:
        last = invoices[-1]
        value = getattr(last, query.sort.key.column)  # sort columns are attribute names
        next_cursor = encode_cursor(query.sort, value, last.id)
    pagination = Pagination(
        limit=query.limit, has_more=has_more, next_cursor=next_cursor, total=total
    )
    return InvoiceList(status="SUCCESS", data=invoices, pagination=pagination)


async def visible_invoice(
    conn: Conn, principal: Principal, now: datetime, invoice_id: str
) -> InvoiceDetail:
    """One invoice with its lines, as ``GET /invoices/{id}`` shows it; unknown, malformed and
    invisible ids are the same 404."""
    try:
        canonical = canonical_uuid("invoiceId", invoice_id)
    except InvalidParameter:
        raise InvoiceNotFound() from None
    row = await repository.get_invoice(conn, principal.tenant_id, principal.customer_ids, canonical)
    if row is None:
        raise InvoiceNotFound()
    base = invoice_from_row(conn, row, local_date(now, row[15]))
    lines = await repository.lines_for(conn, principal.tenant_id, row[0])
    return InvoiceDetail(
        **msgspec.structs.asdict(base),
        invoice_lines=[line_from_row(conn, line, base.currency) for line in lines],
    )


async def get_invoice(
    conn: Conn, principal: Principal, now: datetime, invoice_id: str
) -> InvoiceEnvelope:
    """``GET /invoices/{id}``: the envelope of :func:`visible_invoice`."""
    return InvoiceEnvelope(
        status="SUCCESS", data=await visible_invoice(conn, principal, now, invoice_id)
    )


@dataclass(frozen=True, slots=True)
class InvoicePdf:
    filename: str  # the invoice number + ".pdf"
    content: bytes


async def invoice_pdf(
    conn: Conn, principal: Principal, now: datetime, invoice_id: str, locale: str
) -> InvoicePdf:
    """The visible invoice as a PDF in ``locale`` (en, de or ja), with the seller's and the
    customer's names; rendering (CPU only) runs off the event loop."""
    # fpdf2 and its font tools add about 15 MB to every worker; only a worker that renders
    # a PDF pays for them.
    from selfserve.invoices import pdf

    invoice = await visible_invoice(conn, principal, now, invoice_id)
    row = await repository.parties(conn, principal.tenant_id, invoice.customer_id)
    parties = None if row is None else pdf.Parties(seller=row[0], customer=row[1],
                                                   account_number=row[2])  # fmt: skip
    content = await asyncio.to_thread(pdf.render, invoice, locale, parties=parties)
    return InvoicePdf(f"{invoice.invoice_number}.pdf", content)


def _today(now: datetime, zone: str, cache: dict[str, date]) -> date:
    today = cache.get(zone)
    if today is None:
        today = cache[zone] = local_date(now, zone)
    return today


async def _overdue_windows(
    conn: Conn, principal: Principal, now: datetime, query: InvoiceListQuery
) -> list[tuple[list[str], date]]:
    """For ``isOverdue``: the query's customers grouped by their local today."""
    if query.is_overdue is None:
        return []
    rows = await time_zones(conn, principal.tenant_id, query.customer_ids or [])
    by_day: dict[date, list[str]] = {}
    for customer_id, zone in rows:
        by_day.setdefault(local_date(now, zone), []).append(conn.to_id(customer_id))
    return [(ids, today) for today, ids in sorted(by_day.items())]
