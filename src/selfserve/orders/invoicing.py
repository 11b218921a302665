"""Invoices of an order: the preview of a draft and the invoices activation and billing
runs issue. Built from the stored order lines, so a preview and the invoice later issued for
the same order are computed from the same numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from selfserve.db import Conn, Row, insert_row
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.money import minor_to_decimal
from selfserve.numbering import next_number
from selfserve.orders.schemas import InvoiceLinePreview, InvoicePreview

LINE_COLUMNS = (
    "id, price_period, subscription_start_date, subscription_term, billing_period, quantity, "
    "total_price, tax_rate, product_name, change_type"
)
# Changes priced by day (or a one-off span) are charged once, on their effective date.
CHARGED_ONCE = frozenset({"UpdateQuantity", "Upgrade", "Downgrade", "Swap", "Cancel", "CoTerm"})


async def order_lines(conn: Conn, tenant_id: str, order_id: str) -> list[Row]:
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {LINE_COLUMNS} FROM order_products WHERE order_id = {sql.p(order_id)} "
        f"AND tenant_id = {sql.p(tenant_id)} ORDER BY line_number",
        sql.params,
    )


def descriptions(conn: Conn, rows: Sequence[Row]) -> dict[str, str]:
    return {conn.to_id(r[0]): str(r[8]) for r in rows}


def billables(conn: Conn, rows: Sequence[Row], fallback_start: date) -> list[billing.BillableLine]:
    out = []
    for r in rows:
        start = conn.to_date(r[2]) if r[2] is not None else fallback_start
        recurring = r[1] != "OneTime" and r[9] not in CHARGED_ONCE
        out.append(
            billing.BillableLine(
                ref=conn.to_id(r[0]),
                price_period=r[1] if recurring else "OneTime",
                start=start,
                term_months=r[3] if recurring else None,
                billing_period=(r[4] or "Month") if recurring else None,
                quantity=r[5],
                total_price=r[6],
                tax_rate=r[7],
            )
        )
    return out


def preview(invoice: billing.InvoiceDraft) -> InvoicePreview:
    c = invoice.currency
    return InvoicePreview(
        invoice_date=invoice.invoice_date, due_date=invoice.due_date, start_date=invoice.start,
        end_date=invoice.end, currency=c, amount=minor_to_decimal(invoice.amount, c),
        amount_without_tax=minor_to_decimal(invoice.amount_without_tax, c),
        tax_amount=minor_to_decimal(invoice.tax_amount, c),
        lines=[
            InvoiceLinePreview(
                order_product_id=line.ref, start_date=line.start, end_date=line.end,
                quantity=line.quantity, amount=minor_to_decimal(line.amount, c),
                tax_amount=minor_to_decimal(line.tax_amount, c),
            )
            for line in invoice.lines
        ],
    )  # fmt: skip


async def issue(
    conn: Conn,
    *,
    tenant_id: str,
    customer_id: str,
    order_id: str,
    invoice: billing.InvoiceDraft,
    active: bool,
    actor: history.Actor,
    now: datetime,
    descriptions: dict[str, str],
) -> str:
    """Insert the invoice and its lines; record ``invoice.issued``. Returns its id."""
    invoice_id = str(uuid.uuid4())
    number = await next_number(conn, tenant_id, "INV")
    status = "Active" if active else "Draft"
    await insert_row(conn, "invoices", {
        "id": invoice_id, "tenant_id": tenant_id, "customer_id": customer_id,
        "order_id": order_id, "invoice_number": number, "status": status,
        "payment_status": "NotTransferred", "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date, "start_date": invoice.start, "end_date": invoice.end,
        "currency": invoice.currency, "amount_without_tax": invoice.amount_without_tax,
        "tax_amount": invoice.tax_amount, "amount": invoice.amount,
        "balance": max(invoice.amount, 0), "created_at": now, "updated_at": now,
    })  # fmt: skip
    for position, line in enumerate(invoice.lines, start=1):
        values = _line(tenant_id, invoice_id, position, line)
        values["description"] = descriptions.get(line.ref, values["description"])
        await insert_row(conn, "invoice_lines", values)
    await history.record(
        conn, tenant_id=tenant_id, customer_id=customer_id, order_id=order_id,
        action="invoice.issued", entity_type="invoice", entity_id=invoice_id, actor=actor, at=now,
        changes=history.diff({}, {"invoiceNumber": number, "status": status,
                                  "amount": minor_to_decimal(invoice.amount, invoice.currency)}),
    )  # fmt: skip
    return invoice_id


def _line(
    tenant_id: str, invoice_id: str, position: int, line: billing.InvoiceLineDraft
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "tenant_id": tenant_id, "invoice_id": invoice_id,
        "line_number": position, "order_product_id": line.ref, "asset_id": None,
        "description": "Charge" if line.amount >= 0 else "Credit", "quantity": line.quantity,
        "start_date": line.start, "end_date": line.end, "amount": line.amount,
        "tax_amount": line.tax_amount,
    }  # fmt: skip


async def preview_order(conn: Conn, tenant_id: str, draft: Any) -> list[InvoicePreview]:
    """The first invoice of a just-created draft, as activation would issue it."""
    rows = await order_lines(conn, tenant_id, draft.order_id)
    start = min(line.start for line, _ in draft.lines)
    invoice = billing.first_invoice(billables(conn, rows, start), draft.currency,
                                    draft.payment_terms_days)  # fmt: skip
    return [] if invoice is None else [preview(invoice)]


async def preview_of(conn: Conn, tenant_id: str, order_id: str) -> list[InvoicePreview]:
    """The first invoice of a stored draft (its currency and the tenant's payment terms)."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT o.currency, o.order_start_date, t.payment_terms_days FROM orders o "
        f"JOIN tenants t ON t.id = o.tenant_id WHERE o.id = {sql.p(order_id)}",
        sql.params,
    )
    assert row is not None
    rows = await order_lines(conn, tenant_id, order_id)
    invoice = billing.first_invoice(billables(conn, rows, conn.to_date(row[1])), row[0], row[2])
    return [] if invoice is None else [preview(invoice)]
