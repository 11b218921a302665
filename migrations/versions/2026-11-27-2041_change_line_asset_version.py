"""The subscription version a change line was priced against (activation requires it).

Revision ID: 91ec116c6054
Revises: 7c41d0a2b9e3
Create Date: 2026-11-27 20:39:43.039790
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "91ec116c6054"
down_revision: str | None = "7c41d0a2b9e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "asset_version",
                sa.Integer(),
                nullable=True,
                comment="the version a change line was priced against; activation requires it current",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("order_products", schema=None) as batch_op:
        batch_op.drop_column("asset_version")
