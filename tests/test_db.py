"""The database layer speaks the same SQL on both engines."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from selfserve.db import Conn


def test_sql_renders_values_per_dialect(conn: Conn, run: asyncio.Runner) -> None:
    sql = conn.sql()
    when = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    query = (
        f"SELECT {sql.p('x')}, {sql.p(date(2025, 1, 31))}, {sql.p(when)}"
        if conn.dialect == "sqlite"
        else f"SELECT {sql.p('x')}::text, {sql.p(date(2025, 1, 31))}::date, "
        f"{sql.p(when)}::timestamptz"
    )
    row = run.run(conn.fetchrow(query, sql.params))
    assert row is not None
    assert row[0] == "x"
    assert conn.to_date(row[1]) == date(2025, 1, 31)
    assert conn.to_ts(row[2]) == when


def test_in_list_matches_members_only(conn: Conn, run: asyncio.Runner) -> None:
    sql = conn.sql()
    query = (
        "SELECT count(*) FROM (SELECT 'a' AS v UNION ALL SELECT 'b' UNION ALL SELECT 'c') t "
        f"WHERE {sql.in_('v', ['a', 'c', 'z'], 'text')}"
    )
    assert run.run(conn.fetchval(query, sql.params)) == 2
