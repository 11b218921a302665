"""Wire contract of subscriptions, physical assets and entitlements."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.kit.schemas import Day, Id, Money, UnitPrice, doc


class AssetRead(msgspec.Struct, rename="camel"):
    """A subscription, physical asset or entitlement, at its current version."""

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
