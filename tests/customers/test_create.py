"""POST /customers over HTTP, on both databases: a batch of 1 to 200, all or nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx

from selfserve.app import create_app
from selfserve.config import Settings
from selfserve.db import create_database
from tests.auth.test_customer_tokens import api, token_for
from tests.fixtures import builders as b
from tests.fixtures.world import World


def item(name: str = "Acme GmbH", **over: Any) -> dict[str, Any]:
    return {"name": name, "timeZone": "Europe/Berlin", "currency": "EUR", "country": "DE"} | over


def create(world: World, body: Any, **kw: Any) -> httpx.Response:
    return world.api.post("/customers", json=body, **kw)


def count(world: World, table: str = "customers") -> int:
    sql = world.conn.sql()
    return int(world.run.run(world.conn.fetchval(
        f"SELECT count(*) FROM {table} WHERE tenant_id = {sql.p(world.tenant_id)}", sql.params
    )))  # fmt: skip


def sequence(number: str) -> int:
    assert number.startswith("ACC-") and number[4:].isdigit(), number
    return int(number[4:])


class TestCreate:
    def test_creates_the_batch_in_request_order(self, world: World) -> None:
        before = [c["accountNumber"] for c in world.api.get("/customers").json()["data"]]
        body = [item("First"), item("Second", currency="JPY", timeZone="Asia/Tokyo"), item("Third")]
        response = create(world, body)
        assert response.status_code == 201, response.text
        envelope = response.json()
        assert envelope["status"] == "SUCCESS"
        data = envelope["data"]
        assert [c["name"] for c in data] == ["First", "Second", "Third"]
        assert data[1]["currency"] == "JPY" and data[1]["timeZone"] == "Asia/Tokyo"
        assert data[0]["createdDate"] == data[0]["lastModifiedDate"] == "2025-06-01T12:00:00Z"
        numbers = [sequence(c["accountNumber"]) for c in data]
        assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
        assert numbers[0] == max(sequence(n) for n in before) + 1
        assert len(data[0]["accountNumber"]) >= len("ACC-000001")
        assert response.headers["cache-control"] == "no-store"

    def test_created_customers_read_back_the_same(self, world: World) -> None:
        created = create(world, [item(email="billing@acme.example")]).json()["data"][0]
        assert world.api.get(f"/customers/{created['id']}").json()["data"] == created
        assert created["email"] == "billing@acme.example" and created["country"] == "DE"
        assert created["parentCustomerId"] is None

    def test_optional_fields_parent_and_account_number(self, world: World) -> None:
        body = [
            {"name": "Minimal", "timeZone": "UTC", "currency": "USD"},
            item("Child", parentCustomerId=world.alice.upper(), accountNumber="SF-0042"),
        ]
        response = create(world, body)
        assert response.status_code == 201, response.text
        minimal, child = response.json()["data"]
        assert minimal["email"] is None and minimal["country"] is None
        assert child["parentCustomerId"] == world.alice and child["accountNumber"] == "SF-0042"

    def test_generated_numbers_skip_the_ones_given(self, world: World) -> None:
        top = max(sequence(c["accountNumber"]) for c in world.api.get("/customers").json()["data"])
        given = f"ACC-{top + 5:06d}"
        data = create(world, [item("A"), item("B", accountNumber=given), item("C")]).json()["data"]
        assert [c["accountNumber"] for c in data] == [
            f"ACC-{top + 6:06d}",
            given,
            f"ACC-{top + 7:06d}",
        ]

    def test_records_one_change_event_per_customer(self, world: World) -> None:
        data = create(world, [item("A"), item("B")]).json()["data"]
        sql = world.conn.sql()
        rows = world.run.run(world.conn.fetch(
            "SELECT entity_id, entity_type, action, actor_type, changes FROM change_events "
            f"WHERE {sql.in_('customer_id', [c['id'] for c in data])} ORDER BY entity_id",
            sql.params,
        ))  # fmt: skip
        assert sorted(world.conn.to_id(r[0]) for r in rows) == sorted(c["id"] for c in data)
        assert {(r[1], r[2], r[3]) for r in rows} == {("customer", "customer.created", "api_key")}
        fields = {c["field"]: c["to"] for c in json.loads(rows[0][4])}
        assert {"accountNumber", "name", "currency", "timeZone"} <= set(fields)

    def test_two_hundred_at_once(self, world: World) -> None:
        before = count(world)
        response = create(world, [item(f"Batch {i}") for i in range(200)])
        assert response.status_code == 201, response.text
        assert len(response.json()["data"]) == 200 and count(world) == before + 200

    def test_an_idempotent_retry_creates_nothing_more(self, world: World) -> None:
        headers = {"Idempotency-Key": "create-customers-1"}
        first = create(world, [item()], headers=headers)
        before = count(world)
        again = create(world, [item()], headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true" and count(world) == before


class TestAllOrNothing:
    def test_one_bad_item_writes_nothing(self, world: World) -> None:
        customers, events = count(world), count(world, "change_events")
        body = [item("Good"), item("Also good"), item("Bad", timeZone="Mars/Olympus"), item()]
        response = create(world, body)
        assert response.status_code == 400
        failure = response.json()
        assert failure["status"] == "FAILURE" and failure["errorCode"] == "INVALID_PARAMETER"
        assert failure["details"][0]["parameter"] == "[2].timeZone"
        assert "[2].timeZone" in failure["message"]
        assert count(world) == customers and count(world, "change_events") == events

    def test_every_problem_is_listed(self, world: World) -> None:
        body = [
            item(currency="XYZ"), item(), item(name="  ", timeZone="Nowhere", accountNumber="A1"),
            item(accountNumber="A1"), item(parentCustomerId="42"),
        ]  # fmt: skip
        details = create(world, body).json()["details"]
        assert [d["parameter"] for d in details] == [
            "[0].currency", "[2].name", "[2].timeZone", "[3].accountNumber",
            "[4].parentCustomerId",
        ]  # fmt: skip
        assert "EUR" in details[0]["allowed"] and "repeats [2]" in details[3]["message"]

    def test_unknown_parent_is_a_404_and_writes_nothing(self, world: World) -> None:
        other = world.run.run(b.tenant(world.conn, "elsewhere"))
        stranger = world.run.run(b.customer(world.conn, other))
        before = count(world)
        for parent in (b.new_id(), stranger):
            response = create(world, [item(), item(parentCustomerId=parent)])
            assert response.status_code == 404, response.text
            body = response.json()
            assert body["errorCode"] == "CUSTOMER_NOT_FOUND"
            assert body["details"][0]["parameter"] == "[1].parentCustomerId"
        assert count(world) == before

    def test_a_taken_account_number_is_a_409(self, world: World) -> None:
        taken = world.api.get(f"/customers/{world.bob}").json()["data"]["accountNumber"]
        before = count(world)
        response = create(world, [item(), item(), item(accountNumber=taken)])
        assert response.status_code == 409
        assert response.json()["errorCode"] == "ACCOUNT_NUMBER_TAKEN"
        assert response.json()["details"][0]["parameter"] == "[2].accountNumber"
        assert count(world) == before

    def test_another_tenants_account_numbers_are_free(self, world: World) -> None:
        taken = world.api.get(f"/customers/{world.bob}").json()["data"]["accountNumber"]
        response = create(world, [item(accountNumber=taken)], key=world.other_key)
        assert response.status_code == 201, response.text


class TestLimitsAndStrictness:
    def test_empty_and_oversized_batches_are_400(self, world: World) -> None:
        for body in ([], [item(f"C{i}") for i in range(201)]):
            response = create(world, body)
            assert response.status_code == 400
            assert response.json()["details"][0]["parameter"] == "body"
            assert "1 to 200" in response.json()["message"]

    def test_the_body_must_be_an_array_of_objects(self, world: World) -> None:
        for body in (item(), [42], {"customers": [item()]}):
            assert create(world, body).status_code == 400, body
        broken = world.api.post(
            "/customers", content=b"[{", headers={"content-type": "application/json"}
        )
        assert broken.status_code == 400

    def test_unknown_and_missing_fields_name_the_item(self, world: World) -> None:
        unknown = create(world, [item(), item(colour="red")]).json()
        assert unknown["details"][0]["parameter"] == "[1].colour"
        missing = create(world, [{"name": "No zone", "currency": "USD"}]).json()
        assert missing["details"][0]["parameter"] == "[0].timeZone"

    def test_field_shapes(self, world: World) -> None:
        cases = {
            "[0].country": item(country="de"),
            "[0].email": item(email="not an email"),
            "[0].name": item(name=""),
            "[0].accountNumber": item(accountNumber="has space"),
            "[0].currency": item(currency="usd"),
        }
        for parameter, body in cases.items():
            response = create(world, [body])
            assert response.status_code == 400, parameter
            assert response.json()["details"][0]["parameter"] == parameter

    def test_no_query_parameters(self, world: World) -> None:
        assert world.api.post("/customers?dryRun=true", json=[item()]).status_code == 400


class TestAccess:
    def test_a_customer_token_may_not_create_customers(self, world: World) -> None:
        client = api(world)
        token = token_for(world, world.alice, client=client, scopes=["read", "write"])
        before = count(world)
        response = client.request(
            "POST",
            "/customers",
            key="",
            json=[item()],
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 403 and response.json()["errorCode"] == "MISSING_SCOPE"
        assert count(world) == before

    def test_a_read_only_key_may_not_either(self, world: World) -> None:
        reader = world.run.run(b.api_key(world.conn, "acme", role="read-only"))
        assert create(world, [item()], key=reader).status_code == 403
        assert create(world, [item()], key="").status_code == 401


def test_concurrent_batches_never_share_account_numbers(db_url: str, run: asyncio.Runner) -> None:
    """Through the real pool with committed data: the per-tenant lock makes batches take turns."""

    async def scenario() -> list[httpx.Response]:
        db = create_database(db_url, pool_min=1, pool_max=2)
        slug = f"conc-{uuid.uuid4().hex[:8]}"
        try:
            async with db.write() as conn:
                await b.tenant(conn, slug)
                key = await b.api_key(conn, slug)
        finally:
            await db.close()
        app = create_app(Settings(database_url=db_url, pg_pool_max=8))
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            headers = {"nue-api-key": key}
            async with httpx.AsyncClient(transport=transport, base_url="http://t",
                                         headers=headers) as client:  # fmt: skip
                batches = ([item(f"{n}-{i}") for i in range(5)] for n in range(6))
                return list(await asyncio.gather(*(client.post("/customers", json=body)
                                                   for body in batches)))  # fmt: skip

    responses = run.run(scenario())
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    numbers = [c["accountNumber"] for r in responses for c in r.json()["data"]]
    assert sorted(numbers) == [f"ACC-{n:06d}" for n in range(1, 31)]
