"""Invoices and their lines: amount = amount_without_tax + tax_amount, 0 <= balance <= amount."""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from .base import GUID, CalendarDate, UTCTimestamp, metadata, stored_document

invoices = Table(
    "invoices",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False),
    Column("order_id", GUID, ForeignKey("orders.id"), nullable=True),
    Column("invoice_number", String(16), nullable=False, comment="INV-00000001, per tenant"),
    Column("status", String(16), nullable=False, comment="Draft | Active | Canceled"),
    Column("payment_status", String(24), nullable=False),
    Column("invoice_date", CalendarDate, nullable=False),
    Column("due_date", CalendarDate, nullable=False),
    Column("start_date", CalendarDate, nullable=True),
    Column("end_date", CalendarDate, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("amount_without_tax", BigInteger, nullable=False),
    Column("tax_amount", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("updated_at", UTCTimestamp, nullable=False),
    # The invoice's wire JSON without isOverdue, as an order's invoices include shows it
    # (orders.documents); a trigger clears it whenever the row changes.
    *stored_document(
        "invoices",
        "wire JSON of the invoice without isOverdue; NULL until built or after a change",
    ),
    Index(None, "order_id"),
    Index(None, "tenant_id", "invoice_number", unique=True),
    Index(None, "customer_id", "invoice_date", "id"),
    # One invoice per order and billing period start: billing runs can be repeated safely.
    Index("ix_invoices_order_period", "order_id", "start_date", "status"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("invoice_id", GUID, ForeignKey("invoices.id"), nullable=False),
    Column("line_number", Integer, nullable=False),
    Column("order_product_id", GUID, ForeignKey("order_products.id"), nullable=True),
    Column("asset_id", GUID, ForeignKey("assets.id"), nullable=True),
    Column("description", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("start_date", CalendarDate, nullable=True),
    Column("end_date", CalendarDate, nullable=True),
    Column("amount", BigInteger, nullable=False, comment="minor units, without tax"),
    Column("tax_amount", BigInteger, nullable=False),
    Index(None, "invoice_id", "line_number"),
)
