"""Customer tokens: bound to customers and scopes, expiring, revocable, rotatable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.fixtures import builders as b
from tests.fixtures.app import NOW, Api
from tests.fixtures.world import World, ids_param

OLD = "old:" + "o" * 40
NEW = "new:" + "n" * 40


def api(world: World, keys: str = NEW, now: Any = NOW) -> Api:
    client = Api(world.conn, world.run, now=now, token_signing_keys=keys)
    client.key = world.key
    return client


def mint(client: Api, **body: Any) -> httpx.Response:
    return client.post("/auth/customer-tokens", json=body)


def bearer(client: Api, token: str, path: str) -> httpx.Response:
    return client.request("GET", path, key="", headers={"Authorization": f"Bearer {token}"})


def token_for(world: World, *customers: str, client: Api | None = None, **extra: Any) -> str:
    response = mint(client or api(world), customerIds=list(customers), **extra)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["token"])


class TestMint:
    def test_returns_a_bound_token(self, world: World) -> None:
        response = mint(api(world), customerIds=[world.alice])
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert data["customerIds"] == [world.alice] and data["scopes"] == ["read"]
        assert data["expiresAt"] == (NOW + timedelta(seconds=900)).isoformat().replace(
            "+00:00", "Z"
        )
        assert response.headers["cache-control"] == "no-store"

    def test_rejects_unknown_customers_and_bad_bodies(self, world: World) -> None:
        client = api(world)
        stranger = mint(client, customerIds=[b.new_id()])
        assert stranger.status_code == 404 and stranger.json()["errorCode"] == "CUSTOMER_NOT_FOUND"
        assert mint(client, customerIds=[]).json()["details"][0]["parameter"] == "customerIds"
        assert mint(client, customerIds=[world.alice], scopes=["admin"]).status_code == 400
        too_long = mint(client, customerIds=[world.alice], expiresInSeconds=86_401)
        assert too_long.json()["details"][0]["parameter"] == "expiresInSeconds"
        assert mint(client, customerIds=[world.alice], colour="red").status_code == 400

    def test_another_tenants_customer_cannot_be_bound(self, world: World) -> None:
        other = api(world)
        other.key = world.other_key
        assert mint(other, customerIds=[world.alice]).status_code == 404

    def test_is_refused_when_no_signing_key_is_configured(self, world: World) -> None:
        response = mint(api(world, keys=""), customerIds=[world.alice])
        assert response.status_code == 503
        assert response.json()["errorCode"] == "TOKENS_NOT_CONFIGURED"


class TestUse:
    def test_reads_only_its_customers(self, world: World) -> None:
        client = api(world)
        token = token_for(world, world.alice)
        own = bearer(client, token, "/orders")
        assert own.status_code == 200
        assert {o["customerId"] for o in own.json()["data"]} == {world.alice}
        assert bearer(client, token, f"/orders/{world.orders[0]}").status_code == 200
        assert bearer(client, token, f"/orders/{world.bob_order}").status_code == 404

    def test_naming_other_customers_is_the_same_403_whether_they_exist_or_not(
        self, world: World
    ) -> None:
        client = api(world)
        token = token_for(world, world.alice)
        existing = bearer(client, token, f"/orders?customerIds={ids_param(world.bob)}")
        missing = bearer(client, token, f"/orders?customerIds={ids_param(b.new_id())}")
        assert existing.status_code == missing.status_code == 403
        existing_body, missing_body = existing.json(), missing.json()
        existing_body.pop("requestId"), missing_body.pop("requestId")
        assert existing_body == missing_body

    def test_parent_with_children(self, world: World) -> None:
        parent = world.run.run(b.customer(world.conn, world.tenant_id))
        child = world.run.run(b.customer(world.conn, world.tenant_id, parent_customer_id=parent))
        child_order = world.run.run(b.order(world.conn, world.tenant_id, child))
        client = api(world)
        token = token_for(world, parent, includeChildren=True)
        listed = bearer(client, token, "/orders").json()["data"]
        assert [o["id"] for o in listed] == [child_order]
        alone = token_for(world, parent)
        assert bearer(client, alone, f"/orders/{child_order}").status_code == 404

    def test_read_token_is_offered_no_actions_and_cannot_mint(self, world: World) -> None:
        client = api(world)
        token = token_for(world, world.alice, scopes=["read", "write"])
        response = client.request(
            "POST", "/auth/customer-tokens", key="",
            headers={"Authorization": f"Bearer {token}"}, json={"customerIds": [world.alice]},
        )  # fmt: skip
        assert response.status_code == 403 and response.json()["errorCode"] == "MISSING_SCOPE"

    def test_expired_tampered_and_foreign_tokens_get_one_401(self, world: World) -> None:
        token = token_for(world, world.alice, expiresInSeconds=60)
        later = api(world, now=NOW + timedelta(seconds=61))
        head, payload, signature = token.split(".")
        tampered = ".".join(
            [head, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature]
        )
        old_key_token = token_for(world, world.alice, client=api(world, keys=OLD))
        current = api(world)
        cases = [(later, token), (current, tampered), (current, old_key_token), (current, "abc")]
        for client, presented in cases:
            response = bearer(client, presented, "/orders")
            assert response.status_code == 401
            assert response.json()["errorCode"] == "INVALID_TOKEN"

    def test_rotation_overlap_keeps_old_tokens_valid(self, world: World) -> None:
        old_key_token = token_for(world, world.alice, client=api(world, keys=OLD))
        overlapping = api(world, keys=f"{NEW},{OLD}")
        assert bearer(overlapping, old_key_token, "/orders").status_code == 200
        fresh = token_for(world, world.alice, client=overlapping)
        assert bearer(api(world, keys=NEW), fresh, "/orders").status_code == 200

    def test_key_and_token_together_are_ambiguous(self, world: World) -> None:
        client = api(world)
        token = token_for(world, world.alice)
        response = client.get("/orders", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json()["errorCode"] == "AMBIGUOUS_CREDENTIALS"


class TestRevoke:
    def test_one_token(self, world: World) -> None:
        client = api(world)
        created = mint(client, customerIds=[world.alice]).json()["data"]
        other = token_for(world, world.alice)
        revoked = client.post("/auth/customer-tokens/revoke", json={"tokenId": created["tokenId"]})
        assert revoked.status_code == 200 and revoked.json()["data"] == {"revoked": "token"}
        assert bearer(client, created["token"], "/orders").status_code == 401
        assert bearer(client, other, "/orders").status_code == 200

    def test_every_token_of_a_customer_issued_so_far(self, world: World) -> None:
        client = api(world)
        first, second = token_for(world, world.alice), token_for(world, world.alice, world.bob)
        bobs = token_for(world, world.bob)
        assert (
            client.post(
                "/auth/customer-tokens/revoke", json={"customerId": world.alice}
            ).status_code
            == 200
        )
        assert bearer(client, first, "/orders").status_code == 401
        assert bearer(client, second, "/orders").status_code == 401
        assert bearer(client, bobs, "/orders").status_code == 200
        later = api(world, now=NOW + timedelta(seconds=1))
        assert (
            bearer(later, token_for(world, world.alice, client=later), "/orders").status_code == 200
        )

    @pytest.mark.parametrize("body", [{}, {"tokenId": "x", "customerId": "y"}])
    def test_needs_exactly_one_target(self, world: World, body: dict[str, str]) -> None:
        response = api(world).post("/auth/customer-tokens/revoke", json=body)
        assert response.status_code == 400
