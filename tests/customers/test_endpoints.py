"""GET /customers/{id} over HTTP, on both databases."""

from __future__ import annotations

from tests.auth.test_customer_tokens import api, bearer, token_for
from tests.fixtures import builders as b
from tests.fixtures.world import World


class TestGetCustomer:
    def test_one_customer(self, world: World) -> None:
        response = world.api.get(f"/customers/{world.bob}")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "SUCCESS"
        data = body["data"]
        assert data["id"] == world.bob
        assert (data["timeZone"], data["currency"], data["country"]) == ("Asia/Tokyo", "JPY", "JP")
        assert data["accountNumber"].startswith("ACC-") and data["parentCustomerId"] is None
        assert data["createdDate"] == "2025-01-15T09:00:00Z"
        assert response.headers["etag"] and response.headers["cache-control"] == "private, no-cache"

    def test_same_view_as_the_list(self, world: World) -> None:
        listed = world.api.get("/customers").json()["data"]
        one = world.api.get(f"/customers/{world.alice}").json()["data"]
        assert one == next(c for c in listed if c["id"] == world.alice)

    def test_another_tenants_unknown_and_malformed_ids_are_the_same_404(self, world: World) -> None:
        other = world.run.run(b.tenant(world.conn, "other"))
        stranger = world.run.run(b.customer(world.conn, other))
        messages = set()
        for path in (f"/customers/{stranger}", f"/customers/{b.new_id()}", "/customers/42"):
            response = world.api.get(path)
            assert response.status_code == 404, path
            assert response.json()["errorCode"] == "CUSTOMER_NOT_FOUND"
            assert stranger not in response.text
            messages.add(response.json()["message"])
        assert len(messages) == 1
        assert world.api.get(f"/customers/{world.alice}", key=world.other_key).status_code == 404

    def test_a_token_sees_only_its_own_customers(self, world: World) -> None:
        client = api(world)
        token = token_for(world, world.alice, client=client)
        assert bearer(client, token, f"/customers/{world.alice}").status_code == 200
        hidden = bearer(client, token, f"/customers/{world.bob}")
        assert hidden.status_code == 404 and world.bob not in hidden.text

    def test_missing_credential_and_scope(self, world: World) -> None:
        assert world.api.get(f"/customers/{world.alice}", key="").status_code == 401
        minter = world.run.run(b.api_key(world.conn, "acme", role="token-minter"))
        assert world.api.get(f"/customers/{world.alice}", key=minter).status_code == 403

    def test_takes_no_parameters(self, world: World) -> None:
        response = world.api.get(f"/customers/{world.alice}?includes=orders")
        assert response.status_code == 400
        assert response.json()["errorCode"] == "UNKNOWN_PARAMETER"

    def test_runs_one_statement_after_authentication(self, world: World) -> None:
        world.conn.statements.clear()
        assert world.api.get(f"/customers/{world.alice}").status_code == 200
        assert len(world.conn.statements) == 2
