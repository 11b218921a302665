"""One order, its includes, its history, HTTP caching and request ids."""

from __future__ import annotations

import json
from datetime import date, timedelta

from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param


def add_related(world: World, order_id: str, assets: int = 3, invoices: int = 3) -> list[str]:
    numbers = []
    for _ in range(assets):
        number = f"SUB-{90000000 + b.next_number():08d}"
        numbers.append(number)
        world.run.run(
            b.asset(
                world.conn,
                world.tenant_id,
                world.alice,
                order_id,
                world.product,
                asset_number=number,
                quantity=5,
                list_price=49_500000,
                price=49_500000,
                total_price=594000,
            )
        )
    for month in range(invoices):
        world.run.run(
            b.invoice(
                world.conn,
                world.tenant_id,
                world.alice,
                order_id,
                invoice_date=date(2025, 1 + month, 15),
                due_date=date(2025, 2 + month, 14),
            )
        )
    return numbers


class TestGetOrder:
    def test_one_order_with_lines(self, world: World) -> None:
        response = world.api.get(f"/orders/{world.orders[0]}")
        assert response.status_code == 200
        order = response.json()["data"]
        assert order["id"] == world.orders[0]
        assert order["orderProducts"][0]["totalPrice"] == 100.0
        assert "assets" not in order and "invoices" not in order

    def test_other_tenants_order_is_404(self, world: World) -> None:
        response = world.api.get(f"/orders/{world.other_tenant_order}")
        assert response.status_code == 404
        assert response.json()["errorCode"] == "ORDER_NOT_FOUND"

    def test_malformed_id_is_404_not_500(self, world: World) -> None:
        assert world.api.get("/orders/not-a-uuid").status_code == 404

    def test_unknown_parameter_is_400(self, world: World) -> None:
        response = world.api.get(f"/orders/{world.orders[0]}?expand=assets")
        assert response.status_code == 400
        assert response.json()["details"][0]["allowed"] == ["includes"]


class TestIncludes:
    def test_assets_and_invoices_embedded(self, world: World) -> None:
        numbers = add_related(world, world.orders[0])
        order = world.api.get(f"/orders/{world.orders[0]}?includes=assets,invoices").json()["data"]
        assert [a["assetNumber"] for a in order["assets"]] == numbers
        assert order["assets"][0]["price"] == 49.5
        assert order["assets"][0]["totalPrice"] == 5940.0
        assert order["assetsTruncated"] is False
        assert [i["invoiceDate"] for i in order["invoices"]] == [
            "2025-03-15",
            "2025-02-15",
            "2025-01-15",
        ]
        assert order["invoices"][0]["amount"] == 108.25
        assert order["invoicesTruncated"] is False

    def test_only_the_current_version_of_an_asset_appears(self, world: World) -> None:
        first = world.run.run(
            b.asset(
                world.conn,
                world.tenant_id,
                world.alice,
                world.orders[0],
                world.product,
                asset_number="SUB-00000777",
                is_current=False,
                quantity=5,
            )
        )
        world.run.run(
            b.asset(
                world.conn,
                world.tenant_id,
                world.alice,
                world.orders[1],
                world.product,
                asset_number="SUB-00000777",
                asset_version=2,
                last_versioned_asset_id=first,
                quantity=8,
            )
        )
        for order_id in world.orders[:2]:
            assets = world.api.get(f"/orders/{order_id}?includes=assets").json()["data"]["assets"]
            assert [(a["assetNumber"], a["assetVersion"], a["quantity"]) for a in assets] == [
                ("SUB-00000777", 2, 8)
            ]
            assert assets[0]["lastVersionedAssetId"] == first

    def test_overdue_is_judged_on_the_customers_date(self, world: World) -> None:
        world.run.run(
            b.invoice(
                world.conn,
                world.tenant_id,
                world.alice,
                world.orders[0],
                due_date=date(2025, 5, 31),
            )
        )
        invoice = world.api.get(f"/orders/{world.orders[0]}?includes=invoices").json()["data"][
            "invoices"
        ][0]
        assert invoice["isOverdue"] is True

    def test_caps_say_when_they_cut(self, world: World) -> None:
        add_related(world, world.orders[0], assets=3, invoices=3)
        capped = Api(world.conn, world.run, include_cap=2)
        capped.key = world.key
        order = capped.get(f"/orders/{world.orders[0]}?includes=assets,invoices").json()["data"]
        assert len(order["assets"]) == 2 and order["assetsTruncated"] is True
        assert len(order["invoices"]) == 2 and order["invoicesTruncated"] is True
        assert order["invoices"][0]["invoiceDate"] == "2025-03-15"

    def test_history_covers_the_order_and_its_assets(self, world: World) -> None:
        numbers = add_related(world, world.orders[0], assets=1, invoices=0)
        add = world.run.run
        add(b.event(world.conn, world.tenant_id, world.alice, order_id=world.orders[0], at=b.T0))
        add(
            b.event(
                world.conn,
                world.tenant_id,
                world.alice,
                order_id=world.orders[1],
                asset_number=numbers[0],
                entity_type="asset",
                action="subscription.quantity_changed",
                changes=[{"field": "quantity", "from": 5, "to": 8}],
                at=b.T0 + timedelta(days=3),
            )
        )
        add(b.event(world.conn, world.tenant_id, world.alice, order_id=world.orders[1], at=b.T0))
        order = world.api.get(f"/orders/{world.orders[0]}?includes=history").json()["data"]
        assert [e["action"] for e in order["history"]] == [
            "order.created",
            "subscription.quantity_changed",
        ]
        assert order["history"][1]["changes"] == [{"field": "quantity", "from": 5, "to": 8}]
        page = world.api.get(f"/orders/{world.orders[0]}/history?limit=1").json()
        assert page["pagination"]["total"] == 2 and page["pagination"]["hasMore"] is True
        rest = world.api.get(
            f"/orders/{world.orders[0]}/history?limit=1&cursor={page['pagination']['nextCursor']}"
        ).json()
        assert [e["action"] for e in page["data"] + rest["data"]] == [
            e["action"] for e in order["history"]
        ]


