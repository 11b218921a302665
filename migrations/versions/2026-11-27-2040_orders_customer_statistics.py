"""Finer planner statistics on orders.customer_id (PostgreSQL).

A few customers with many orders next to many with few make the default statistics estimate
a big customer's page as a handful of rows, and the planner then sorts instead of reading
the customer's index in order and stopping at the page size. A larger sample keeps such
customers in the most-common-values list.

Revision ID: 7c41d0a2b9e3
Revises: eb61ff7b0d23
Create Date: 2026-11-27 20:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c41d0a2b9e3"
down_revision: str | None = "eb61ff7b0d23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE orders ALTER COLUMN customer_id SET STATISTICS 1000")
        # The new target only counts once the table is analysed again.
        op.execute("ANALYZE orders")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE orders ALTER COLUMN customer_id SET STATISTICS -1")
