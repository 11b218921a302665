"""API keys: only a SHA-256 hash of the secret is stored, never the secret."""

from sqlalchemy import Column, ForeignKey, Index, String, Table

from .base import GUID, UTCTimestamp, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column(
        "key_id",
        String(32),
        nullable=False,
        unique=True,
        comment="Public part of the key, used to find the row; safe to log",
    ),
    Column("secret_hash", String(64), nullable=False, comment="hex SHA-256 of the secret part"),
    Column("role", String(32), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("revoked_at", UTCTimestamp, nullable=True),
    Column(
        "expires_at",
        UTCTimestamp,
        nullable=True,
        comment="Set when the key is rotated: it keeps working until then (the overlap)",
    ),
    Column("last_used_at", UTCTimestamp, nullable=True),
    Index(None, "tenant_id", "created_at"),
)
