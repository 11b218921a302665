"""Idempotency-Key: retries get the first response; reuse with another body is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from selfserve import idempotency
from selfserve.auth.service import authenticate_api_key
from selfserve.db import Lease
from tests.fixtures import builders as b
from tests.fixtures.app import NOW, Api
from tests.fixtures.world import World

SIGNING = "k:" + "q" * 40


def api(world: World, **kw: Any) -> Api:
    client = Api(world.conn, world.run, token_signing_keys=SIGNING, **kw)
    client.key = world.key
    return client


def body(customer: str) -> bytes:
    return b'{"customerIds": ["%s"]}' % customer.encode()


def mint(client: Api, key: str, customer: str) -> httpx.Response:
    headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
    return client.post("/auth/customer-tokens", content=body(customer), headers=headers)


def test_a_retry_replays_the_first_response(world: World) -> None:
    client = api(world)
    first = mint(client, "k-1", world.alice)
    again = mint(client, "k-1", world.alice)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_the_same_key_with_another_body_is_422(world: World) -> None:
    client = api(world)
    mint(client, "k-2", world.alice)
    reused = mint(client, "k-2", world.bob)
    assert reused.status_code == 422
    assert reused.json()["errorCode"] == "IDEMPOTENCY_KEY_REUSED"


def test_keys_belong_to_their_caller(world: World) -> None:
    client = api(world)
    first = mint(client, "shared", world.alice)
    other = api(world)
    other.key = world.run.run(b.api_key(world.conn, "acme"))
    second = mint(other, "shared", world.alice)
    assert second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert second.content != first.content


def test_a_request_in_flight_is_409(world: World) -> None:
    client = api(world)
    principal = world.run.run(authenticate_api_key(world.conn, world.key, NOW))
    db = client.app.state.db
    body_hash = idempotency.fingerprint("POST", "/auth/customer-tokens", b"", body(world.alice))
    world.run.run(idempotency.reserve(Lease(db), principal, "busy", body_hash, NOW))
    response = mint(client, "busy", world.alice)
    assert response.status_code == 409
    assert response.json()["errorCode"] == "IDEMPOTENCY_IN_FLIGHT"


def test_a_failed_request_gives_its_key_back(world: World) -> None:
    client = api(world)
    missing = "00000000-0000-4000-8000-000000000000"
    failed = mint(client, "k-3", missing)
    assert failed.status_code == 404
    retried = mint(client, "k-3", world.alice)
    assert retried.status_code == 201


def test_stored_responses_expire_after_a_day(world: World) -> None:
    first = mint(api(world), "k-4", world.alice)
    later = mint(api(world, now=NOW + timedelta(hours=24, seconds=1)), "k-4", world.alice)
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.content != first.content


def test_malformed_key_is_400(world: World) -> None:
    response = mint(api(world), "x" * 300, world.alice)
    assert response.status_code == 400
