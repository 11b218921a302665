"""Wire contract of customer tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from selfserve.kit.schemas import doc

CustomerId = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="Customer id (UUID)",
    ),
]


class CustomerTokenCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """What a token may reach: customers (optionally with their children), scopes, lifetime."""

    customer_ids: Annotated[list[CustomerId], msgspec.Meta(min_length=1, max_length=100)]
    include_children: bool = False
    scopes: Annotated[
        list[Literal["read", "write"]],
        msgspec.Meta(min_length=1, max_length=2),
        doc("read, or read and write (self-service changes)", ["read"]),
    ] = msgspec.field(default_factory=lambda: ["read"])
    expires_in_seconds: Annotated[int, doc("Lifetime, 60 to 86400 seconds", 900)] = 900


class CustomerTokenRead(msgspec.Struct, rename="camel"):
    token: Annotated[str, doc("Send as Authorization: Bearer <token>")]
    token_id: Annotated[str, doc("For revoking this token alone")]
    expires_at: datetime
    customer_ids: list[str]
    scopes: list[str]


class CustomerTokenEnvelope(msgspec.Struct):
    status: str
    data: CustomerTokenRead


class TokenRevoke(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Exactly one of: a token id, or a customer id (revokes all its tokens issued so far)."""

    token_id: str | None = None
    customer_id: CustomerId | None = None


class RevokedRead(msgspec.Struct):
    revoked: Annotated[str, doc("token | customer", "token")]


class RevokedEnvelope(msgspec.Struct):
    status: str
    data: RevokedRead
