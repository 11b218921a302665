"""Change events: who changed what, when, with field diffs. Written through history.record()."""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from .base import GUID, UTCTimestamp, metadata

change_events = Table(
    "change_events",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False),
    Column("order_id", GUID, ForeignKey("orders.id"), nullable=True),
    Column("asset_number", String(16), nullable=True),
    Column("entity_type", String(16), nullable=False, comment="order | asset | invoice | customer"),
    Column("entity_id", GUID, nullable=False),
    Column("action", String(64), nullable=False, comment="e.g. order.activated"),
    Column("actor_type", String(16), nullable=False, comment="api_key | customer | system"),
    Column("actor_id", String(64), nullable=True),
    Column("reason", Text, nullable=True),
    Column("changes", Text, nullable=False, comment="JSON [{field, from, to}]"),
    Column("at", UTCTimestamp, nullable=False),
    Index(None, "order_id", "at"),
    Index(None, "tenant_id", "asset_number", "at"),
)
