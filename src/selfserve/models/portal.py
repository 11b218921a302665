"""Portal sessions (a customer's browser session, opened from a single-use link) and each
tenant's portal settings."""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from .base import GUID, UTCTimestamp, metadata

portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("customer_ids", Text, nullable=False, comment="JSON array of customer ids"),
    Column("scopes", String(32), nullable=False, comment="'read' or 'read write'"),
    Column("locale", String(8), nullable=True),
    Column("return_url", String(2048), nullable=True),
    Column(
        "launch_hash",
        String(64),
        nullable=False,
        unique=True,
        comment="SHA-256 of the single-use launch code; the code itself is never stored",
    ),
    Column("launch_expires_at", UTCTimestamp, nullable=False),
    Column("launched_at", UTCTimestamp, nullable=True),
    Column(
        "secret_hash",
        String(64),
        nullable=True,
        unique=True,
        comment="SHA-256 of the cookie secret, set when the link is opened",
    ),
    Column("csrf_token", String(64), nullable=True),
    Column("current_customer_id", GUID, nullable=True),
    Column("expires_at", UTCTimestamp, nullable=False),
    Column("revoked_at", UTCTimestamp, nullable=True),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("created_by", String(64), nullable=False),
    Index(None, "tenant_id", "created_at"),
)

portal_settings = Table(
    "portal_settings",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id"), primary_key=True),
    Column("settings", Text, nullable=False, comment="JSON, validated by portal.schemas"),
    Column("updated_at", UTCTimestamp, nullable=False),
)
