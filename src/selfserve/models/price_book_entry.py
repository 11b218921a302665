"""Price book entries: what a product costs, per currency and price period."""

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, String, Table

from .base import GUID, UTCTimestamp, metadata

price_book_entries = Table(
    "price_book_entries",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("product_id", GUID, ForeignKey("products.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("list_price", BigInteger, nullable=False, comment="micro-units of the major unit"),
    Column("price_period", String(16), nullable=False, comment="Month | Year | OneTime"),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", UTCTimestamp, nullable=False),
    Index(None, "product_id", "currency", "price_period"),
    Index(None, "tenant_id"),
)
