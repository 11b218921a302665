"""The application factory: wiring only — middleware, routers, dependencies, error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler

from selfserve import __version__
from selfserve.auth.guard import authorize, current_principal, route_policy
from selfserve.auth.principal import Principal
from selfserve.config import Settings, get_settings
from selfserve.customers.endpoints import router as customers_router
from selfserve.db import Conn, Database, create_database
from selfserve.errors import exception_handlers
from selfserve.kit.clock import Clock, system_clock
from selfserve.kit.http import RequestIdMiddleware
from selfserve.openapi import openapi_config, openapi_json_route, static_files_router
from selfserve.orders.endpoints import router as orders_router
from selfserve.orders.service import ReadContext

logger = logging.getLogger("selfserve")


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


async def provide_conn(state: State) -> AsyncGenerator[Conn, None]:
    db: Database = state.db
    async with db.read() as conn:
        yield conn


def provide_ctx(request: Request[Any, Any, Any], state: State) -> ReadContext:
    clock: Clock = state.clock
    return ReadContext(
        principal=current_principal(request),
        now=clock(),
        include_cap=state.settings.include_cap,
        served_routes=state.served_routes,
    )


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


def _served_routes(app: Litestar) -> frozenset[tuple[str, str]]:
    served: set[tuple[str, str]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                served.update((method, route.path_format) for method in handler.http_methods)
    return frozenset(served)


def _check_policies(app: Litestar) -> None:
    """Refuse to start when a route declares neither a scope nor ``public``."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            route_policy(handler)


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, clock: Clock = system_clock
) -> Litestar:
    """An ASGI app. Tests pass their own database and clock; production passes neither."""
    settings = settings or get_settings()
    database = db or create_database(
        settings.database_url,
        pool_min=settings.pg_pool_min,
        pool_max=settings.pg_pool_max,
        cache_mb=settings.sqlite_cache_mb,
    )

    async def connect(app: Litestar) -> None:
        await database.connect()

    async def close(app: Litestar) -> None:
        await database.close()

    app = Litestar(
        route_handlers=[
            health,
            orders_router,
            customers_router,
            static_files_router(),
            openapi_json_route(),
        ],
        dependencies={
            "conn": Provide(provide_conn),
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        guards=[authorize],
        middleware=[RequestIdMiddleware],
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(__version__),
        on_startup=[connect],
        on_shutdown=[close],
        state=State({"db": database, "clock": clock, "settings": settings}),
        debug=False,
    )
    app.state.served_routes = _served_routes(app)
    _check_policies(app)
    return app


__all__ = ["create_app"]
