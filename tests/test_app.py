"""The app's operational surface: health, unexpected errors, route policies, OpenAPI."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from litestar import get

from selfserve.app import create_app
from selfserve.auth.guard import route_policy
from selfserve.config import Settings
from selfserve.db import PostgresDatabase, SqliteDatabase
from tests.fixtures.world import World, ids_param


def call(run: asyncio.Runner, app: object, path: str, **kw: object) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(path, **kw)  # type: ignore[arg-type]

    return run.run(go())


def test_health_answers_200_with_a_database(world: World) -> None:
    response = world.api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_without_a_database(run: asyncio.Runner) -> None:
    db = PostgresDatabase("postgresql://postgres@127.0.0.1:9/nowhere")
    app = create_app(Settings(), db=db)
    response = call(run, app, "/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_an_unreachable_database_is_a_503_with_the_envelope(run: asyncio.Runner) -> None:
    app = create_app(Settings(), db=PostgresDatabase("postgresql://postgres@127.0.0.1:9/nowhere"))
    response = call(run, app, "/orders", headers={"nue-api-key": "ssk_x"})
    assert response.status_code == 503
    assert response.json()["errorCode"] == "DATABASE_UNAVAILABLE"
    assert response.headers["retry-after"] == "5"


def test_an_internal_error_shows_only_the_request_id(run: asyncio.Runner, tmp_path: object) -> None:
    db = SqliteDatabase(":memory:")  # a database without the schema: every query fails
    app = create_app(Settings(), db=db)
    response = call(
        run, app, "/orders", headers={"nue-api-key": "ssk_0000000000000000_" + "A" * 43}
    )
    body = response.json()
    assert response.status_code == 500
    assert body["errorCode"] == "INTERNAL_ERROR"
    assert body["requestId"] == response.headers["x-request-id"]
    assert "no such table" not in response.text and "Traceback" not in response.text


def test_a_route_without_a_policy_is_refused() -> None:
    @get("/undeclared", sync_to_thread=False)
    def undeclared() -> str:
        return "x"

    with pytest.raises(RuntimeError, match="neither a scope nor public"):
        route_policy(undeclared)


def test_unknown_route_and_method_use_the_envelope(world: World) -> None:
    missing = world.api.get("/nowhere")
    assert missing.status_code == 404 and missing.json()["errorCode"] == "ROUTE_NOT_FOUND"
    wrong = world.api.request("DELETE", f"/orders?customerIds={ids_param(world.alice)}")
    assert wrong.status_code == 405 and wrong.json()["status"] == "FAILURE"


def test_openapi_describes_the_order_contract(world: World) -> None:
    schema = world.api.get("/openapi.json").json()
    assert {"/orders", "/orders/{order_id}", "/orders/query", "/customers", "/health"} <= set(
        schema["paths"]
    )
    listed = {p["name"] for p in schema["paths"]["/orders"]["get"]["parameters"]}
    assert {"customerIds", "includes", "status", "limit", "cursor", "sort"} <= listed
    order = schema["components"]["schemas"]["OrderRead"]["properties"]
    assert {"orderACV", "orderTCV", "lifecycle", "actions", "orderProducts"} <= set(order)
