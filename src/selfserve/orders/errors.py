"""What can go wrong with orders."""

from selfserve.errors import ResourceNotFound


class OrderNotFound(ResourceNotFound):
    """No such order, or not one the caller may see (the two look the same)."""

    error_code = "ORDER_NOT_FOUND"

    def __init__(self, order_id: str) -> None:
        super().__init__(f"Order {order_id} was not found.")
