"""What can go wrong with orders."""

from selfserve.errors import ResourceNotFound


class OrderNotFound(ResourceNotFound):
    """No such order, or not one the caller may see (the two look the same)."""

    error_code = "ORDER_NOT_FOUND"

    def __init__(self) -> None:
        # The id is not echoed: a 404 must read the same for every invisible order.
        super().__init__("No order with this id is visible to this credential.")
