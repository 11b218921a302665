"""What can go wrong with orders."""

from datetime import date

from selfserve.errors import Conflict, ResourceNotFound, SelfserveError


class OrderNotFound(ResourceNotFound):
    """No such order, or not one the caller may see (the two look the same)."""

    error_code = "ORDER_NOT_FOUND"

    def __init__(self) -> None:
        # The id is not echoed: a 404 must read the same for every invisible order.
        super().__init__("No order with this id is visible to this credential.")


class CustomerNotFound(ResourceNotFound):
    error_code = "CUSTOMER_NOT_FOUND"

    def __init__(self, field: str = "customer.id") -> None:
        super().__init__(f"{field} names no customer visible to this credential.")


class OrderNotDraft(Conflict):
    """Only a Draft can be activated (or canceled as a draft)."""

    error_code = "ORDER_NOT_DRAFT"

    def __init__(self, status: str) -> None:
        super().__init__(f"The order is {status}; only a Draft order can be activated.")


class OrderNotCancelable(Conflict):
    error_code = "ORDER_NOT_CANCELABLE"


class CancellationInEffect(Conflict):
    """A cancellation can be undone only before the day it takes effect."""

    error_code = "CANCELLATION_IN_EFFECT"

    def __init__(self, effective: date | None) -> None:
        day = effective.isoformat() if effective else "an earlier day"
        super().__init__(
            f"The cancellation took effect on {day} (the customer's date); only a cancellation "
            "scheduled for a later day can be undone. Order the subscription anew instead."
        )


class NoScheduledCancellation(Conflict):
    error_code = "NO_SCHEDULED_CANCELLATION"

    def __init__(self, status: str) -> None:
        super().__init__(f"The subscription is {status}; it has no scheduled cancellation to undo.")


class InvalidOrder(SelfserveError):
    """The request is well-formed but breaks a business rule (422)."""

    status_code = 422
    error_code = "INVALID_ORDER"
