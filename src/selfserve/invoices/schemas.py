"""Wire contract of invoices."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.kit.schemas import Day, Id, Money, doc


class InvoiceRead(msgspec.Struct, rename="camel"):
    """An invoice. amount = amountWithoutTax + taxAmount; 0 ≤ balance ≤ amount."""

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
    is_overdue: Annotated[bool, doc("Unpaid balance past its due date (customer-local)")]
