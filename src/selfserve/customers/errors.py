"""What can go wrong with customers."""

from selfserve.errors import Conflict, ErrorDetail, ResourceNotFound, SelfserveError


class CustomerNotFound(ResourceNotFound):
    """No such customer, or not one the caller may see (the two look the same)."""

    error_code = "CUSTOMER_NOT_FOUND"

    def __init__(self) -> None:
        # The id is not echoed: a 404 must read the same for every invisible customer.
        super().__init__("No customer with this id is visible to this credential.")


class InvalidCustomers(SelfserveError):
    """Items of a ``POST /customers`` batch are malformed; ``details`` names each one (400)."""

    error_code = "INVALID_PARAMETER"

    def __init__(self, details: list[ErrorDetail]) -> None:
        more = f" ({len(details) - 1} more problems in details)" if len(details) > 1 else ""
        super().__init__(details[0].message + more, details=details)


class ParentNotFound(ResourceNotFound):
    """A ``parentCustomerId`` names no customer of the tenant (404)."""

    error_code = "CUSTOMER_NOT_FOUND"

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__(details[0].message, details=details)


class AccountNumberTaken(Conflict):
    """An ``accountNumber`` already belongs to a customer of the tenant (409)."""

    error_code = "ACCOUNT_NUMBER_TAKEN"

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__(details[0].message, details=details)
