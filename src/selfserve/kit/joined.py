"""Stored documents joined per key by the database, for both engines (``orders.included``)."""

from __future__ import annotations

from collections.abc import Sequence

from selfserve.db import Sql


def joined_per_key(sql: Sql, numbered: str, width: int, cap: str) -> str:
    """Documents joined per key, with the columns to build the missing ones.

    ``numbered`` is a statement of ``group_key, document, n, c0 ... c<width - 1>``: a key's
    rows numbered 1, 2, ... in the order wanted, each with its document (NULL when it has
    none yet) and the columns it is built from. The result is a row per key, ``(group_key,
    documents, more, missing, c0 ...)``: ``documents`` joins the documents of the first
    ``cap`` rows with commas, ``more`` says whether the key has more rows, and ``missing``
    counts the first ``cap`` rows that have no document. Only a key with missing documents
    also gets its other rows up to ``cap``, and only those rows carry their columns, so the
    caller can build it from them in the same statement. ``cap`` is a placeholder. Both
    engines join in the window's order (SQLite's ``group_concat`` takes an ORDER BY only
    as a window function)."""
    window = (
        "(PARTITION BY group_key ORDER BY n "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )
    documents = sql.joined(f"CASE WHEN n <= {cap} THEN document END", window)
    columns = ", ".join(f"CASE WHEN missing > 0 THEN c{i} END" for i in range(width))
    return (
        f"SELECT group_key, documents, more, missing, {columns} FROM (SELECT *, "
        f"{documents} AS documents, max(n) OVER {window} > {cap} AS more, "
        f"sum(CASE WHEN n <= {cap} AND document IS NULL THEN 1 ELSE 0 END) OVER {window} "
        f"AS missing FROM ({numbered}) x WHERE n <= {cap} + 1) y "
        f"WHERE n = 1 OR (missing > 0 AND n <= {cap}) ORDER BY group_key, n"
    )


def numbered_columns(columns: Sequence[str]) -> str:
    """``columns`` (select-list items, ``AS`` names dropped) named c0, c1, ... for
    ``joined_per_key``."""
    return ", ".join(f"{c.partition(' AS ')[0]} AS c{i}" for i, c in enumerate(columns))
