"""Customers: the accounts whose orders the API shows, optionally under a parent account."""

from sqlalchemy import Column, ForeignKey, Index, String, Table

from .base import GUID, UTCTimestamp, metadata

customers = Table(
    "customers",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("parent_customer_id", GUID, ForeignKey("customers.id"), nullable=True),
    Column("account_number", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("time_zone", String(64), nullable=False, comment="IANA name; dates are local to it"),
    Column("currency", String(3), nullable=False, comment="ISO 4217"),
    Column("country", String(2), nullable=True, comment="ISO 3166-1 alpha-2, selects the tax rate"),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("updated_at", UTCTimestamp, nullable=False),
    Index(None, "tenant_id", "account_number", unique=True),
    Index(None, "tenant_id", "created_at", "id"),
    Index(None, "parent_customer_id"),
)
