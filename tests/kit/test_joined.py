"""kit.joined on both engines: documents joined per key in the window's order, under the cap,
with the columns of a key that has a document missing."""

from __future__ import annotations

import asyncio
from typing import Any

from selfserve.db import Conn
from selfserve.kit.joined import joined_per_key

ROWS = [  # (key, document, n, c0), listed out of their order on purpose
    ("a", b'{"k":1}', 1, "a1"),
    ("b", b'{"k":4}', 2, "b2"),
    ("a", None, 2, "a2"),
    ("b", b'{"k":5}', 3, "b3"),
    ("b", b'{"k":3}', 1, "b1"),
    ("c", b'{"k":6}', 1, "c1"),
]


def _joined(conn: Conn, run: asyncio.Runner, cap: int) -> list[tuple[Any, ...]]:
    sql = conn.sql()
    integer = "::int" if conn.dialect == "postgresql" else ""
    numbered = " UNION ALL ".join(
        f"SELECT {sql.p(key)} AS group_key, "
        f"{'NULL' if doc is None else sql.bytes_p(doc)} AS document, "
        f"{sql.p(n)}{integer} AS n, {sql.p(c0)} AS c0"
        for key, doc, n, c0 in ROWS
    )
    statement = joined_per_key(sql, numbered, 1, sql.p(cap) + integer)
    rows = run.run(conn.fetch(statement, sql.params))
    return [
        (r[0], None if r[1] is None else bytes(r[1]), bool(r[2]), int(r[3]), r[4]) for r in rows
    ]


def test_documents_are_joined_per_key_in_order_under_the_cap(
    conn: Conn, run: asyncio.Runner
) -> None:
    assert _joined(conn, run, 2) == [
        # a's second row has no document: both its rows come with their columns
        ("a", b'{"k":1}', False, 1, "a1"),
        ("a", b'{"k":1}', False, 1, "a2"),
        ("b", b'{"k":3},{"k":4}', True, 0, None),  # a third row exists beyond the cap
        ("c", b'{"k":6}', False, 0, None),
    ]
    assert _joined(conn, run, 3)[2:] == [
        ("b", b'{"k":3},{"k":4},{"k":5}', False, 0, None),
        ("c", b'{"k":6}', False, 0, None),
    ]
