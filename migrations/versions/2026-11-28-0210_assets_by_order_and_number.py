"""Assets indexed by order and asset number.

The assets include lists an order's assets by number, and an order whose cancellation is
pending names its first subscription by number as the target of ``uncancel``; with the
number in the index both read in index order instead of sorting.

Also brings the comment on ``change_events.entity_type`` up to date (PostgreSQL keeps
column comments; SQLite has none).

Revision ID: 3c5e2a7d9b10
Revises: 9fa485241b5c
Create Date: 2026-11-28 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c5e2a7d9b10"
down_revision: str | None = "9fa485241b5c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index("ix_assets_order_number", ["order_id", "asset_number"], unique=False)
        batch_op.drop_index("ix_assets_order_id")
    _entity_type_comment("order | asset | invoice | customer")


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index("ix_assets_order_id", ["order_id"], unique=False)
        batch_op.drop_index("ix_assets_order_number")
    _entity_type_comment("order | asset | invoice")


def _entity_type_comment(comment: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "change_events",
            "entity_type",
            comment=comment,
            existing_type=sa.String(16),
            existing_nullable=False,
        )
