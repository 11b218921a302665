"""Order revisions for snapshot paging: a per-tenant order clock, each order's revisions and
the sort values it had before each change, all kept by triggers on ``orders``.

A walk through GET /orders pins the tenant's clock at its first page and places every order
by the sort values it had then (docs/api.md, "Pagination"). Triggers rather than the writers
keep the revisions, so no write path (nor an operator's UPDATE) can forget one.

PostgreSQL takes the clock in a deferred trigger, when the writing transaction commits:
clock order is then commit order (the clock's row lock is the last lock a writer takes, so
it cannot deadlock with the writer's other locks), and a reader that sees revision P has
seen every write up to P. SQLite has one writer at a time and takes it on the spot.

Existing orders get revision 0, older than any walk.

Revision ID: 9fa485241b5c
Revises: 7b750917787e
Create Date: 2026-11-27 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import selfserve.models.base

revision: str = "9fa485241b5c"
down_revision: str | None = "7b750917787e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The triggers name the columns of the mutable sort keys (orders.query.SORT_KEYS); a new
# mutable sort key needs them and order_sort_history extended (tests/orders/test_walks.py).
_PG_NOTE = """
CREATE FUNCTION orders_note_sort_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
       AND NEW.order_placed_date IS NOT DISTINCT FROM OLD.order_placed_date
       AND NEW.total_amount IS NOT DISTINCT FROM OLD.total_amount THEN
        RETURN NEW;
    END IF;
    -- A NULL revision was already changed by this transaction: one entry per transaction.
    IF OLD.revision IS NOT NULL THEN
        INSERT INTO order_sort_history (order_id, tenant_id, customer_id, valid_from,
            updated_at, order_placed_date, total_amount)
        VALUES (OLD.id, OLD.tenant_id, OLD.customer_id, OLD.revision,
            OLD.updated_at, OLD.order_placed_date, OLD.total_amount);
        NEW.revision := NULL;
    END IF;
    RETURN NEW;
END $$
"""
_PG_STAMP = """
CREATE FUNCTION orders_stamp_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stamp bigint;
BEGIN
    PERFORM 1 FROM orders WHERE id = NEW.id AND revision IS NULL;
    IF NOT FOUND THEN  -- an earlier event of this transaction stamped the order already
        RETURN NULL;
    END IF;
    INSERT INTO order_clocks (tenant_id, revision) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET revision = order_clocks.revision + 1
    RETURNING revision INTO stamp;
    UPDATE orders SET revision = stamp, created_revision = COALESCE(created_revision, stamp)
    WHERE id = NEW.id;
    UPDATE order_sort_history SET valid_to = stamp WHERE order_id = NEW.id AND valid_to IS NULL;
    RETURN NULL;
END $$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER orders_note_sort_change BEFORE UPDATE ON orders "
    "FOR EACH ROW EXECUTE FUNCTION orders_note_sort_change()",
    # WHEN is evaluated at once, so rows that need no stamp queue nothing for the commit.
    "CREATE CONSTRAINT TRIGGER orders_stamp_revision AFTER INSERT OR UPDATE ON orders "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.revision IS NULL) "
    "EXECUTE FUNCTION orders_stamp_revision()",
)

_SQLITE_TICK = (
    "INSERT INTO order_clocks (tenant_id, revision) VALUES (NEW.tenant_id, 1) "
    "ON CONFLICT (tenant_id) DO UPDATE SET revision = revision + 1;"
)
_SQLITE_NOW = "(SELECT revision FROM order_clocks WHERE tenant_id = NEW.tenant_id)"
_SQLITE_TRIGGERS = (
    f"""
CREATE TRIGGER orders_stamp_created AFTER INSERT ON orders WHEN NEW.revision IS NULL
BEGIN
    {_SQLITE_TICK}
    UPDATE orders SET revision = {_SQLITE_NOW}, created_revision = {_SQLITE_NOW}
    WHERE id = NEW.id;
END
""",
    f"""
CREATE TRIGGER orders_note_sort_change
AFTER UPDATE OF updated_at, order_placed_date, total_amount ON orders
WHEN NEW.updated_at IS NOT OLD.updated_at
  OR NEW.order_placed_date IS NOT OLD.order_placed_date
  OR NEW.total_amount IS NOT OLD.total_amount
BEGIN
    {_SQLITE_TICK}
    INSERT INTO order_sort_history (order_id, tenant_id, customer_id, valid_from, valid_to,
        updated_at, order_placed_date, total_amount)
    VALUES (OLD.id, OLD.tenant_id, OLD.customer_id, OLD.revision, {_SQLITE_NOW},
        OLD.updated_at, OLD.order_placed_date, OLD.total_amount);
    UPDATE orders SET revision = {_SQLITE_NOW} WHERE id = NEW.id;
END
""",
)


def upgrade() -> None:
    guid = selfserve.models.base.GUID(length=36)
    op.create_table(
        "order_clocks",
        sa.Column("tenant_id", guid, nullable=False),
        sa.Column(
            "revision",
            sa.BigInteger(),
            nullable=False,
            comment="the tenant's latest order revision",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_order_clocks_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_order_clocks")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "created_revision",
                sa.BigInteger(),
                nullable=True,
                comment="order clock at creation",
            )
        )
        batch_op.add_column(
            sa.Column(
                "revision",
                sa.BigInteger(),
                nullable=True,
                comment="order clock at the last sort change",
            )
        )
    op.execute("UPDATE orders SET created_revision = 0, revision = 0")
    op.create_table(
        "order_sort_history",
        sa.Column("order_id", guid, nullable=False),
        sa.Column("tenant_id", guid, nullable=False),
        sa.Column("customer_id", guid, nullable=False),
        sa.Column(
            "valid_from", sa.BigInteger(), nullable=False, comment="revision these values began"
        ),
        sa.Column(
            "valid_to", sa.BigInteger(), nullable=True, comment="revision that replaced them"
        ),
        sa.Column("updated_at", selfserve.models.base.UTCTimestamp(length=27), nullable=False),
        sa.Column(
            "order_placed_date", selfserve.models.base.CalendarDate(length=10), nullable=True
        ),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_sort_history_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", "valid_from", name=op.f("pk_order_sort_history")),
    )
    op.create_index(
        "ix_order_sort_history_customer_replaced",
        "order_sort_history",
        ["customer_id", "valid_to"],
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in (_PG_NOTE, _PG_STAMP, *_PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER orders_stamp_revision ON orders")
        op.execute("DROP TRIGGER orders_note_sort_change ON orders")
        op.execute("DROP FUNCTION orders_stamp_revision()")
        op.execute("DROP FUNCTION orders_note_sort_change()")
    else:
        op.execute("DROP TRIGGER orders_note_sort_change")
        op.execute("DROP TRIGGER orders_stamp_created")
    op.drop_index("ix_order_sort_history_customer_replaced", table_name="order_sort_history")
    op.drop_table("order_sort_history")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("revision")
        batch_op.drop_column("created_revision")
    op.drop_table("order_clocks")
