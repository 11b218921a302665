"""/health against a PostgreSQL server that really goes away and comes back.

The app reaches PostgreSQL through a TCP relay the test controls: stopping the relay closes
every connection and refuses new ones, which is what a crashed or partitioned database looks
like to the app. The relay also counts the bytes the app sends, which shows that /health
answers from the background probe instead of querying on every call.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from litestar.testing import TestClient

from selfserve.app import create_app
from selfserve.config import Settings
from tests.fixtures.world import World


class Relay:
    """Forwards 127.0.0.1:<port> to the database server until stopped. It runs its own event
    loop in a thread, as the test client runs the app's in another."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.sent = 0  # bytes from the app to the database
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def start(self) -> None:
        self._call(self._start())

    def stop(self) -> None:
        self._call(self._stop())

    def close(self) -> None:
        if self._server is not None and self._server.is_serving():
            self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()
        await asyncio.sleep(0.05)  # the aborted transports close their sockets

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.upstream)
        self._writers.update((client_w, server_w))
        await asyncio.gather(
            self._pipe(client_r, server_w, count=True),
            self._pipe(server_r, client_w, count=False),
            return_exceptions=True,
        )

    async def _pipe(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, count: bool) -> None:
        try:
            while data := await r.read(65536):
                if count:
                    self.sent += len(data)
                w.write(data)
                await w.drain()
        finally:
            self._writers.discard(w)
            w.transport.abort()


def _status_within(client: TestClient[Any], status: int, seconds: float) -> float:
    """Seconds until /health answers ``status``; fails after ``seconds``."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if client.get("/health").status_code == status:
            return elapsed
        time.sleep(0.05)
    raise AssertionError(f"/health did not answer {status} within {seconds} s")


def test_health_follows_an_unreachable_database_within_two_seconds(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    relay.start()
    user = f"{parts.username}@" if parts.username else ""
    url = urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{relay.port}"))
    # No document builder: the relay's byte count is to measure the probe's traffic alone.
    settings = Settings(database_url=url, health_check_seconds=1.0, document_build_seconds=0)
    app = create_app(settings)
    try:
        with TestClient(app=app) as client:
            _status_within(client, 200, 3)

            before = relay.sent
            for _ in range(200):
                assert client.get("/health").status_code == 200
            # The probe sends about 100 bytes a second; a query per call would send 200 times that.
            assert relay.sent - before < 2_000

            relay.stop()
            assert _status_within(client, 503, 4) <= 2.5
            response = client.get("/health")
            assert response.json() == {"status": "degraded", "database": "unreachable"}
            assert response.headers["retry-after"] == "5"

            relay.start()  # on the same port: the database is back
            _status_within(client, 200, 4)
            assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    finally:
        relay.close()


def test_the_health_shortcut_answers_as_the_route_does(world: World) -> None:
    """A plain GET /health is answered before the framework; with a query string it goes
    through the route. Both give the same status, body and headers."""
    short, routed = world.api.get("/health"), world.api.get("/health?probe=1")
    assert short.status_code == routed.status_code == 200
    assert short.content == routed.content == b'{"status":"ok","database":"ok"}'
    volatile = {"x-request-id"}
    assert {k: v for k, v in short.headers.items() if k not in volatile} == {
        k: v for k, v in routed.headers.items() if k not in volatile
    }
    assert short.headers["x-request-id"] and short.headers["x-content-type-options"] == "nosniff"
