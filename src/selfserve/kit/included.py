"""An include of a page of parents (an order's assets or invoices) read as stored documents
joined in SQL, one row per parent.

Reading an include row by row cost more than anything else on a page: a page of 50 orders
carries a few hundred include rows, each decoded by the driver and grouped in Python. Joined
in the database, each parent's include arrives as one value, the exact bytes of its JSON
array's contents. A row whose document is not built yet (after a write, until the builder
catches up; ``orders.documents``) cannot be joined, so a parent with one among its kept rows
comes row by row instead, with the columns to build it from, in the same statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from selfserve.db import Row, Sql

Joined = dict[str, tuple[bytes, bool]]
"""Each parent's include: its first ``cap`` documents joined by commas, and whether there
were more. A parent without any is absent."""

# Each parent's rows in order, every row seeing all of them (an aggregate over the whole
# partition, taken in ``n`` order).
_WHOLE_PARTITION = (
    "PARTITION BY parent_id ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
)


def per_parent(sql: Sql, rows: str, cap: int) -> str:
    """``rows``, a query of ``(parent_id, n, document, packed)`` where ``n`` numbers each
    parent's rows from 1 in the include's order, at most ``cap + 1`` of them and ``packed``
    holds a row's columns where ``document`` is NULL, as ``(parent_id, kept, documents,
    packed, missing)`` for :func:`joined`.

    On PostgreSQL, a parent whose first ``cap`` rows all have documents is one row with them
    joined (``missing`` 0, ``kept`` its row count); any other parent comes row by row, in
    order. SQLite sends every parent row by row (``kept`` is then ``n``): its window
    functions cost more than the rows they would save, as it reads them in-process anyway.
    """
    if sql.dialect != "postgresql":
        return f"SELECT parent_id, n, document, packed, 1 FROM ({rows}) r ORDER BY parent_id, n"
    kept = f"r.n <= {sql.p(cap)}"
    return (
        "SELECT parent_id, kept, CASE WHEN missing = 0 THEN joined ELSE document END, packed, "
        "missing FROM (SELECT r.parent_id, r.n, r.document, r.packed, count(*) OVER w AS kept, "
        f"count(CASE WHEN {kept} AND r.document IS NULL THEN 1 END) OVER w AS missing, "
        f"string_agg(CASE WHEN {kept} THEN r.document END, ','::bytea) OVER w AS joined "
        f"FROM ({rows}) r WINDOW w AS ({_WHOLE_PARTITION})) x "
        "WHERE n = 1 OR missing > 0 ORDER BY parent_id, n"
    )


def joined(rows: Iterable[Row], cap: int, build: Callable[[str, Any], bytes]) -> Joined:
    """Each parent's include from the rows of :func:`per_parent`; ``build(parent_id,
    packed)`` gives the document of a row that has none. Row by row, a parent's last row
    (the highest ``kept``) tells whether it was cut."""
    out: Joined = {}
    pending: dict[str, list[bytes]] = {}
    for parent_id, kept, documents, packed, missing in rows:
        if not missing:
            out[parent_id] = (documents, kept > cap)
            continue
        built = pending.setdefault(parent_id, [])
        if len(built) < cap:
            built.append(build(parent_id, packed) if documents is None else documents)
        out[parent_id] = (b"", kept > cap)
    for parent_id, built in pending.items():
        out[parent_id] = (b",".join(built), out[parent_id][1])
    return out
