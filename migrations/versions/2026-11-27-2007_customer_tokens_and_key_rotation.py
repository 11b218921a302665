"""Customer tokens (revocations) and key rotation (an expiry on rotated keys).

Revision ID: 5e2488d31bae
Revises: 1e402d34c0e0
Create Date: 2026-11-27 20:07:27.493361
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import selfserve.models.base

revision: str = "5e2488d31bae"
down_revision: str | None = "1e402d34c0e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "token_revocations",
        sa.Column("id", selfserve.models.base.GUID(length=36), nullable=False),
        sa.Column("tenant_id", selfserve.models.base.GUID(length=36), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=True, comment="one token (its jti)"),
        sa.Column(
            "customer_id",
            selfserve.models.base.GUID(length=36),
            nullable=True,
            comment="every token bound to this customer and issued at or before revoked_at",
        ),
        sa.Column("revoked_at", selfserve.models.base.UTCTimestamp(length=27), nullable=False),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_token_revocations_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_token_revocations_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_revocations")),
    )
    with op.batch_alter_table("token_revocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_token_revocations_tenant_id_customer_id"),
            ["tenant_id", "customer_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_token_revocations_tenant_id_token_id"),
            ["tenant_id", "token_id"],
            unique=False,
        )

    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "expires_at",
                selfserve.models.base.UTCTimestamp(length=27),
                nullable=True,
                comment="Set when the key is rotated: it keeps working until then (the overlap)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("token_revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_token_revocations_tenant_id_token_id"))
        batch_op.drop_index(batch_op.f("ix_token_revocations_tenant_id_customer_id"))

    op.drop_table("token_revocations")
