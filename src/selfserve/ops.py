"""Operational endpoints: health for load balancers, metrics for Prometheus."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State

from selfserve.auth.scopes import METRICS_READ
from selfserve.db import Database
from selfserve.kit.ratelimit import metrics as rate_limit_metrics


@get("/health", opt={"public": True}, tags=["Operations"], summary="Health")
async def health(state: State) -> Response[dict[str, str]]:
    """200 while the process is up and its database answers; 503 when the database is down."""
    db: Database = state.db
    if await db.ping():
        return Response({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})
    return Response(
        {"status": "degraded", "database": "unreachable"},
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "5"},
    )


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
