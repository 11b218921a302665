"""Wire contract of GET /renewals, PATCH /subscriptions/{id} and
POST /subscriptions/{id}/uncancel."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.assets.schemas import SubscriptionRead
from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Day, Money, doc


class RenewalRead(SubscriptionRead):
    """A live subscription whose term ends within the window, with its next term projected
    at the current price and quantity."""

    days_until_renewal: Annotated[int, doc("From the customer's today to endDate", 21)]
    projected_renewal_start_date: Annotated[
        Day | None, doc("The day after endDate; null when the subscription cannot renew")
    ]
    projected_renewal_end_date: Annotated[
        Day | None, doc("Start + renewalTerm months - 1 day", "2027-06-30")
    ]
    projected_renewal_amount: Annotated[
        Money | None, doc("Price of the next term without tax (current price × quantity)", 5346.0)
    ]
    projected_renewal_tax_amount: Annotated[
        Money | None, doc("Tax on it, at the rate of the line that sold the subscription", 441.04)
    ]


class RenewalList(msgspec.Struct):
    """A page of upcoming renewals, the soonest first."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[RenewalRead]
    pagination: Pagination


class SubscriptionPatch(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """The settings of a subscription that change without a new version."""

    auto_renew: Annotated[bool, doc("Renew automatically when the term ends", False)]


class SubscriptionUncancel(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Optional body of POST /subscriptions/{id}/uncancel (an empty body is fine)."""

    reason: (
        Annotated[
            str,
            msgspec.Meta(min_length=1, max_length=500),
            doc("Why the cancellation is withdrawn; recorded on the change events", "Staying"),
        ]
        | None
    ) = None


class SubscriptionPatchResult(msgspec.Struct):
    """Nue's answer to PATCH /subscriptions/{id}: ``data`` is an array of the subscription
    (for POST /subscriptions/{id}/uncancel: every subscription the undone cancellation had
    scheduled, the one named first)."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[SubscriptionRead]
