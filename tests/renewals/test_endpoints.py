"""GET /renewals and PATCH /subscriptions/{id} on both databases, with a pinned clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.auth.test_customer_tokens import api as token_api
from tests.auth.test_customer_tokens import token_for
from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param
from tests.renewals.helpers import Sub, subscription

EVENING_UTC = datetime(2025, 6, 1, 20, 0, tzinfo=UTC)  # June 1 in New York, June 2 in Tokyo


def _sub(world: World, customer: str, end: date, **kw: Any) -> Sub:
    return world.run.run(subscription(world.conn, world.tenant_id, customer, world.product,
                                      end=end, **kw))  # fmt: skip


def _renewals(api: Api, world: World, query: str = "") -> dict[str, Any]:
    response = api.get(f"/renewals?customerIds={ids_param(world.alice, world.bob)}{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestRenewals:
    def test_window_uses_each_customers_today(self, world: World) -> None:
        api = Api(world.conn, world.run, now=EVENING_UTC)
        api.key = world.key
        ny_today = _sub(world, world.alice, date(2025, 6, 1), tax_rate=825)
        ny_tomorrow = _sub(world, world.alice, date(2025, 6, 2))
        _sub(world, world.bob, date(2025, 6, 1), currency="JPY")  # yesterday in Tokyo
        tokyo_today = _sub(world, world.bob, date(2025, 6, 2), currency="JPY", quantity=3,
                           price=1_234_000_000, renewal_term=6, tax_rate=1000)  # fmt: skip
        body = _renewals(api, world, "&withinDays=0")
        assert [r["assetNumber"] for r in body["data"]] == [ny_today.number, tokyo_today.number]
        assert body["pagination"]["total"] == 2
        ny, tokyo = body["data"]
        # 30.00 a month × 2 × 12 months = 720.00; 8.25 % tax = 59.40
        assert (ny["daysUntilRenewal"], ny["autoRenew"], ny["renewalTerm"]) == (0, True, 12)
        assert (ny["projectedRenewalStartDate"], ny["projectedRenewalEndDate"]) == (
            "2025-06-02", "2026-06-01",
        )  # fmt: skip
        assert (ny["projectedRenewalAmount"], ny["projectedRenewalTaxAmount"]) == (720.0, 59.4)
        # ¥1,234 a month × 3 × 6 months = ¥22,212; 10 % tax = 2,221.2 -> ¥2,221
        assert tokyo["daysUntilRenewal"] == 0 and tokyo["currency"] == "JPY"
        assert (tokyo["projectedRenewalStartDate"], tokyo["projectedRenewalEndDate"]) == (
            "2025-06-03", "2025-12-02",
        )  # fmt: skip
        assert (tokyo["projectedRenewalAmount"], tokyo["projectedRenewalTaxAmount"]) == (
            22212, 2221,
        )  # fmt: skip
        wider = _renewals(api, world, "&withinDays=1")["data"]
        assert wider[0]["assetNumber"] == ny_today.number  # then two on June 2, by id
        assert {r["assetNumber"] for r in wider[1:]} == {ny_tomorrow.number, tokyo_today.number}

    def test_only_live_current_versions(self, world: World) -> None:
        june = date(2025, 6, 10)
        active = _sub(world, world.alice, june)
        pending = _sub(world, world.alice, june, status="Pending")
        for status in ("Scheduled for Cancellation", "Canceled", "Ended", "Expired"):
            _sub(world, world.alice, june, status=status)
        _sub(world, world.alice, june, is_current=False)
        once = _sub(world, world.alice, june, price_period="OneTime", renewal_term=None)
        data = _renewals(world.api, world)["data"]
        assert {r["assetNumber"] for r in data} == {active.number, pending.number, once.number}
        one_time = next(r for r in data if r["assetNumber"] == once.number)
        assert one_time["projectedRenewalAmount"] is None
        assert one_time["projectedRenewalStartDate"] is None

    def test_pages_soonest_first(self, world: World) -> None:
        subs = [_sub(world, world.alice, date(2025, 6, day)) for day in (20, 5, 12)]
        first = _renewals(world.api, world, "&limit=2")
        assert [r["assetNumber"] for r in first["data"]] == [subs[1].number, subs[2].number]
        assert first["pagination"]["hasMore"] and first["pagination"]["total"] == 3
        cursor = first["pagination"]["nextCursor"]
        rest = _renewals(world.api, world, f"&limit=2&cursor={cursor}")
        assert [r["assetNumber"] for r in rest["data"]] == [subs[0].number]
        assert rest["pagination"] == {"limit": 2, "hasMore": False, "nextCursor": None,
                                      "total": 3}  # fmt: skip

    @pytest.mark.parametrize(
        ("query", "parameter", "code"),
        [
            ("withinDays=3661", "withinDays", "INVALID_PARAMETER"),
            ("withinDays=-1", "withinDays", "INVALID_PARAMETER"),
            ("withinDays=soon", "withinDays", "INVALID_PARAMETER"),
            ("withinDays=5&withinDays=6", "withinDays", "INVALID_PARAMETER"),
            ("withinDays>5", "withinDays", "INVALID_PARAMETER"),
            ("status=active", "status", "UNKNOWN_PARAMETER"),
            ("limit=0", "limit", "INVALID_PARAMETER"),
            ("cursor=abc", "cursor", "INVALID_CURSOR"),
        ],
    )
    def test_strict_parameters(self, world: World, query: str, parameter: str, code: str) -> None:
        response = world.api.get(f"/renewals?customerIds={world.alice}&{query}")
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["errorCode"] == code and body["details"][0]["parameter"] == parameter

    def test_customer_ids_rules(self, world: World) -> None:
        missing = world.api.get("/renewals")
        assert missing.status_code == 400 and missing.json()["errorCode"] == "MISSING_PARAMETER"
        stranger = world.api.get(f"/renewals?customerIds={b.new_id()}")
        assert stranger.status_code == 200 and stranger.json()["pagination"]["total"] == 0


class TestAutoRenew:
    def test_turns_off_in_place_with_history(self, world: World) -> None:
        sub = _sub(world, world.alice, date(2025, 9, 30))
        response = world.api.request("PATCH", f"/subscriptions/{sub.asset_id}",
                                     json={"autoRenew": False})  # fmt: skip
        assert response.status_code == 200, response.text
        (data,) = response.json()["data"]
        assert (data["id"], data["autoRenew"], data["assetVersion"]) == (sub.asset_id, False, 1)
        assert response.headers["cache-control"] == "no-store"
        order = world.api.get(f"/orders/{sub.order_id}?includes=history").json()["data"]
        assert order["lifecycle"]["autoRenew"] is False
        (event,) = [e for e in order["history"] if e["action"] == "subscription.auto_renew_changed"]
        assert event["changes"] == [{"field": "autoRenew", "from": True, "to": False}]
        assert (event["actorType"], event["assetNumber"]) == ("api_key", sub.number)
        again = world.api.request("PATCH", f"/subscriptions/{sub.asset_id}",
                                  json={"autoRenew": False})  # fmt: skip
        assert again.status_code == 200 and again.json()["data"][0]["autoRenew"] is False
        history = world.api.get(f"/orders/{sub.order_id}/history").json()["data"]
        assert [e["action"] for e in history].count("subscription.auto_renew_changed") == 1

    @pytest.mark.parametrize(
        ("body", "parameter"),
        [({}, "autoRenew"), ({"autoRenew": "no"}, "autoRenew"),
         ({"autoRenew": False, "renewalTerm": 6}, "renewalTerm")],
    )  # fmt: skip
    def test_strict_body(self, world: World, body: dict[str, Any], parameter: str) -> None:
        sub = _sub(world, world.alice, date(2025, 9, 30))
        response = world.api.request("PATCH", f"/subscriptions/{sub.asset_id}", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["parameter"] == parameter

    def test_not_found_and_not_live(self, world: World) -> None:
        sub = _sub(world, world.alice, date(2025, 9, 30))
        old = _sub(world, world.alice, date(2025, 9, 30), is_current=False)
        canceled = _sub(world, world.alice, date(2025, 9, 30), status="Canceled")
        body = {"autoRenew": False}
        for target in (b.new_id(), "not-a-uuid", old.asset_id):
            missing = world.api.request("PATCH", f"/subscriptions/{target}", json=body)
            assert missing.status_code == 404
            assert missing.json()["errorCode"] == "SUBSCRIPTION_NOT_FOUND"
        query = world.api.request("PATCH", f"/subscriptions/{sub.asset_id}?x=1", json=body)
        assert query.status_code == 400
        conflict = world.api.request("PATCH", f"/subscriptions/{canceled.asset_id}", json=body)
        assert conflict.status_code == 409
        assert conflict.json()["errorCode"] == "SUBSCRIPTION_NOT_LIVE"


class TestCustomerTokens:
    def test_a_write_token_changes_only_its_customers(self, world: World) -> None:
        client = token_api(world)
        token = token_for(world, world.alice, client=client, scopes=["read", "write"])
        mine = _sub(world, world.alice, date(2025, 6, 20))
        theirs = _sub(world, world.bob, date(2025, 6, 20), currency="JPY")
        headers = {"Authorization": f"Bearer {token}"}
        listed = client.request("GET", "/renewals", key="", headers=headers)
        assert [r["assetNumber"] for r in listed.json()["data"]] == [mine.number]
        denied = client.request("GET", f"/renewals?customerIds={world.bob}", key="",
                                headers=headers)  # fmt: skip
        assert denied.status_code == 403
        body = {"autoRenew": False}
        ok = client.request("PATCH", f"/subscriptions/{mine.asset_id}", key="", headers=headers,
                            json=body)  # fmt: skip
        assert ok.status_code == 200 and ok.json()["data"][0]["autoRenew"] is False
        hidden = client.request("PATCH", f"/subscriptions/{theirs.asset_id}", key="",
                                headers=headers, json=body)  # fmt: skip
        assert hidden.status_code == 404
        history = world.api.get(f"/orders/{mine.order_id}/history").json()["data"]
        (event,) = [e for e in history if e["action"] == "subscription.auto_renew_changed"]
        assert event["actorType"] == "customer"
