"""In-process, sequential timings: the cost of authentication and of one page, step by step.

Authentication (``authenticate_api_key``, what the guard runs on every request) is timed four
ways so its database round trip can be told apart from its Python work:

* ``guard``: pool checkout + lookup + checks + release (a checkout of its own);
* ``service``: ``authenticate_api_key`` on a connection already held;
* ``sql``: the same lookup statement through the raw driver (the round trip alone);
* ``python``: ``authenticate_api_key`` against a stub connection that answers instantly.

A page is split into: the recorded statements replayed through the raw driver, the service
call (the same statements bar the key lookup, plus building the encoded response body), the
ETag hash of that body, and the whole request through the app's ASGI interface (guard,
service, ETag; no server, no socket).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.capture import CountingConn, Statement
from bench.common import APP_SETTINGS, run_async
from bench.cpuprofile import profile
from selfserve.app import create_app
from selfserve.auth import repository as auth_repository
from selfserve.auth.keys import parse_key
from selfserve.auth.service import authenticate_api_key
from selfserve.config import Settings
from selfserve.db import Conn, Database, PgConn, Row, SqliteConn, create_database
from selfserve.kit.clock import system_clock
from selfserve.kit.http import etag_of
from selfserve.orders import service
from selfserve.orders.query import from_query_string


@dataclass(frozen=True, slots=True)
class Timing:
    wall_us: float
    cpu_us: float
    runs: int


async def timed(call: Callable[[], Awaitable[Any]], n: int, budget_s: float = 3.0) -> Timing:
    """Mean wall and process-CPU microseconds of ``call``: ``n`` runs after ``n // 10`` warm-up
    runs, or fewer (at least 3) when the runs exceed ``budget_s`` seconds."""
    for _ in range(max(1, n // 10)):
        await call()
    cpu, wall = time.process_time(), time.perf_counter()
    deadline, runs = wall + budget_s, 0
    while runs < n and (runs < 3 or time.perf_counter() < deadline):
        await call()
        runs += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return Timing(wall * 1e6 / runs, cpu * 1e6 / runs, runs)


class StubConn(Conn):
    """Answers every fetch with one fixed row, instantly."""

    def __init__(self, like: Conn, row: Row) -> None:
        self.row = row
        self.decode_like(like)

    async def fetch(self, query: str, params: Sequence[Any] = ()) -> list[Row]:
        return [self.row]

    async def execute(self, query: str, params: Sequence[Any] = ()) -> None:
        return None

    async def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        return None


async def raw_fetch(conn: Conn, sql: str, params: Sequence[Any]) -> Any:
    """The statement through the bare driver, bypassing the Conn wrapper."""
    if isinstance(conn, PgConn):
        return await conn.raw.fetch(sql, *params)
    assert isinstance(conn, SqliteConn)
    return conn.raw.execute(sql, params).fetchall()


async def auth_cost(db: Database, key: str, n: int) -> dict[str, Timing]:
    material = parse_key(key)
    assert material is not None
    out: dict[str, Timing] = {}

    async def guard() -> None:
        async with db.read() as conn:
            await authenticate_api_key(conn, key)

    out["guard"] = await timed(guard, n)
    async with db.read() as conn:
        log: list[Statement] = []
        row = await auth_repository.key_with_tenant(CountingConn(conn, log), material.key_id)
        assert row is not None
        sql, params = log[0]
        stub = StubConn(conn, row)
        out["service"] = await timed(lambda: authenticate_api_key(conn, key), n)
        out["sql"] = await timed(lambda: raw_fetch(conn, sql, params), n)
        out["python"] = await timed(lambda: authenticate_api_key(stub, key), n)
    return out


async def page_cost(
    app: Any, db: Database, key: str, customer: str, limit: int, statements: list[Statement], n: int
) -> dict[str, Timing]:
    """One page of one customer, step by step (sequential, one connection)."""
    qs = f"customerIds=%5B%22{customer}%22%5D&includes=assets,invoices&limit={limit}"
    query = from_query_string(qs.encode())
    out: dict[str, Timing] = {}
    async with db.read() as conn:
        principal = await authenticate_api_key(conn, key)
        ctx = service.ReadContext(principal, system_clock(), 100, app.state.served_routes)

        async def replay() -> None:
            for sql, params in statements:
                await raw_fetch(conn, sql, params)

        out["statements"] = await timed(replay, n)
        out["service"] = await timed(lambda: service.list_orders_encoded(conn, ctx, query), n)
        body = await service.list_orders_encoded(conn, ctx, query)
        out["etag"] = await timed(_sync(lambda: etag_of(body)), n)
    out["asgi"] = await timed(_asgi_call(app, qs.encode(), key), n)
    return out


def _asgi_call(app: Any, query_string: bytes, key: str) -> Callable[[], Awaitable[None]]:
    """One full GET /orders through the app's ASGI interface, with no server or client."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/orders",
        "raw_path": b"/orders",
        "query_string": query_string,
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"nue-api-key", key.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"GET /orders answered {message['status']} in-process")

    async def call() -> None:
        await app(dict(scope, state={}), receive, send)

    return call


def _sync(fn: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    async def call() -> Any:
        return fn()

    return call


async def measure(
    url: str, key: str, customer: str, statements: dict[int, list[Statement]], n_auth: int
) -> dict[str, Any]:
    """Auth cost and per-limit page breakdown against the real database at ``url``."""
    db = create_database(url, pool_min=1, pool_max=2)
    app = create_app(Settings(database_url=url, **APP_SETTINGS), db=db)
    await db.connect()
    try:
        auth = await auth_cost(db, key, n_auth)
        pages = {
            limit: await page_cost(app, db, key, customer, limit, stmts, max(20, 4000 // limit))
            for limit, stmts in statements.items()
        }
        qs = f"customerIds=%5B%22{customer}%22%5D&includes=assets,invoices&limit=50"
        cpu = await profile(_asgi_call(app, qs.encode(), key))
    finally:
        await db.close()
    return {"auth": auth, "pages": pages, "profile": cpu}


def measure_sync(
    url: str, key: str, customer: str, statements: dict[int, list[Statement]], n_auth: int
) -> dict[str, Any]:
    return run_async(measure(url, key, customer, statements, n_auth))
