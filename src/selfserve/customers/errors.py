"""What can go wrong with customers."""

from selfserve.errors import ResourceNotFound


class CustomerNotFound(ResourceNotFound):
    """No such customer, or not one the caller may see (the two look the same)."""

    error_code = "CUSTOMER_NOT_FOUND"

    def __init__(self) -> None:
        # The id is not echoed: a 404 must read the same for every invisible customer.
        super().__init__("No customer with this id is visible to this credential.")
