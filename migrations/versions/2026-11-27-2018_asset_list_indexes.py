"""Indexes for GET /subscriptions, /assets and /entitlements: one per sort key, each led by
customer_id and asset_type and limited to current versions.

Revision ID: 05ae353c98a3
Revises: 5e2488d31bae
Create Date: 2026-11-27 20:18:44.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "05ae353c98a3"
down_revision: str | None = "5e2488d31bae"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assets_current_customer_number",
            ["customer_id", "asset_type", "asset_number", "id"],
            unique=False,
            postgresql_where=sa.text("is_current"),
            sqlite_where=sa.text("is_current"),
        )
    # Undated assets must sort lowest on both engines, which PostgreSQL only serves from an
    # index declared NULLS FIRST (SQLite puts NULL first anyway).
    for column in ("start_date", "end_date"):
        name = f"ix_assets_current_customer_{column.split('_')[0]}"
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE INDEX {name} ON assets "
                f"(customer_id, asset_type, {column} NULLS FIRST, id) WHERE is_current"
            )
        else:
            op.create_index(
                f"{name}_sqlite",
                "assets",
                ["customer_id", "asset_type", column, "id"],
                sqlite_where=sa.text("is_current"),
            )


def downgrade() -> None:
    for name in ("ix_assets_current_customer_end", "ix_assets_current_customer_start"):
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"DROP INDEX IF EXISTS {name}_sqlite")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_assets_current_customer_number",
            postgresql_where=sa.text("is_current"),
            sqlite_where=sa.text("is_current"),
        )
