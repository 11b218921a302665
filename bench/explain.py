"""Query plans of the recorded statements (T14: the single-customer page needs no Sort).

PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)`` of every statement with its recorded parameters
(the custom plan), and of the page statement once more as a prepared statement under
``plan_cache_mode = force_generic_plan`` (asyncpg prepares every statement, and after five
executions PostgreSQL may switch to the generic plan). SQLite:
``EXPLAIN QUERY PLAN``, where a sort shows up as ``USE TEMP B-TREE FOR ORDER BY``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.capture import Statement
from bench.common import run_async
from selfserve.db import sqlite_path

_PG_SORT = re.compile(r"^\s*(->\s*)?(Incremental )?Sort\b", re.MULTILINE)
# What a request of the benchmark runs once its orders' documents are built (orders.documents):
# the key, the page, one statement per include; the lines come inside the documents.
NAMES = ("api key", "page", "assets", "invoices")


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    mode: str  # "custom" | "generic" | "sqlite"
    text: str
    has_sort: bool
    execution_ms: float | None


def _name(index: int) -> str:
    return NAMES[index] if index < len(NAMES) else f"statement {index + 1}"


def _ms(text: str) -> float | None:
    match = re.search(r"Execution Time: ([0-9.]+) ms", text)
    return float(match[1]) if match else None


def _literal(value: Any) -> str:
    """A SQL literal for EXECUTE (text, numbers and arrays of text are all this needs)."""
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, bool | int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def _explain(conn: Any, sql: str, params: list[Any]) -> str:
    rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *params)
    return "\n".join(r[0] for r in rows)


async def _generic(conn: Any, sql: str, params: list[Any]) -> str:
    """The plan PostgreSQL uses for a prepared statement once it settles on a generic one."""
    await conn.execute(f"PREPARE bench_page AS {sql}")
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        args = ", ".join(_literal(p) for p in params)
        return await _explain(conn, f"EXECUTE bench_page({args})", [])
    finally:
        await conn.execute("RESET plan_cache_mode")
        await conn.execute("DEALLOCATE bench_page")


async def _pg_plans(url: str, statements: list[Statement]) -> list[Plan]:
    conn = await asyncpg.connect(url)
    plans = []
    try:
        for index, (sql, params) in enumerate(statements):
            text = await _explain(conn, sql, params)
            plans.append(Plan(_name(index), "custom", text, _pg_sort(text), _ms(text)))
        sql, params = statements[1]
        text = await _generic(conn, sql, params)
        plans.append(Plan(_name(1), "generic", text, _pg_sort(text), _ms(text)))
    finally:
        await conn.close()
    return plans


def _pg_sort(text: str) -> bool:
    return bool(_PG_SORT.search(text))


def _sqlite_plans(url: str, statements: list[Statement]) -> list[Plan]:
    raw = sqlite3.connect(sqlite_path(url))
    plans = []
    try:
        for index, (sql, params) in enumerate(statements):
            rows: list[Any] = raw.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            text = "\n".join(f"{r[0]:>3} {r[1]:>3} {r[3]}" for r in rows)
            has_sort = "USE TEMP B-TREE FOR ORDER BY" in text
            plans.append(Plan(_name(index), "sqlite", text, has_sort, None))
    finally:
        raw.close()
    return plans


def plans(engine: str, url: str, statements: list[Statement]) -> list[Plan]:
    if engine == "pg":
        return run_async(_pg_plans(url, statements))
    return _sqlite_plans(url, statements)
