"""Wire-format helpers shared by every domain: the success envelope and field docs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from msgspec import Meta


def doc(description: str, *examples: Any, **extra: Any) -> Meta:
    """Field documentation that becomes OpenAPI ``description`` and ``examples``."""
    return Meta(description=description, examples=list(examples) or None, **extra)


class Action(msgspec.Struct):
    """An operation this caller may perform now on an order or a subscription: listed only
    when the caller's scopes allow it, the state allows it and the app serves the route."""

    name: Annotated[str, doc("activate | cancel | change | renew | uncancel | autoRenew", "cancel")]
    method: Annotated[str, doc("HTTP method", "POST")]
    href: Annotated[str, doc("Path to call", "/orders/3f2b.../cancel")]


class Notice(msgspec.Struct):
    """Something the caller should know although the request succeeded."""

    code: str
    message: str


Money = Annotated[Decimal, doc("Amount in the currency, with its decimals", 5940.0)]
UnitPrice = Annotated[Decimal, doc("Unit price per price period; may carry extra decimals", 49.5)]
Percent = Annotated[Decimal, doc("Percentage, e.g. 10.5 for 10.5 %", 10.0)]
Id = Annotated[
    str, doc("UUID", "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", extra_json_schema={"format": "uuid"})
]
Day = Annotated[date, doc("Calendar date in the customer's time zone", "2025-07-01")]
Instant = Annotated[datetime, doc("UTC timestamp", "2025-07-01T09:30:00Z")]
