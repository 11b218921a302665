"""Wire contract of invoices."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Day, Id, Money, doc


class InvoiceDocument(msgspec.Struct, rename="camel"):
    """An invoice without ``isOverdue`` (which depends on the day): stored encoded as
    ``invoices.document`` for the orders' invoices include (``orders.documents``)."""

    id: Id
    invoice_number: Annotated[str, doc("INV- + 8 digits", "INV-00000001")]
    status: Annotated[str, doc("Draft | Active | Canceled", "Active")]
    payment_status: Annotated[str, doc("NotTransferred, Paid, PartiallyPaid, ...", "Paid")]
    customer_id: Id
    order_id: Id | None
    invoice_date: Day
    due_date: Day
    start_date: Day | None
    end_date: Day | None
    amount: Money
    amount_without_tax: Money
    tax_amount: Money
    balance: Money
    currency: str


class InvoiceRead(InvoiceDocument, rename="camel"):
    """An invoice. amount = amountWithoutTax + taxAmount; 0 ≤ balance ≤ amount."""

    is_overdue: Annotated[bool, doc("Unpaid balance past its due date (customer-local)")]


class InvoiceLineRead(msgspec.Struct, rename="camel"):
    """One line of an invoice: what was billed for which period. Amounts exclude tax;
    ``orderProductId`` and ``assetId`` name the order line and asset version billed."""

    id: Id
    description: Annotated[str, doc("What was billed", "Pro plan, Jul 2025")]
    quantity: int
    start_date: Day | None
    end_date: Day | None
    amount: Annotated[Money, doc("Without tax, in the invoice's currency", 99.0)]
    tax_amount: Money
    order_product_id: Id | None
    asset_id: Id | None


class InvoiceDetail(InvoiceRead):
    """An invoice with its lines (GET /invoices/{id}); Σ lines' amount = amountWithoutTax."""

    invoice_lines: list[InvoiceLineRead]


class InvoiceList(msgspec.Struct):
    """A page of invoices."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[InvoiceRead]
    pagination: Pagination


class InvoiceEnvelope(msgspec.Struct):
    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: InvoiceDetail
