"""Wire contract of the catalog: products with their price book entries."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Id, Instant, UnitPrice, doc


class PriceBookEntryRead(msgspec.Struct, rename="camel"):
    """A price of a product in one currency and price period; order lines name its ``id`` as
    ``priceBookEntryId``."""

    id: Id
    currency: Annotated[str, doc("ISO 4217", "USD")]
    list_price: Annotated[UnitPrice, doc("Unit price per price period", 49.5)]
    price_period: Annotated[str, doc("Month | Year | OneTime", "Month")]
    active: Annotated[bool, doc("Whether new orders may use this price", True)]


class ProductRead(msgspec.Struct, rename="camel"):
    """A product of the tenant's catalog."""

    id: Id
    sku: Annotated[str, doc("Stock keeping unit, unique per tenant", "PRO-PLAN")]
    name: str
    description: str | None
    product_category: Annotated[
        str,
        doc(
            "RecurringServices (becomes a subscription) | PhysicalGoods (an asset) | "
            "ProfessionalServices | CustomerSupport (entitlements)",
            "RecurringServices",
        ),
    ]
    created_date: Instant
    last_modified_date: Instant
    price_book_entries: list[PriceBookEntryRead]


class ProductList(msgspec.Struct):
    """A page of products."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[ProductRead]
    pagination: Pagination
