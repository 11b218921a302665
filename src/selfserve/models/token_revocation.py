"""Revoked customer tokens: one token by its id, or every token of a customer issued so far."""

from sqlalchemy import Column, ForeignKey, Index, String, Table

from .base import GUID, UTCTimestamp, metadata

token_revocations = Table(
    "token_revocations",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("token_id", String(32), nullable=True, comment="one token (its jti)"),
    Column(
        "customer_id",
        GUID,
        ForeignKey("customers.id"),
        nullable=True,
        comment="every token bound to this customer and issued at or before revoked_at",
    ),
    Column("revoked_at", UTCTimestamp, nullable=False),
    Column("revoked_by", String(64), nullable=True),
    Index(None, "tenant_id", "token_id"),
    Index(None, "tenant_id", "customer_id"),
)
