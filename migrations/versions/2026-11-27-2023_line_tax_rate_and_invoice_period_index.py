"""The tax rate each order line was priced with, and an index for idempotent billing runs.

Revision ID: eb61ff7b0d23
Revises: 05ae353c98a3
Create Date: 2026-11-27 20:23:21.140618
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "eb61ff7b0d23"
down_revision: str | None = "05ae353c98a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_order_period", ["order_id", "start_date", "status"], unique=False
        )

    with op.batch_alter_table("order_products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "tax_rate",
                sa.Integer(),
                server_default="0",
                nullable=False,
                comment="0.01 %, as priced",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("order_products", schema=None) as batch_op:
        batch_op.drop_column("tax_rate")

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_order_period")
