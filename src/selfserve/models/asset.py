"""Subscriptions, physical assets and entitlements: one row per version.

A change creates a new row with ``asset_version`` + 1 and ``last_versioned_asset_id``
pointing at the row it replaces; only the newest row of an ``asset_number`` has
``is_current`` set. ``order_id`` is the order that produced that version.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    literal_column,
    text,
)

from .base import GUID, CalendarDate, UTCTimestamp, metadata, stored_document

assets = Table(
    "assets",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False),
    Column("order_id", GUID, ForeignKey("orders.id"), nullable=False),
    Column("order_product_id", GUID, ForeignKey("order_products.id"), nullable=True),
    Column("asset_type", String(16), nullable=False, comment="Subscription | Asset | Entitlement"),
    Column("asset_number", String(16), nullable=False, comment="SUB-/AST-/ENT- + 8 digits"),
    Column("asset_version", Integer, nullable=False),
    Column("last_versioned_asset_id", GUID, ForeignKey("assets.id"), nullable=True),
    Column("is_current", Boolean, nullable=False),
    Column("status", String(32), nullable=False),
    Column("product_id", GUID, ForeignKey("products.id"), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("product_category", String(40), nullable=False),
    Column("price_book_entry_id", GUID, nullable=True),
    Column("quantity", BigInteger, nullable=False),
    Column("start_date", CalendarDate, nullable=True),
    Column("end_date", CalendarDate, nullable=True),
    Column("term", Integer, nullable=True),
    Column("renewal_term", Integer, nullable=True),
    Column("auto_renew", Boolean, nullable=False, server_default="0"),
    Column("billing_period", String(16), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("list_price", BigInteger, nullable=False, comment="micro-units per price period"),
    Column("price", BigInteger, nullable=False, comment="micro-units per price period"),
    Column("total_price", BigInteger, nullable=False, comment="minor units"),
    Column("cancellation_date", CalendarDate, nullable=True),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("updated_at", UTCTimestamp, nullable=False),
    # The version's wire JSON as an order's assets include shows it (orders.documents);
    # a trigger clears it whenever the row changes.
    *stored_document(
        "assets", "wire JSON of the asset version; NULL until built or after a change"
    ),
    # An order's assets by number: the assets include and an order's uncancel target read
    # them in this order, without a sort.
    Index("ix_assets_order_number", "order_id", "asset_number"),
    Index(None, "tenant_id", "asset_number", "asset_version", unique=True),
    Index(
        "ix_assets_current_number",
        "tenant_id",
        "asset_number",
        unique=True,
        postgresql_where=text("is_current"),
        sqlite_where=text("is_current"),
    ),
    Index("ix_assets_customer_type", "customer_id", "asset_type", "is_current", "end_date"),
    # GET /subscriptions, /assets, /entitlements: one partial index per sort key, led by
    # customer_id and asset_type, so one customer's page is an ordered index scan that stops
    # at LIMIT. Undated rows sort lowest on both engines (NULLS FIRST on PostgreSQL).
    Index(
        "ix_assets_current_customer_number",
        "customer_id",
        "asset_type",
        "asset_number",
        "id",
        postgresql_where=text("is_current"),
        sqlite_where=text("is_current"),
    ),
    Index(
        "ix_assets_current_customer_start",
        "customer_id",
        "asset_type",
        literal_column("start_date").nulls_first(),
        "id",
        postgresql_where=text("is_current"),
    ).ddl_if(dialect="postgresql"),
    Index(
        "ix_assets_current_customer_start_sqlite",
        "customer_id",
        "asset_type",
        "start_date",
        "id",
        sqlite_where=text("is_current"),
    ).ddl_if(dialect="sqlite"),
    Index(
        "ix_assets_current_customer_end",
        "customer_id",
        "asset_type",
        literal_column("end_date").nulls_first(),
        "id",
        postgresql_where=text("is_current"),
    ).ddl_if(dialect="postgresql"),
    Index(
        "ix_assets_current_customer_end_sqlite",
        "customer_id",
        "asset_type",
        "end_date",
        "id",
        sqlite_where=text("is_current"),
    ).ddl_if(dialect="sqlite"),
)
