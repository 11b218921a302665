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


MAX_BATCH = 200
"""Most customers one ``POST /customers`` creates (Nue's limit)."""


Email = Annotated[
    str, msgspec.Meta(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$", description="E-mail")
]
Country = Annotated[
    str, doc("ISO 3166-1 alpha-2, selects the tax rate", "DE", pattern="^[A-Z]{2}$")
]
AccountNumber = Annotated[
    str,
    doc(
        "Unique per tenant; default: ACC- and the tenant's next number",
        "ACC-000042",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$",
    ),
]


class CustomerCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """One customer to create, in Nue's shape; the server assigns ``id``."""

    name: Annotated[str, doc("Name", "Acme GmbH", min_length=1, max_length=200)]
    time_zone: Annotated[str, doc("IANA time zone", "Europe/Berlin", max_length=64)]
    currency: Annotated[str, doc("ISO 4217, one of the supported currencies", "EUR")]
    email: Email | None = None
    country: Country | None = None
    parent_customer_id: Annotated[str, doc("An existing customer of the tenant")] | None = None
    account_number: AccountNumber | None = None


CustomerBatch = Annotated[list[CustomerCreate], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]
"""The body of ``POST /customers``: a JSON array of 1 to 200 customers."""


class CustomersCreated(msgspec.Struct):
    """The created customers, in the order of the request."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[CustomerRead]
