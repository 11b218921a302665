"""Wire contract of customers."""

from __future__ import annotations

from typing import Annotated

import msgspec

from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Id, Instant, doc


class CustomerRead(msgspec.Struct, rename="camel"):
    """A customer account; dates on its orders are local to ``timeZone``."""

    id: Id
    account_number: Annotated[str, doc("Per-tenant account number", "ACC-000001")]
    name: str
    email: str | None
    parent_customer_id: Id | None
    time_zone: Annotated[str, doc("IANA time zone", "Europe/Berlin")]
    currency: Annotated[str, doc("ISO 4217", "EUR")]
    country: Annotated[str | None, doc("ISO 3166-1 alpha-2", "DE")]
    created_date: Instant
    last_modified_date: Instant


class CustomerList(msgspec.Struct):
    status: str
    data: list[CustomerRead]
    pagination: Pagination


class CustomerEnvelope(msgspec.Struct):
    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: CustomerRead