class TestCaching:
    def test_etag_and_304(self, world: World) -> None:
        url = f"/orders?customerIds={ids_param(world.alice)}"
        first = world.api.get(url)
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "private, no-cache"
        assert "nue-api-key" in first.headers["vary"] and "Authorization" in first.headers["vary"]
        again = world.api.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag

    def test_a_change_changes_the_etag(self, world: World) -> None:
        url = f"/orders/{world.orders[0]}"
        etag = world.api.get(url).headers["etag"]
        sql = world.conn.sql()
        world.run.run(
            world.conn.execute(
                f"UPDATE orders SET name = 'Renamed' WHERE id = {sql.p(world.orders[0])}",
                sql.params,
            )
        )
        response = world.api.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200 and response.headers["etag"] != etag


class TestRequestIds:
    def test_echoed_and_in_errors(self, world: World) -> None:
        response = world.api.get("/orders/nope", headers={"X-Request-Id": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"
        assert response.json()["requestId"] == "abc-123"

    def test_generated_when_absent_or_unsafe(self, world: World) -> None:
        plain = world.api.get("/health")
        assert len(plain.headers["x-request-id"]) == 32
        odd = world.api.get("/health", headers={"X-Request-Id": "bad id\twith spaces"})
        assert odd.headers["x-request-id"] != "bad id\twith spaces"


class TestLifecycle:
    def test_stages_and_renewal_countdown(self, world: World) -> None:
        add = world.run.run
        conn, tenant, alice = world.conn, world.tenant_id, world.alice
        due = add(
            b.order(
                conn,
                tenant,
                alice,
                next_renewal_date=date(2025, 6, 21),
                auto_renew=True,
                renewal_term=12,
            )
        )
        later = add(b.order(conn, tenant, alice, next_renewal_date=date(2025, 12, 31)))
        leaving = add(
            b.order(
                conn,
                tenant,
                alice,
                cancel_effective_date=date(2025, 7, 1),
                canceled_at=b.T0,
                cancellation_reason="Budget",
                canceled_by_id="k1",
            )
        )
        ended = add(b.order(conn, tenant, alice, subscription_end_date=date(2025, 3, 1)))
        stages = {}
        for oid in (due, later, leaving, ended, world.orders[2]):
            stages[oid] = world.api.get(f"/orders/{oid}").json()["data"]["lifecycle"]
        assert stages[due]["stage"] == "renewal_due"
        assert stages[due]["daysUntilRenewal"] == 20
        assert stages[due]["autoRenew"] is True and stages[due]["renewalTerm"] == 12
        assert stages[later]["stage"] == "active"
        assert stages[leaving]["stage"] == "pending_cancellation"
        assert stages[leaving]["cancellation"]["reason"] == "Budget"
        assert stages[leaving]["cancellation"]["effectiveDate"] == "2025-07-01"
        assert stages[ended]["stage"] == "expired"
        assert stages[world.orders[2]]["stage"] == "draft"

    def test_renewal_window_uses_each_customers_local_date(self, world: World) -> None:
        # 2025-06-01T20:00Z is already June 2nd in Tokyo but still June 1st in New York.
        from datetime import UTC, datetime

        add = world.run.run
        tokyo = add(
            b.order(
                world.conn,
                world.tenant_id,
                world.bob,
                currency="JPY",
                next_renewal_date=date(2025, 6, 2),
            )
        )
        new_york = add(
            b.order(world.conn, world.tenant_id, world.alice, next_renewal_date=date(2025, 6, 2))
        )
        api = Api(world.conn, world.run, now=datetime(2025, 6, 1, 20, 0, tzinfo=UTC))
        api.key = world.key
        url = f"/orders?customerIds={ids_param(world.alice, world.bob)}&renewalWithinDays="
        assert [o["id"] for o in api.get(url + "0").json()["data"]] == [tokyo]
        assert {o["id"] for o in api.get(url + "1").json()["data"]} == {tokyo, new_york}


def test_actions_follow_the_state_and_the_served_routes(world: World) -> None:
    activated = world.api.get(f"/orders/{world.orders[0]}").json()["data"]
    assert [a["name"] for a in activated["actions"]] == ["change", "renew", "cancel"]
    draft = world.api.get(f"/orders/{world.orders[2]}").json()["data"]
    assert [(a["name"], a["href"]) for a in draft["actions"]] == [
        ("activate", f"/orders/{world.orders[2]}"),
        ("cancel", f"/orders/{world.orders[2]}/cancel"),
    ]


def test_history_changes_roundtrip_json(world: World) -> None:
    world.run.run(
        b.event(
            world.conn,
            world.tenant_id,
            world.alice,
            order_id=world.orders[0],
            changes=[{"field": "totalAmount", "from": "100.00", "to": None}],
        )
    )
    events = world.api.get(f"/orders/{world.orders[0]}/history").json()["data"]
    assert (
        json.dumps(events[0]["changes"])
        == '[{"field": "totalAmount", "from": "100.00", "to": null}]'
    )
