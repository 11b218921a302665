"""A client written exactly as Nue's "Fetch Orders" guide shows works unchanged."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from tests.fixtures.world import World


def encode_uri_component(value: str) -> str:
    """JavaScript's ``encodeURIComponent``."""
    return quote(value, safe="-_.!~*'()")


def fetch_orders(world: World, base: str, ids: list[str], key: str) -> list[dict[str, Any]]:
    # fetch(base + '/orders?customerIds=' + encodeURIComponent(JSON.stringify(ids)),
    #       {headers: {'nue-api-key': key}})
    url = (
        base + "/orders?customerIds=" + encode_uri_component(json.dumps(ids, separators=(",", ":")))
    )
    response = world.api.request("GET", url, key="", headers={"nue-api-key": key})
    result = response.json()
    if str(result["status"]).lower() == "success" and result["data"]:
        return [
            {
                "orderNumber": o["orderNumber"],
                "status": o["status"],
                "totalAmount": o["totalAmount"],
            }
            for o in result["data"]
        ]
    raise AssertionError(result)


def test_the_guides_client(world: World) -> None:
    orders = fetch_orders(world, "", [world.alice, world.bob], world.key)
    assert len(orders) == 6
    assert all(o["orderNumber"].startswith("O-") for o in orders)
    assert {o["status"] for o in orders} == {"Activated", "Draft"}
    assert sorted(o["totalAmount"] for o in orders)[-1] == 5000  # Bob's JPY order
