"""API keys: one identical 401 for every bad key; scopes decide what a key may do."""

from __future__ import annotations

import pytest

from selfserve.auth import repository
from selfserve.auth.keys import parse_key
from selfserve.auth.principal import Principal
from selfserve.auth.scopes import ORDERS_WRITE, ROLES
from selfserve.orders.lifecycle import ACTION_ROUTES, actions_for
from tests.fixtures.app import NOW
from tests.fixtures.world import World, ids_param


def test_stored_hash_is_not_the_secret(world: World) -> None:
    material = parse_key(world.key)
    assert material is not None
    sql = world.conn.sql()
    stored = world.run.run(
        world.conn.fetchval(
            f"SELECT secret_hash FROM api_keys WHERE key_id = {sql.p(material.key_id)}", sql.params
        )
    )
    assert material.secret not in stored and len(stored) == 64


@pytest.mark.parametrize(
    "presented",
    ["", "garbage", "ssk_0000000000000000_" + "A" * 43, "mangled-{key}", "{key}x"],
)
def test_every_bad_key_gets_the_same_401(world: World, presented: str) -> None:
    key = presented.replace("{key}", world.key)
    response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}", key=key)
    assert response.status_code == 401
    body = response.json()
    assert body["errorCode"] == "UNAUTHENTICATED"
    assert body["message"].startswith("Missing, unknown or revoked API key")


def test_revoked_key_is_refused_on_the_next_request(world: World) -> None:
    url = f"/orders?customerIds={ids_param(world.alice)}"
    assert world.api.get(url).status_code == 200
    material = parse_key(world.key)
    assert material is not None
    assert world.run.run(repository.revoke_key(world.conn, material.key_id, NOW))
    response = world.api.get(url)
    assert response.status_code == 401
    assert world.key not in response.text


def test_read_only_role_cannot_write() -> None:
    assert ORDERS_WRITE not in ROLES["read-only"]
    assert ORDERS_WRITE in ROLES["integration"]


def test_actions_never_offer_what_scopes_forbid() -> None:
    reader = Principal("t", "api_key", "k", "read-only", ROLES["read-only"], None)
    writer = Principal("t", "api_key", "k", "integration", ROLES["integration"], None)
    assert actions_for("draft", "o1", reader.scopes, ACTION_ROUTES) == []
    offered = actions_for("draft", "o1", writer.scopes, ACTION_ROUTES)
    assert [(a.name, a.method, a.href) for a in offered] == [
        ("activate", "POST", "/orders/o1"),
        ("cancel", "POST", "/orders/o1/cancel"),
    ]
    assert [a.name for a in actions_for("active", "o1", writer.scopes, ACTION_ROUTES)] == [
        "change",
        "renew",
        "cancel",
    ]
    assert actions_for("canceled", "o1", writer.scopes, ACTION_ROUTES) == []
    assert actions_for("draft", "o1", writer.scopes, set()) == []


def test_customers_are_listed_within_the_tenant(world: World) -> None:
    body = world.api.get("/customers?limit=1").json()
    assert body["pagination"]["total"] == 2 and body["pagination"]["hasMore"] is True
    second = world.api.get(f"/customers?limit=1&cursor={body['pagination']['nextCursor']}").json()
    assert {body["data"][0]["id"], second["data"][0]["id"]} == {world.alice, world.bob}
    assert world.api.get("/customers", key=world.other_key).json()["pagination"]["total"] == 1


def test_last_use_is_recorded_in_batches(world: World) -> None:
    material = parse_key(world.key)
    assert material is not None
    sql = world.conn.sql()
    query = f"SELECT last_used_at FROM api_keys WHERE key_id = {sql.p(material.key_id)}"
    world.api.get(f"/orders?customerIds={ids_param(world.alice)}")
    assert world.run.run(world.conn.fetchval(query, sql.params)) is None  # no write per request
    usage = world.api.app.state.key_usage
    assert world.run.run(usage.flush(world.api.app.state.db)) == 1
    recorded = world.run.run(world.conn.fetchval(query, sql.params))
    assert world.conn.to_ts(recorded) == NOW
    assert world.run.run(usage.flush(world.api.app.state.db)) == 0
