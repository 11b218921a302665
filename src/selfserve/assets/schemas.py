"""Wire contract of subscriptions, physical assets and entitlements."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Action, Day, Id, Money, UnitPrice, doc


class AssetRead(msgspec.Struct, rename="camel"):
    """A subscription, physical asset or entitlement, at its current version.

    ``orderId`` and ``orderProductId`` name the order and line that produced this version.
    """

    id: Id
    asset_type: Annotated[str, doc("Subscription | Asset | Entitlement", "Subscription")]
    asset_number: Annotated[str, doc("SUB-, AST- or ENT- + 8 digits", "SUB-00000001")]
    status: Annotated[
        str, doc("Active, Pending, Scheduled for Cancellation, Canceled, Ended, Expired", "Active")
    ]
    customer_id: Id
    product_id: Id
    product_name: str
    quantity: int
    start_date: Day | None
    end_date: Day | None
    term: Annotated[int | None, doc("Months", 12)]
    renewal_term: int | None
    auto_renew: bool
    billing_period: str | None
    currency: str
    list_price: UnitPrice
    price: UnitPrice
    total_price: Money
    asset_version: int
    last_versioned_asset_id: Id | None
    cancellation_date: Day | None
    order_id: Id
    order_product_id: Id | None
    product_category: Annotated[
        str, doc("RecurringServices | PhysicalGoods | ProfessionalServices | CustomerSupport")
    ]
    price_book_entry_id: Id | None


class SubscriptionRead(AssetRead):
    """A subscription, with Nue's subscription field names beside the asset ones."""

    name: Annotated[str, doc("Nue's name of a subscription: its number", "SUB-00000001")]
    subscription_composite_id: Annotated[str, doc("Number and version", "SUB-00000001-2")]
    subscription_version: Annotated[int, doc("= assetVersion", 2)]
    subscription_start_date: Annotated[Day | None, doc("= startDate")]
    subscription_end_date: Annotated[Day | None, doc("= endDate")]
    subscription_term: Annotated[int | None, doc("= term, in months", 12)]
    actions: Annotated[
        list[Action],
        doc(
            "What this caller may do to the subscription now: change, renew, cancel (POST "
            "/change-orders) and autoRenew while it is live; uncancel while a cancellation "
            "is scheduled for a later day"
        ),
    ]


class AssetList(msgspec.Struct):
    """A page of physical assets or entitlements."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[AssetRead]
    pagination: Pagination


class SubscriptionList(msgspec.Struct):
    """A page of subscriptions."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[SubscriptionRead]
    pagination: Pagination
