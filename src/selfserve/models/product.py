"""Catalog products; ``product_category`` decides what an activated line becomes."""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from .base import GUID, UTCTimestamp, metadata

products = Table(
    "products",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("sku", String(80), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column(
        "product_category",
        String(40),
        nullable=False,
        comment="RecurringServices | PhysicalGoods | ProfessionalServices | CustomerSupport",
    ),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("updated_at", UTCTimestamp, nullable=False),
    Index(None, "tenant_id", "sku", unique=True),
)
