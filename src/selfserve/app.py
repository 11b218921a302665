"""The application factory: wiring only — middleware, routers, dependencies, error handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.handlers import HTTPRouteHandler

from selfserve import __version__
from selfserve.assets.endpoints import router as assets_router
from selfserve.audit import AuditMiddleware
from selfserve.auth.endpoints import router as auth_router
from selfserve.auth.guard import authorize, current_principal, route_policy
from selfserve.auth.principal import Principal
from selfserve.auth.tokens import parse_signing_keys
from selfserve.auth.usage import KeyUsage
from selfserve.catalog.endpoints import router as catalog_router
from selfserve.config import Settings, get_settings
from selfserve.customers.endpoints import router as customers_router
from selfserve.db import Conn, Database, LeaseMiddleware, create_database, request_lease
from selfserve.deps import DbConn
from selfserve.errors import exception_handlers
from selfserve.idempotency import IdempotentReplay, ReleaseMiddleware, replay_response
from selfserve.invoices.endpoints import router as invoices_router
from selfserve.kit.clock import Clock, system_clock
from selfserve.kit.http import RequestIdMiddleware, SecurityHeadersMiddleware
from selfserve.kit.ratelimit import Rate, create_rate_limiter
from selfserve.openapi import openapi_config, openapi_json_route, static_files_router
from selfserve.ops import DatabaseProbe, HealthShortcut, health, metrics
from selfserve.orders import documents
from selfserve.orders.endpoints import router as orders_router
from selfserve.orders.service import ReadContext
from selfserve.portal.endpoints import router as portal_api_router
from selfserve.portal.router import not_found as portal_not_found
from selfserve.portal.router import portal_router
from selfserve.renewals.endpoints import router as renewals_router

logger = logging.getLogger("selfserve")


# The providers below take ``conn`` although only ``provide_conn`` uses it: depending on it,
# they are resolved after it, one at a time. Litestar resolves a handler's independent
# dependencies concurrently in an anyio task group, whose tasks and cancel scope cost more per
# request than all these providers together.


async def provide_conn(request: Request[Any, Any, Any]) -> Conn:
    return await request_lease(request.scope).read()


async def provide_tx(request: Request[Any, Any, Any], conn: DbConn) -> AsyncGenerator[Conn, None]:
    """The request's transaction: committed when the handler returns, rolled back if it raises."""
    async with request_lease(request.scope).write() as tx:
        yield tx


def provide_ctx(request: Request[Any, Any, Any], state: State, conn: DbConn) -> ReadContext:
    clock: Clock = state.clock
    return ReadContext(
        principal=current_principal(request),
        now=clock(),
        include_cap=state.settings.include_cap,
        served_routes=state.served_routes,
    )


def provide_principal(request: Request[Any, Any, Any], conn: DbConn) -> Principal:
    return current_principal(request)


def _not_found_by_path() -> Callable[[Request[Any, Any, Any], Exception], Response[Any]]:
    """An unmatched path under /portal gets the portal's HTML 404 page, any other the API's
    JSON one."""
    api_handler = exception_handlers()[HTTPException]

    def not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        path = request.url.path
        if path == "/portal" or path.startswith("/portal/"):
            return portal_not_found(request, exc)
        response: Response[Any] = api_handler(request, exc)
        return response

    return not_found


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


def _state(settings: Settings, database: Database, clock: Clock) -> State:
    return State(
        {
            "db": database,
            "clock": clock,
            "settings": settings,
            "signing_keys": parse_signing_keys(settings.token_signing_keys.get_secret_value()),
            "key_usage": KeyUsage(),
            "db_probe": DatabaseProbe(settings.health_check_seconds),
            "rate_limiter": create_rate_limiter(settings.redis_url),
            "key_rate": Rate(settings.rate_limit_key_per_second, settings.rate_limit_key_burst),
            "token_rate": Rate(
                settings.rate_limit_token_per_second, settings.rate_limit_token_burst
            ),
        }
    )


def _lifespan(state: State) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db: Database = state.db
        await db.connect()
        flusher = asyncio.create_task(state.key_usage.run(db, state.settings.usage_flush_seconds))
        probe = asyncio.create_task(state.db_probe.run(db))
        every = state.settings.document_build_seconds
        builder = asyncio.create_task(documents.run(db, every)) if every > 0 else None
        try:
            yield
        finally:
            if builder is not None:
                builder.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await builder  # so no batch holds a connection while the database closes
            probe.cancel()
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe  # so no check holds a connection while the database closes
            await state.key_usage.flush(db)
            await state.rate_limiter.close()
            await db.close()

    return lifespan


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
    state = _state(settings, database, clock)

    app = Litestar(
        route_handlers=[
            health,
            metrics,
            orders_router,
            customers_router,
            assets_router,
            invoices_router,
            catalog_router,
            renewals_router,
            auth_router,
            portal_api_router,
            portal_router(),
            static_files_router(),
            openapi_json_route(),
        ],
        dependencies={
            "conn": Provide(provide_conn),
            "tx": Provide(provide_tx),
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        guards=[authorize],
        exception_handlers={
            **exception_handlers(),
            NotFoundException: _not_found_by_path(),
            IdempotentReplay: replay_response,
        },
        openapi_config=openapi_config(__version__),
        lifespan=[_lifespan(state)],
        state=state,
        cors_config=CORSConfig(
            allow_origins=settings.cors_origins,
            allow_headers=[
                "nue-api-key",
                "authorization",
                "content-type",
                "if-none-match",
                "idempotency-key",
                "x-request-id",
            ],
            expose_headers=[
                "etag",
                "x-request-id",
                "retry-after",
                "ratelimit-limit",
                "ratelimit-remaining",
                "ratelimit-reset",
            ],
        )
        if settings.cors_origins
        else None,
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        logging_config=None,  # the process configures logging (selfserve.logs)
    )
    # Wrapped around the whole handler, not per route, so that unmatched paths (404/405) get
    # a request id, security headers and (for writes) an audit line too.
    app.asgi_handler = RequestIdMiddleware(
        SecurityHeadersMiddleware(
            HealthShortcut(
                AuditMiddleware(LeaseMiddleware(ReleaseMiddleware(app.asgi_handler), database)),
                state,
            )
        )
    )
    app.state.served_routes = _served_routes(app)
    _check_policies(app)
    return app


__all__ = ["create_app"]
