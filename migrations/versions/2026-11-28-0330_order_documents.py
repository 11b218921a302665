"""Order documents: each order's wire JSON without its per-request parts, kept beside it.

A read of GET /orders spends most of its time turning the order's and its lines' columns into
JSON. ``orders.document`` holds those bytes, built once by ``orders.documents`` (in the
background, and by ``selfserve documents build``); a read then copies them and adds only
what depends on the caller and the day (lifecycle, actions, includes).

Triggers rather than the writers clear a document, so that no write path (nor an operator's
UPDATE) can leave a stale one behind: any change to the order's row, and any insert, update
or delete of one of its lines. A read serves an order without a document from its columns,
so a cleared document costs speed, never correctness.

PostgreSQL stores the documents uncompressed in the row (up to about 8 KB): compressing them
would make every read decompress them.

Revision ID: 8d2b6e4f1a07
Revises: 5e1f7a3c2d48
Create Date: 2026-11-28 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2b6e4f1a07"
down_revision: str | None = "5e1f7a3c2d48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An UPDATE that leaves the document as it was changed something else: the document is stale.
# (The builder's own UPDATE sets a new document, and so keeps it.)
_PG_ORDER_STALE = """
CREATE FUNCTION orders_document_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.document IS NOT DISTINCT FROM OLD.document THEN
        NEW.document := NULL;
    END IF;
    RETURN NEW;
END $$
"""
# Statement-level with transition tables: a bulk load of lines clears each order once. The
# UPDATE locks every touched order, also one whose document is already NULL, so a builder
# that locked the order first (orders.documents) commits before it and is then undone.
_PG_LINES_STALE = """
CREATE FUNCTION order_products_document_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE orders SET document = NULL WHERE id IN (SELECT DISTINCT order_id FROM old_lines);
    ELSE
        UPDATE orders SET document = NULL WHERE id IN (SELECT DISTINCT order_id FROM new_lines);
    END IF;
    RETURN NULL;
END $$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER orders_document_stale BEFORE UPDATE ON orders "
    "FOR EACH ROW EXECUTE FUNCTION orders_document_stale()",
    "CREATE TRIGGER order_products_inserted_document AFTER INSERT ON order_products "
    "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT "
    "EXECUTE FUNCTION order_products_document_stale()",
    "CREATE TRIGGER order_products_updated_document AFTER UPDATE ON order_products "
    "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT "
    "EXECUTE FUNCTION order_products_document_stale()",
    "CREATE TRIGGER order_products_deleted_document AFTER DELETE ON order_products "
    "REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT "
    "EXECUTE FUNCTION order_products_document_stale()",
    "ALTER TABLE orders ALTER COLUMN document SET STORAGE EXTERNAL",
    "ALTER TABLE orders SET (toast_tuple_target = 8160)",
)

# SQLite has one writer at a time, and the builder reads and writes in one write transaction:
# clearing the document is all it takes.
_SQLITE_TRIGGERS = (
    """
CREATE TRIGGER orders_document_stale AFTER UPDATE ON orders
WHEN NEW.document IS OLD.document AND NEW.document IS NOT NULL
BEGIN
    UPDATE orders SET document = NULL WHERE id = NEW.id;
END
""",
    """
CREATE TRIGGER order_products_inserted_document AFTER INSERT ON order_products
BEGIN
    UPDATE orders SET document = NULL WHERE id = NEW.order_id AND document IS NOT NULL;
END
""",
    """
CREATE TRIGGER order_products_updated_document AFTER UPDATE ON order_products
BEGIN
    UPDATE orders SET document = NULL
    WHERE id IN (NEW.order_id, OLD.order_id) AND document IS NOT NULL;
END
""",
    """
CREATE TRIGGER order_products_deleted_document AFTER DELETE ON order_products
BEGIN
    UPDATE orders SET document = NULL WHERE id = OLD.order_id AND document IS NOT NULL;
END
""",
)
_TRIGGER_NAMES = (
    "orders_document_stale",
    "order_products_inserted_document",
    "order_products_updated_document",
    "order_products_deleted_document",
)


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "document",
                sa.LargeBinary(),
                nullable=True,
                comment="wire JSON of the order and its lines; NULL until built or after a change",
            )
        )
        batch_op.create_index(
            "ix_orders_document_pending",
            ["id"],
            unique=False,
            postgresql_where=sa.text("document IS NULL"),
            sqlite_where=sa.text("document IS NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in (_PG_ORDER_STALE, _PG_LINES_STALE, *_PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER orders_document_stale ON orders")
        for name in _TRIGGER_NAMES[1:]:
            op.execute(f"DROP TRIGGER {name} ON order_products")
        op.execute("DROP FUNCTION order_products_document_stale()")
        op.execute("DROP FUNCTION orders_document_stale()")
        op.execute("ALTER TABLE orders RESET (toast_tuple_target)")
    else:
        for name in _TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_document_pending")
        batch_op.drop_column("document")
