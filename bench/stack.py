"""The stack floor: the HTTP floor and the DB floor in one server, with no application.

A bare ASGI app, served by granian exactly like ``selfserve serve`` (2 workers), that answers
each HTTP request by running one recorded request's statements (``bench.capture``: API key
lookup, page, assets, invoices) through the app's driver, opened as the app opens it, and then
sending a fixed body of the endpoint's size. It does nothing an application does (no routing,
authentication, validation or assembly), so it is the most a server on this stack can do on
this machine with wrk and the database on the same cores. The endpoint's server CPU beyond
this floor's is the application's own work under load.

With ``--framework`` the same work is a Litestar route (``framework``): Litestar's routing,
handler call and response, as the API's own routes use them, with nothing of the API around
them. Its server CPU beyond the stack floor's is what the prescribed framework costs by itself.

``python -m bench.stack --port P --url URL --statements FILE --body-bytes N [--framework]``
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
from pathlib import Path
from typing import Any

from litestar import Litestar, Response, get
from litestar.enums import MediaType

from bench.hello import serve
from selfserve.db import PostgresDatabase, open_sqlite, sqlite_path

_ENV = ("BENCH_STACK_URL", "BENCH_STACK_STATEMENTS", "BENCH_STACK_BODY")


class StackFloor:
    """The ASGI app; its settings come from the environment, as granian's workers import it."""

    def __init__(self) -> None:
        url, statements, size = (os.environ.get(name, "") for name in _ENV)
        self.url = url
        self.requests: list[list[tuple[str, list[Any]]]] = (
            json.loads(Path(statements).read_text()) if statements else []
        )
        body = self.body_bytes = b"[" + b" " * max(int(size or 2) - 2, 0) + b"]"
        self.start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        self.body = {"type": "http.response.body", "body": body}
        self.picker = itertools.count(os.getpid())  # workers start at different customers
        self.db: PostgresDatabase | None = None
        self.pool: Any = None
        self.raw: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.run_statements()
        await send(self.start)
        await send(self.body)

    async def run_statements(self) -> None:
        """One recorded request's statements, the next request's in turn."""
        statements = self.requests[next(self.picker) % len(self.requests)]
        if self.pool is not None:
            async with self.pool.acquire() as conn:
                for sql, params in statements:
                    await conn.fetch(sql, *params)
        else:
            for sql, params in statements:
                self.raw.execute(sql, params).fetchall()

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        if self.db is not None:
            await self.db.close()
        if self.raw is not None:
            self.raw.close()

    async def open(self) -> None:
        """The driver as the app opens it: its asyncpg pool (2-10) or one read-only sqlite3
        connection; and the collector as ``selfserve.asgi`` sets it."""
        if self.url.startswith("postgresql"):
            self.db = PostgresDatabase(self.url, 2, 10)  # no reset statement on release
            await self.db.connect()
            self.pool = self.db.pool
        else:
            self.raw = open_sqlite(sqlite_path(self.url), cache_mb=64, read_only=True)
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, 10, 10)


def _framework() -> Litestar:
    """The stack floor's work as one Litestar route answering every GET path."""
    floor = StackFloor()
    body = floor.body_bytes

    @get(["/", "/{path:path}"], media_type=MediaType.JSON)
    async def answer() -> Response[bytes]:
        await floor.run_statements()
        return Response(body, media_type=MediaType.JSON)

    return Litestar(
        route_handlers=[answer],
        on_startup=[floor.open],
        on_shutdown=[floor.close],
        openapi_config=None,
    )


def __getattr__(name: str) -> Any:
    """The app a granian worker imports (``app`` or ``framework``), built when first asked
    for, so a worker loads the recorded statements once."""
    builders = {"app": StackFloor, "framework": _framework}
    if name not in builders:
        raise AttributeError(name)
    value = globals()[name] = builders[name]()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", required=True)
    parser.add_argument("--statements", required=True)
    parser.add_argument("--body-bytes", type=int, required=True)
    parser.add_argument("--framework", action="store_true", help="serve it as a Litestar route")
    args = parser.parse_args()
    for name, value in zip(_ENV, (args.url, args.statements, str(args.body_bytes)), strict=True):
        os.environ[name] = value  # the workers import this module again and read them
    target = "bench.stack:framework" if args.framework else "bench.stack:app"
    serve(target, args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
