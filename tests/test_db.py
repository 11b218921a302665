"""The database layer speaks the same SQL on both engines."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from selfserve.db import Conn
from tests.fixtures import builders


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


def test_packed_columns_unpack_as_the_columns_themselves(conn: Conn, run: asyncio.Runner) -> None:
    tenant_id = run.run(builders.tenant(conn))
    customer_id = run.run(builders.customer(conn, tenant_id))
    order_id = run.run(builders.order(conn, tenant_id, customer_id))
    product_id = run.run(builders.product(conn, tenant_id))
    asset_id = run.run(
        builders.asset(
            conn,
            tenant_id,
            customer_id,
            order_id,
            product_id,
            product_name='Ünïcode "quoted" ☃',
            total_price=9_007_199_254_740_993,  # beyond a double's exact integers
            end_date=None,
            auto_renew=False,
        )
    )
    columns = [
        "id", "product_name", "total_price", "start_date", "end_date", "auto_renew",
        "created_at", "quantity",
    ]  # fmt: skip
    sql = conn.sql()
    where = f"WHERE id = {sql.p(asset_id)}"
    row = run.run(
        conn.fetchrow(
            f"SELECT {', '.join(columns)}, {sql.packed(columns)} FROM assets {where}", sql.params
        )
    )
    assert row is not None
    unpacked = conn.unpack(row[len(columns)])
    assert list(unpacked) == list(row[: len(columns)])
    assert list(unpacked[1:3]) == ['Ünïcode "quoted" ☃', 9_007_199_254_740_993]


def test_packed_columns_are_null_where_the_unless_column_is_set(
    conn: Conn, run: asyncio.Runner
) -> None:
    tenant_id = run.run(builders.tenant(conn))
    customer_id = run.run(builders.customer(conn, tenant_id))
    order_id = run.run(builders.order(conn, tenant_id, customer_id))
    product_id = run.run(builders.product(conn, tenant_id))
    asset_id = run.run(
        builders.asset(conn, tenant_id, customer_id, order_id, product_id, end_date=None)
    )
    sql = conn.sql()
    set_, unset = sql.packed(["quantity"], unless="id"), sql.packed(["quantity"], unless="end_date")
    row = run.run(
        conn.fetchrow(
            f"SELECT {set_}, {unset} FROM assets WHERE id = {sql.p(asset_id)}", sql.params
        )
    )
    assert row is not None
    assert row[0] is None
    assert list(conn.unpack(row[1])) == [1]


def test_sort_values_read_back_exactly_and_order_as_the_timestamps(
    conn: Conn, run: asyncio.Runner
) -> None:
    instants = [
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2025, 3, 1, 12, 30, 0, 1, tzinfo=UTC),
        datetime(2025, 3, 1, 12, 30, 0, 2, tzinfo=UTC),
        datetime(2199, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ]
    sql = conn.sql()
    cast = "" if conn.dialect == "sqlite" else "::timestamptz"
    values = " UNION ALL ".join(f"SELECT {sql.p(t)}{cast} AS at" for t in instants)
    rows = run.run(
        conn.fetch(f"SELECT {sql.sort_value('at', 'timestamp')} FROM ({values}) v", sql.params)
    )
    read = [r[0] for r in rows]
    assert [conn.sort_ts(v) for v in read] == instants
    assert sorted(read) == read  # the values order as the instants they stand for
