"""Per-tenant counters behind the human numbers (O-, SUB-, AST-, ENT-, INV- + 8 digits).

A number is taken with ``UPDATE ... SET last_value = last_value + 1 RETURNING last_value``
inside the writing transaction: the row lock serialises concurrent writers on PostgreSQL and
SQLite has a single writer, so two transactions can never take the same number.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, PrimaryKeyConstraint, String, Table

from .base import GUID, metadata

number_sequences = Table(
    "number_sequences",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("kind", String(8), nullable=False, comment="O | SUB | AST | ENT | INV"),
    Column("last_value", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("tenant_id", "kind"),
)
