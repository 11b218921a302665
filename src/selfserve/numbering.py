"""Per-tenant human numbers: ``O-00000001``, ``SUB-…``, ``AST-…``, ``ENT-…``, ``INV-…``.

A number is taken inside the writing transaction with one ``UPDATE … RETURNING``: on
PostgreSQL the row lock makes concurrent writers queue for the counter (and a rolled-back
transaction gives its number back), on SQLite there is only one writer at a time. Together with
the unique indexes on the number columns, two orders can never share a number.
"""

from __future__ import annotations

from typing import Literal

from selfserve.db import Conn

Kind = Literal["O", "SUB", "AST", "ENT", "INV"]
DIGITS = 8


def format_number(kind: Kind, value: int) -> str:
    return f"{kind}-{value:0{DIGITS}d}"


async def next_number(conn: Conn, tenant_id: str, kind: Kind) -> str:
    """Take the tenant's next ``kind`` number (inside the caller's transaction)."""
    sql = conn.sql()
    value = await conn.fetchval(
        "UPDATE number_sequences SET last_value = last_value + 1 "
        f"WHERE tenant_id = {sql.p(tenant_id)} AND kind = {sql.p(kind)} RETURNING last_value",
        sql.params,
    )
    if value is None:
        raise LookupError(f"tenant {tenant_id} has no {kind} sequence")
    return format_number(kind, int(value))
