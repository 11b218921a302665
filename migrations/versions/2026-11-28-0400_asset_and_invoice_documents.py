"""Asset and invoice documents: the wire JSON of each asset version and each invoice (without
its day-dependent ``isOverdue``), as an order's includes show them.

Like the orders' documents (migration 8d2b6e4f1a07): built once by ``orders.documents`` and
copied by reads; a trigger clears a row's document whenever the row changes (neither shows
child rows), and a read builds a row without one from its columns.

Revision ID: 4b7e9a1c3d52
Revises: 8d2b6e4f1a07
Create Date: 2026-11-28 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b7e9a1c3d52"
down_revision: str | None = "8d2b6e4f1a07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The orders' function fits any row with a document: an UPDATE that leaves the document as it
# was changed something else.
_TABLES = {
    "assets": "wire JSON of the asset version; NULL until built or after a change",
    "invoices": "wire JSON of the invoice without isOverdue; NULL until built or after a change",
}
_PG_TRIGGER = (
    "CREATE TRIGGER {0}_document_stale BEFORE UPDATE ON {0} "
    "FOR EACH ROW EXECUTE FUNCTION orders_document_stale()"
)
_SQLITE_TRIGGER = """
CREATE TRIGGER {0}_document_stale AFTER UPDATE ON {0}
WHEN NEW.document IS OLD.document AND NEW.document IS NOT NULL
BEGIN
    UPDATE {0} SET document = NULL WHERE id = NEW.id;
END
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, comment in _TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("document", sa.LargeBinary(), nullable=True, comment=comment)
            )
            batch_op.create_index(
                f"ix_{table}_document_pending",
                ["id"],
                unique=False,
                postgresql_where=sa.text("document IS NULL"),
                sqlite_where=sa.text("document IS NULL"),
            )
        op.execute((_PG_TRIGGER if postgres else _SQLITE_TRIGGER).format(table))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in _TABLES:
        op.execute(f"DROP TRIGGER {table}_document_stale" + (f" ON {table}" if postgres else ""))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_document_pending")
            batch_op.drop_column("document")
