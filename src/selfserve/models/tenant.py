"""Tenants: one business using Selfserve; every other row belongs to exactly one."""

from sqlalchemy import Column, Integer, String, Table

from .base import GUID, UTCTimestamp, metadata

tenants = Table(
    "tenants",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True, comment="Human handle, e.g. 'demo'"),
    Column("name", String(200), nullable=False),
    Column(
        "renewal_notice_days",
        Integer,
        nullable=False,
        server_default="30",
        comment="A subscription ending within this many days puts its order in 'renewal_due'",
    ),
    Column("payment_terms_days", Integer, nullable=False, server_default="30"),
    Column(
        "grace_period_days",
        Integer,
        nullable=False,
        server_default="30",
        comment="Days an Ended subscription waits before it becomes Expired",
    ),
    Column("created_at", UTCTimestamp, nullable=False),
)
