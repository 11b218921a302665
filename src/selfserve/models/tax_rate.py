"""Per-tenant tax rates by customer country, in hundredths of a percent (825 = 8.25%)."""

from sqlalchemy import Column, ForeignKey, Integer, PrimaryKeyConstraint, String, Table

from .base import GUID, metadata

tax_rates = Table(
    "tax_rates",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("country", String(2), nullable=False),
    Column("rate", Integer, nullable=False, comment="hundredths of a percent"),
    PrimaryKeyConstraint("tenant_id", "country"),
)
