"""Orders: a customer's purchase (New), amendment (Change) or renewal (Renewal).

``next_renewal_date``, ``auto_renew`` and ``renewal_term`` summarise the order's live
subscriptions (the earliest end date among them); writers keep them current so that the
``lifecycle`` block and ``renewalWithinDays`` need no extra query per order.
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
    Text,
    literal_column,
)

from .base import GUID, CalendarDate, UTCTimestamp, metadata, stored_document

orders = Table(
    "orders",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False),
    Column("order_number", String(16), nullable=False, comment="O-00000001, per tenant"),
    Column("name", String(200), nullable=True),
    Column("description", Text, nullable=True),
    Column("status", String(16), nullable=False, comment="Draft | Activated | Canceled"),
    Column("order_type", String(16), nullable=False, comment="New | Change | Renewal"),
    Column("currency", String(3), nullable=False),
    Column("effective_date", CalendarDate, nullable=True),
    Column("order_start_date", CalendarDate, nullable=True),
    Column("order_end_date", CalendarDate, nullable=True),
    Column("order_placed_date", CalendarDate, nullable=True),
    Column("activated_at", UTCTimestamp, nullable=True),
    Column("subscription_start_date", CalendarDate, nullable=True),
    Column("subscription_end_date", CalendarDate, nullable=True),
    Column("subscription_term", Integer, nullable=True, comment="months"),
    Column("billing_period", String(16), nullable=True),
    Column("bill_cycle_day", Integer, nullable=True),
    Column("list_total", BigInteger, nullable=False, server_default="0"),
    Column("subtotal", BigInteger, nullable=False, server_default="0"),
    Column("discount", Integer, nullable=False, server_default="0", comment="0.01 %"),
    Column("discount_amount", BigInteger, nullable=False, server_default="0"),
    Column("system_discount", Integer, nullable=False, server_default="0", comment="0.01 %"),
    Column("system_discount_amount", BigInteger, nullable=False, server_default="0"),
    Column("tax_amount", BigInteger, nullable=False, server_default="0"),
    Column("total_amount", BigInteger, nullable=False, server_default="0"),
    Column("order_acv", BigInteger, nullable=False, server_default="0"),
    Column("order_tcv", BigInteger, nullable=False, server_default="0"),
    Column("next_renewal_date", CalendarDate, nullable=True),
    Column("auto_renew", Boolean, nullable=True),
    Column("renewal_term", Integer, nullable=True),
    Column("canceled_at", UTCTimestamp, nullable=True),
    Column("cancel_effective_date", CalendarDate, nullable=True),
    Column("cancellation_reason", Text, nullable=True),
    Column("canceled_by_id", String(64), nullable=True),
    Column("created_at", UTCTimestamp, nullable=False),
    Column("updated_at", UTCTimestamp, nullable=False),
    Column("created_by_id", String(64), nullable=True),
    Column("last_modified_by_id", String(64), nullable=True),
    # Snapshot paging: the tenant's order clock (order_clocks) when the order was created and
    # when a sort value last changed. Database triggers set both, so that no writer (nor an
    # operator's UPDATE) can forget them; NULL only while the writing transaction is in
    # flight on PostgreSQL. A bulk load into an empty tenant passes 0: older than any walk.
    Column("created_revision", BigInteger, nullable=True, comment="order clock at creation"),
    Column("revision", BigInteger, nullable=True, comment="order clock at the last sort change"),
    # The order's wire JSON without its lifecycle, actions and includes (orders.documents):
    # what a read would build from this row and its lines, built once and served as bytes.
    # Triggers clear it whenever the order or one of its lines changes.
    *stored_document(
        "orders", "wire JSON of the order and its lines; NULL until built or after a change"
    ),
    Index(None, "tenant_id", "order_number", unique=True),
    # One index per sort key, each led by customer_id, so a single customer's page is an
    # ordered index scan that stops at LIMIT (no Sort node).
    Index("ix_orders_customer_created", "customer_id", "created_at", "id"),
    Index("ix_orders_customer_updated", "customer_id", "updated_at", "id"),
    Index("ix_orders_customer_total", "customer_id", "total_amount", "id"),
    Index("ix_orders_customer_number", "customer_id", "order_number", "id"),
    # A page's total counts the customer's orders in the tenant: with both columns in one
    # index that count never reads the table (an index-only scan on PostgreSQL).
    Index("ix_orders_customer_tenant", "customer_id", "tenant_id"),
    # NULL (a draft's placed date) sorts lowest on both engines; PostgreSQL needs NULLS FIRST
    # in the index for that order to be a plain index scan.
    Index(
        "ix_orders_customer_placed",
        "customer_id",
        literal_column("order_placed_date").nulls_first(),
        "id",
        postgresql_using="btree",
    ).ddl_if(dialect="postgresql"),
    Index("ix_orders_customer_placed_sqlite", "customer_id", "order_placed_date", "id").ddl_if(
        dialect="sqlite"
    ),
)
