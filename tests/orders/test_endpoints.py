"""GET /orders, /orders/{id}, /orders/{id}/history and POST /orders/query over HTTP."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from selfserve.db import Conn
from tests.fixtures import builders as b
from tests.fixtures.app import NOW, Api


@dataclass
class World:
    api: Api
    tenant_id: str
    alice: str
    bob: str
    orders: list[str]
    other_tenant_order: str
    other_key: str


async def _world(conn: Conn) -> dict[str, Any]:
    slug = "acme"
    tenant_id = await b.tenant(conn, slug)
    key = await b.api_key(conn, slug)
    alice = await b.customer(conn, tenant_id)
    bob = await b.customer(conn, tenant_id, time_zone="Asia/Tokyo", currency="JPY", country="JP")
    product = await b.product(conn, tenant_id)
    orders = []
    for i in range(5):
        created = b.T0 + timedelta(days=i)
        oid = await b.order(
            conn, tenant_id, alice, created_at=created, updated_at=created,
            total_amount=10_000 * (i + 1), subtotal=10_000 * (i + 1), list_total=10_000 * (i + 1),
            name=f"Alpha {i}" if i % 2 == 0 else f"Beta {i}",
        )  # fmt: skip
        await b.order_line(conn, tenant_id, oid, product, total_price=10_000 * (i + 1))
        orders.append(oid)
    await b.order(conn, tenant_id, bob, currency="JPY", total_amount=5000)
    other = await b.tenant(conn, "other")
    other_key = await b.api_key(conn, "other")
    stranger = await b.customer(conn, other)
    other_order = await b.order(conn, other, stranger)
    return {"key": key, "tenant_id": tenant_id, "alice": alice, "bob": bob, "orders": orders,
            "other_order": other_order, "other_key": other_key}  # fmt: skip


@pytest.fixture
def world(conn: Conn, run: asyncio.Runner) -> World:
    data = run.run(_world(conn))
    api = Api(conn, run)
    api.key = data["key"]
    return World(api, data["tenant_id"], data["alice"], data["bob"], data["orders"],
                 data["other_order"], data["other_key"])  # fmt: skip


def ids_param(*ids: str) -> str:
    return quote(json.dumps(list(ids)))


class TestListOrders:
    def test_returns_the_customers_orders_newest_first(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "SUCCESS"
        assert [o["id"] for o in body["data"]] == list(reversed(world.orders))
        assert body["pagination"] == {"limit": 100, "hasMore": False, "nextCursor": None, "total": 5}

    def test_comma_list_equals_json_array(self, world: World) -> None:
        as_json = world.api.get(f"/orders?customerIds={ids_param(world.alice, world.bob)}").json()
        as_csv = world.api.get(f"/orders?customerIds={world.alice},{world.bob}").json()
        assert as_json["data"] == as_csv["data"]
        assert as_json["pagination"]["total"] == 6

    def test_missing_key_is_401(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}", key="")
        assert response.status_code == 401
        assert response.json()["status"] == "FAILURE"

    def test_other_tenants_key_sees_nothing(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}", key=world.other_key)
        assert response.status_code == 200
        assert response.json()["data"] == []

    def test_money_is_rendered_with_currency_decimals(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.bob, world.alice)}&limit=1&sort=-totalAmount")
        assert b'"totalAmount":500.00' in response.content
