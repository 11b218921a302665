"""What can go wrong with invoices."""

from selfserve.errors import ResourceNotFound


class InvoiceNotFound(ResourceNotFound):
    """No such invoice, or not one the caller may see (the two look the same)."""

    error_code = "INVOICE_NOT_FOUND"

    def __init__(self) -> None:
        # The id is not echoed: a 404 must read the same for every invisible invoice.
        super().__init__("No invoice with this id is visible to this credential.")
