"""Idempotency keys: the first response to a POST, replayed for retries for 24 hours."""

from sqlalchemy import Column, ForeignKey, Integer, PrimaryKeyConstraint, String, Table, Text

from .base import GUID, UTCTimestamp, metadata

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("principal", String(64), nullable=False, comment="key id or token subject"),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=True, comment="NULL while the first is in flight"),
    Column("response_body", Text, nullable=True),
    Column("created_at", UTCTimestamp, nullable=False),
    PrimaryKeyConstraint("tenant_id", "principal", "key"),
)
