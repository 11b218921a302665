"""The values an order's mutable sort keys had before each change, kept for snapshot paging.

A row holds the sort values an order had from revision ``valid_from`` until the write that
stamped ``valid_to`` replaced them (NULL only while that transaction is in flight on
PostgreSQL). A walk pinned at revision P places an order changed since then by the row with
``valid_from <= P < valid_to``. Database triggers on ``orders`` write the rows; nothing else
does.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, PrimaryKeyConstraint, Table

from .base import GUID, CalendarDate, UTCTimestamp, metadata

order_sort_history = Table(
    "order_sort_history",
    metadata,
    Column("order_id", GUID, ForeignKey("orders.id"), nullable=False),
    Column("tenant_id", GUID, nullable=False),
    Column("customer_id", GUID, nullable=False),
    Column("valid_from", BigInteger, nullable=False, comment="revision these values began"),
    Column("valid_to", BigInteger, nullable=True, comment="revision that replaced them"),
    # The orders columns of the mutable sort keys (orders.query.SORT_KEYS), before the change.
    Column("updated_at", UTCTimestamp, nullable=False),
    Column("order_placed_date", CalendarDate, nullable=True),
    Column("total_amount", BigInteger, nullable=False),
    PrimaryKeyConstraint("order_id", "valid_from"),
    # A pinned page finds the orders changed since its pin by this range, whatever the size
    # of the customer's history.
    Index("ix_order_sort_history_customer_replaced", "customer_id", "valid_to"),
)
