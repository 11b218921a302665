"""Operational endpoints: health for load balancers, metrics for Prometheus.

``/health`` reports what a background probe last saw instead of asking the database on
every call: load balancers poll it often, and on PostgreSQL each ask is a pool checkout and
a round trip. The probe checks every ``health_check_seconds``, bounded by the same timeout,
so an unreachable database turns ``/health`` into a 503 within about twice that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp

from selfserve.auth.scopes import METRICS_READ
from selfserve.db import Database
from selfserve.kit.ratelimit import metrics as rate_limit_metrics

# (status, body, headers) of the two answers; the shortcut sends them as raw ASGI headers.
_UP = (200, msgspec.json.encode({"status": "ok", "database": "ok"}), {"cache-control": "no-store"})
_DOWN = (
    503,
    msgspec.json.encode({"status": "degraded", "database": "unreachable"}),
    {"cache-control": "no-store", "retry-after": "5"},
)


def _raw(answer: tuple[int, bytes, dict[str, str]]) -> list[tuple[bytes, bytes]]:
    _, body, headers = answer
    extra = {"content-type": "application/json", "content-length": str(len(body))}
    return [(name.encode(), value.encode()) for name, value in (headers | extra).items()]


_RAW = {_UP[0]: _raw(_UP), _DOWN[0]: _raw(_DOWN)}


class DatabaseProbe:
    """Whether the database answered when last checked, and when that was."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._reachable = False
        self._checked = -math.inf  # time.monotonic() of the last answer

    async def check(self, db: Database) -> bool:
        """Ask the database now (a hung connection counts as unreachable)."""
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation
        # that arrives as the ping completes, and the probe would then outlive shutdown.
        try:
            async with asyncio.timeout(self.interval):
                reachable = await db.ping()
        except TimeoutError:
            reachable = False
        self._reachable, self._checked = reachable, time.monotonic()
        return reachable

    async def reachable(self, db: Database) -> bool:
        """The last answer while the probe keeps it fresh; otherwise (no probe running, as
        in an app served without its lifespan) a check now."""
        if time.monotonic() - self._checked <= 3 * self.interval:
            return self._reachable
        return await self.check(db)

    async def run(self, db: Database) -> None:
        """Check forever, every ``interval`` seconds (cancelled at shutdown)."""
        while True:
            with contextlib.suppress(Exception):  # a failed check is an answer, never a crash
                await self.check(db)
            await asyncio.sleep(self.interval)


async def _answer(state: State) -> tuple[int, bytes, dict[str, str]]:
    probe: DatabaseProbe = state.db_probe
    return _UP if await probe.reachable(state.db) else _DOWN


@get("/health", opt={"public": True}, tags=["Operations"], summary="Health")
async def health(state: State) -> Response[Any]:
    """200 while the process is up and its database answers; 503 when the database is down.

    Answers from the last background check (about every second), never a query per call."""
    status, body, headers = await _answer(state)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class HealthShortcut:
    """Answers a plain ``GET /health`` before the framework runs: a liveness probe polled by
    every load balancer should cost little more than the server's own work. Anything else
    about the request (a query string, a CORS ``Origin``, another method) goes the normal way
    to the ``health`` route, which gives the same answer. Sits inside the request-id and
    security-header layers, so the response carries their headers like every other."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/health"
            and scope["method"] == "GET"
            and not scope["query_string"]
            and not any(name == b"origin" for name, _ in scope["headers"])
        ):
            status, body, _ = await _answer(self.state)
            await send({"type": "http.response.start", "status": status, "headers": _RAW[status]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


@get(
    "/metrics",
    opt={"scope": METRICS_READ},
    tags=["Operations"],
    summary="Metrics",
    media_type="text/plain; version=0.0.4",
)
async def metrics() -> Response[str]:
    """Prometheus text exposition of this worker's counters (each worker reports its own):
    rate-limit store errors, decisions taken per process while the store was unreachable,
    refused requests, and whether the store is reachable. Needs an ``admin`` key."""
    body = "\n".join(rate_limit_metrics.prometheus_lines()) + "\n"
    return Response(
        body, media_type="text/plain; version=0.0.4", headers={"Cache-Control": "no-store"}
    )
