"""Rules and views for invoices."""

from __future__ import annotations

from datetime import date

from selfserve.db import Conn, Row
from selfserve.invoices.schemas import InvoiceRead
from selfserve.kit.money import minor_to_decimal


def is_overdue(status: str, balance: int, due: date, today: date) -> bool:
    """An issued invoice with money still owed after its due date (customer-local)."""
    return status == "Active" and balance > 0 and due < today


def invoice_from_row(conn: Conn, r: Row, today: date, offset: int = 0) -> InvoiceRead:
    """Build the wire view of a row laid out as ``invoices.repository.INVOICE_COLUMNS``."""
    to_date, currency = conn.to_date, r[offset + 14]
    due, start, end, order_id = to_date(r[offset + 7]), r[offset + 8], r[offset + 9], r[offset + 5]
    balance = r[offset + 13]
    return InvoiceRead(
        id=conn.to_id(r[offset]),
        invoice_number=r[offset + 1],
        status=r[offset + 2],
        payment_status=r[offset + 3],
        customer_id=conn.to_id(r[offset + 4]),
        order_id=None if order_id is None else conn.to_id(order_id),
        invoice_date=to_date(r[offset + 6]),
        due_date=due,
        start_date=None if start is None else to_date(start),
        end_date=None if end is None else to_date(end),
        amount=minor_to_decimal(r[offset + 10], currency),
        amount_without_tax=minor_to_decimal(r[offset + 11], currency),
        tax_amount=minor_to_decimal(r[offset + 12], currency),
        balance=minor_to_decimal(balance, currency),
        currency=currency,
        is_overdue=is_overdue(r[offset + 2], balance, due, today),
    )
