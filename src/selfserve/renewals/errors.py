"""What can go wrong with renewals and the subscription settings."""

from selfserve.errors import Conflict, ResourceNotFound


class SubscriptionNotFound(ResourceNotFound):
    """No current subscription version with this id is visible to the caller."""

    error_code = "SUBSCRIPTION_NOT_FOUND"

    def __init__(self) -> None:
        # The id is not echoed: a 404 must read the same for every invisible subscription.
        super().__init__(
            "No current subscription with this id is visible to this credential; an older "
            "version's id is not accepted (read the subscription again for its current id)."
        )


class SubscriptionNotLive(Conflict):
    """Only an Active or Pending subscription has an auto-renew setting that still matters."""

    error_code = "SUBSCRIPTION_NOT_LIVE"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"The subscription is {status}; autoRenew can be changed on an Active or Pending "
            "subscription only."
        )


class TenantNotFound(ResourceNotFound):
    error_code = "TENANT_NOT_FOUND"

    def __init__(self, slug: str) -> None:
        super().__init__(f"No tenant with the slug {slug!r}.")
