"""Concurrent writers through the real connection pool (committed data, fresh tenants)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from selfserve.app import create_app
from selfserve.config import Settings
from selfserve.db import create_database
from tests.fixtures import builders as b


async def _setup(db_url: str) -> dict[str, str]:
    db = create_database(db_url, pool_min=1, pool_max=4)
    try:
        async with db.write() as conn:
            slug = f"conc-{uuid.uuid4().hex[:8]}"
            tenant = await b.tenant(conn, slug)
            key = await b.api_key(conn, slug)
            customer = await b.customer(conn, tenant)
            product = await b.product(conn, tenant)
            price = await b.price_book_entry(conn, tenant, product, list_price=10_000_000)
    finally:
        await db.close()
    return {"key": key, "customer": customer, "price": price}


async def _scenario(db_url: str, body: Any) -> Any:
    world = await _setup(db_url)
    app = create_app(Settings(database_url=db_url, pg_pool_max=8))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        headers = {"nue-api-key": world["key"]}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=headers
        ) as c:
            return await body(c, world)


def draft(world: dict[str, str]) -> dict[str, Any]:
    return {"customer": {"id": world["customer"]}, "effectiveDate": "2025-06-01",
            "orderProducts": [{"priceBookEntryId": world["price"], "quantity": 2}]}  # fmt: skip


def test_two_activations_of_one_draft(db_url: str, run: asyncio.Runner) -> None:
    async def body(c: httpx.AsyncClient, world: dict[str, str]) -> list[httpx.Response]:
        order_id = (await c.post("/orders", json=draft(world))).json()["data"]["order"]["id"]
        return list(await asyncio.gather(*(c.post(f"/orders/{order_id}", json={}) for _ in "ab")))

    responses = run.run(_scenario(db_url, body))
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["errorCode"] == "ORDER_NOT_DRAFT"


def test_two_change_orders_on_one_subscription(db_url: str, run: asyncio.Runner) -> None:
    async def body(c: httpx.AsyncClient, world: dict[str, str]) -> tuple[list[httpx.Response], str]:
        order_id = (await c.post("/orders", json=draft(world))).json()["data"]["order"]["id"]
        assets = (await c.post(f"/orders/{order_id}", json={})).json()["data"]["assets"]
        number = assets[0]["assetNumber"]
        change = {"assetChanges": [{"changeType": "UpdateQuantity", "assetNumber": number,
                                    "quantity": 1, "startDate": "2025-06-15"}]}  # fmt: skip
        drafts = [(await c.post("/change-orders", json=change)).json() for _ in "ab"]
        ids = [d["data"]["order"]["id"] for d in drafts]
        return list(await asyncio.gather(*(c.post(f"/orders/{i}", json={}) for i in ids))), number

    responses, number = run.run(_scenario(db_url, body))
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["errorCode"] == "ASSET_CHANGED" and number in loser["message"]


def test_order_numbers_never_collide(db_url: str, run: asyncio.Runner) -> None:
    async def body(c: httpx.AsyncClient, world: dict[str, str]) -> list[httpx.Response]:
        return list(await asyncio.gather(*(c.post("/orders", json=draft(world)) for _ in range(8))))

    responses = run.run(_scenario(db_url, body))
    assert [r.status_code for r in responses] == [201] * 8
    numbers = {r.json()["data"]["order"]["orderNumber"] for r in responses}
    assert numbers == {f"O-{n:08d}" for n in range(1, 9)}
