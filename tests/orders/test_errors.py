"""Every 400 GET /orders can produce, over HTTP on both databases: each names its parameter,
and where a list of values is allowed, lists it."""

from __future__ import annotations

import pytest

from tests.fixtures.world import World

CID = "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"

CASES = [
    # (query after ?, parameter named, an allowed value that must be listed or None)
    ("customerIds=%5B%22a%22", "customerIds", None),  # malformed JSON
    ("customerIds=%7B%22a%22%3A1%7D", "customerIds", None),  # not an array
    ("customerIds=%5B1%5D", "customerIds", None),  # non-string id
    ("customerIds=%5B%5D", "customerIds", None),  # empty
    ("customerIds=" + ",".join([CID[:-3] + f"{i:03d}" for i in range(101)]), "customerIds", None),
    ("customerIds=nope", "customerIds[0]", None),  # not a UUID
    (f"customerIds={CID}&includes=payments", "includes", "assets"),
    (f"customerIds={CID}&status=pending", "status", "Activated"),
    (f"customerIds={CID}&colour=red", "colour", "totalAmount"),  # unknown parameter
    (f"customerIds={CID}&shippingDate>2025-01-01", "shippingDate", "orderPlacedDate"),
    (f"customerIds={CID}&currency>EUR", "currency", "="),  # bad operator for the field
    (f"customerIds={CID}&totalAmount>lots", "totalAmount", None),  # bad value
    (f"customerIds={CID}&orderPlacedDate>=2025-13-01", "orderPlacedDate", None),
    (f"customerIds={CID}&cursor=not-a-cursor", "cursor", None),
    (f"customerIds={CID}&limit=0", "limit", None),
    (f"customerIds={CID}&limit=501", "limit", None),
    (f"customerIds={CID}&sort=name", "sort", "-createdDate"),
    ("", "customerIds", None),  # missing, with an API key
]  # fmt: skip


@pytest.mark.parametrize(("query", "parameter", "allowed"), CASES)
def test_each_bad_parameter_is_a_400_naming_it(
    world: World, query: str, parameter: str, allowed: str | None
) -> None:
    response = world.api.get(f"/orders?{query}")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == "FAILURE" and body["errorType"] == "BadRequest"
    detail = body["details"][0]
    assert detail["parameter"] == parameter
    assert parameter.split("[")[0] in body["message"] or parameter in body["message"]
    if allowed is not None:
        assert allowed in detail["allowed"]
