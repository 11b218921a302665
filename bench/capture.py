"""The counting run: real GET /orders requests through the real app, in-process.

Every statement the request runs (the guard's API key lookup included) is recorded through a
counting wrapper around the app's :class:`Database`. The recorded statements, with their
parameters, are what the DB floor replays, so the floor runs exactly the endpoint's SQL.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from bench.common import APP_SETTINGS, INCLUDES, LIMITS, run_async
from selfserve.app import create_app
from selfserve.config import Settings
from selfserve.db import Conn, Database, Row, create_database

Statement = tuple[str, list[Any]]


class CountingConn(Conn):
    """A real connection that records each statement before running it."""

    def __init__(self, inner: Conn, log: list[Statement]) -> None:
        self.inner, self.log = inner, log
        self.decode_like(inner)

    async def fetch(self, query: str, params: Sequence[Any] = ()) -> list[Row]:
        self.log.append((query, list(params)))
        return await self.inner.fetch(query, params)

    async def execute(self, query: str, params: Sequence[Any] = ()) -> None:
        self.log.append((query, list(params)))
        await self.inner.execute(query, params)

    async def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        self.log.append((query, [list(r) for r in rows]))
        await self.inner.executemany(query, rows)


class CountingDatabase(Database):
    """The app's database with every connection it hands out wrapped in a CountingConn."""

    def __init__(self, inner: Database) -> None:
        self.inner, self.dialect = inner, inner.dialect
        self.log: list[Statement] = []

    async def connect(self) -> None:
        await self.inner.connect()

    async def close(self) -> None:
        await self.inner.close()

    def read(self) -> AbstractAsyncContextManager[Conn]:
        return self._wrap(self.inner.read())

    def write(self) -> AbstractAsyncContextManager[Conn]:
        return self._wrap(self.inner.write())

    @asynccontextmanager
    async def _wrap(self, cm: AbstractAsyncContextManager[Conn]) -> AsyncIterator[Conn]:
        async with cm as conn:
            yield CountingConn(conn, self.log)


def portable(value: Any) -> Any:
    """A JSON-able form of a bound parameter that the same driver accepts back."""
    if isinstance(value, list | tuple):
        return [portable(v) for v in value]
    if isinstance(value, datetime):
        raise TypeError("timestamp parameters are not expected on this request shape")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # asyncpg's UUID (accepted back as text by the uuid codec)


@dataclass(slots=True)
class Capture:
    """Per limit: each request's statements, the statement counts and the response sizes."""

    requests: dict[int, list[list[Statement]]] = field(default_factory=dict)
    counts: dict[int, Counter[int]] = field(default_factory=dict)
    body_bytes: dict[int, list[int]] = field(default_factory=dict)
    by_includes: dict[str, int] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)


def orders_path(customer: str, limit: int, includes: str = INCLUDES) -> str:
    query = f"customerIds=%5B%22{customer}%22%5D&limit={limit}"
    return f"/orders?{query}&includes={includes}" if includes else f"/orders?{query}"


async def _one(
    client: httpx.AsyncClient, db: CountingDatabase, path: str, key: str
) -> tuple[int, int, list[Statement]]:
    db.log.clear()
    response = await client.get(path, headers={"nue-api-key": key})
    statements = [(sql, portable(params)) for sql, params in db.log]
    return response.status_code, len(response.content), statements


async def capture(url: str, key: str, customers: list[str]) -> Capture:
    """Runs GET /orders for every customer at every benchmark limit; records everything."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db = CountingDatabase(create_database(url, pool_min=1, pool_max=2))
    app = create_app(Settings(database_url=url, **APP_SETTINGS), db=db)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    out = Capture()
    await db.connect()
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for limit in LIMITS:
                out.requests[limit], out.counts[limit], out.body_bytes[limit] = [], Counter(), []
                for customer in customers:
                    status, size, stmts = await _one(client, db, orders_path(customer, limit), key)
                    out.statuses[status] += 1
                    out.requests[limit].append(stmts)
                    out.counts[limit][len(stmts)] += 1
                    out.body_bytes[limit].append(size)
            for includes in ("", "assets", "invoices", INCLUDES, INCLUDES + ",history"):
                path = orders_path(customers[0], 50, includes)
                out.by_includes[includes or "(none)"] = len((await _one(client, db, path, key))[2])
    finally:
        await db.close()
    return out


def capture_sync(url: str, key: str, customers: list[str]) -> Capture:
    return run_async(capture(url, key, customers))
