"""Per-tenant order clocks: the counter behind ``orders.revision`` and walk pins.

Database triggers advance a tenant's clock for every order created and every change of an
order's sort values, inside the writing transaction; a page of ``GET /orders`` reads it to
pin its walk (docs/api.md, "Pagination"). On PostgreSQL the clock is taken when the writing
transaction commits, so clock order is commit order; SQLite has a single writer.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, Table

from .base import GUID, metadata

order_clocks = Table(
    "order_clocks",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id"), primary_key=True),
    Column("revision", BigInteger, nullable=False, comment="the tenant's latest order revision"),
)
