"""GET /subscriptions, /assets and /entitlements over HTTP, on both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.auth.test_customer_tokens import api, bearer, token_for
from tests.fixtures import builders as b
from tests.fixtures.world import World, ids_param


def add_asset(world: World, number: str, customer: str | None = None, **over: Any) -> str:
    kind = {"SUB": "Subscription", "AST": "Asset", "ENT": "Entitlement"}[number[:3]]
    order = world.orders[0] if customer in (None, world.alice) else world.bob_order
    return world.run.run(
        b.asset(
            world.conn,
            world.tenant_id,
            customer or world.alice,
            order,
            world.product,
            asset_type=kind,
            asset_number=number,
            **over,
        )
    )


@pytest.fixture
def assets(world: World) -> dict[str, str]:
    """Alice: four subscriptions (one in two versions), an asset, an entitlement; Bob: one."""
    old = add_asset(world, "SUB-00000004", is_current=False, quantity=5)
    return {
        "sub1": add_asset(world, "SUB-00000001", end_date=date(2026, 1, 14)),
        "sub2": add_asset(
            world, "SUB-00000002", status="Scheduled for Cancellation", end_date=date(2025, 9, 30)
        ),
        "sub3": add_asset(world, "SUB-00000003", status="Canceled", end_date=None),
        "sub4": add_asset(
            world,
            "SUB-00000004",
            asset_version=2,
            last_versioned_asset_id=old,
            quantity=8,
            end_date=date(2025, 7, 1),
            start_date=date(2024, 7, 2),
        ),
        "sub4_old": old,
        "asset": add_asset(world, "AST-00000001", product_category="PhysicalGoods"),
        "entitlement": add_asset(world, "ENT-00000001", product_category="CustomerSupport"),
        "bob_sub": add_asset(world, "SUB-00000009", world.bob, currency="JPY"),
    }


def numbers(world: World, path: str) -> list[str]:
    response = world.api.get(path)
    assert response.status_code == 200, response.text
    return [a["assetNumber"] for a in response.json()["data"]]


class TestLists:
    def test_subscriptions_are_current_versions_by_number(
        self, world: World, assets: dict[str, str]
    ) -> None:
        body = world.api.get(f"/subscriptions?customerIds={ids_param(world.alice)}").json()
        assert body["status"] == "SUCCESS"
        assert [a["assetNumber"] for a in body["data"]] == [
            "SUB-00000001",
            "SUB-00000002",
            "SUB-00000003",
            "SUB-00000004",
        ]
        assert body["pagination"] == {
            "limit": 100,
            "hasMore": False,
            "nextCursor": None,
            "total": 4,
        }
        latest = body["data"][3]
        assert latest["id"] == assets["sub4"] and latest["quantity"] == 8
        assert latest["lastVersionedAssetId"] == assets["sub4_old"]
        assert latest["subscriptionVersion"] == 2 == latest["assetVersion"]
        assert latest["subscriptionCompositeId"] == "SUB-00000004-2"
        assert latest["name"] == "SUB-00000004"
        assert latest["subscriptionStartDate"] == "2024-07-02" == latest["startDate"]
        assert latest["subscriptionEndDate"] == "2025-07-01" and latest["subscriptionTerm"] == 12
        assert latest["orderId"] == world.orders[0] and latest["orderProductId"] is None
        assert latest["productCategory"] == "RecurringServices"

    def test_assets_and_entitlements_are_separate_lists(
        self, world: World, assets: dict[str, str]
    ) -> None:
        ids = ids_param(world.alice)
        physical = world.api.get(f"/assets?customerIds={ids}").json()["data"]
        assert [a["id"] for a in physical] == [assets["asset"]]
        assert physical[0]["assetType"] == "Asset" and "subscriptionTerm" not in physical[0]
        assert physical[0]["productCategory"] == "PhysicalGoods"
        assert numbers(world, f"/entitlements?customerIds={ids}") == ["ENT-00000001"]

    def test_comma_list_and_several_customers(self, world: World, assets: dict[str, str]) -> None:
        got = numbers(world, f"/subscriptions?customerIds={world.alice},{world.bob}")
        assert got[-1] == "SUB-00000009" and len(got) == 5

    def test_status_filter_is_case_insensitive(self, world: World, assets: dict[str, str]) -> None:
        base = f"/subscriptions?customerIds={world.alice}&status="
        assert numbers(world, base + "ACTIVE") == ["SUB-00000001", "SUB-00000004"]
        for spelling in ("scheduled%20for%20cancellation", "ScheduledForCancellation"):
            assert numbers(world, base + spelling) == ["SUB-00000002"]
        assert numbers(world, base + "cancelled,scheduled+for+cancellation") == [
            "SUB-00000002",
            "SUB-00000003",
        ]
        assert numbers(world, base + "expired") == []

    def test_date_filters(self, world: World, assets: dict[str, str]) -> None:
        base = f"/subscriptions?customerIds={world.alice}&"
        assert numbers(world, base + "endDate<2025-10-01") == ["SUB-00000002", "SUB-00000004"]
        assert numbers(world, base + "endDate%3E%3D2025-09-30&endDate<=2025-12-31") == [
            "SUB-00000002"
        ]
        assert numbers(world, base + "startDate<2025-01-01") == ["SUB-00000004"]

    def test_money_and_dates_on_the_wire(self, world: World) -> None:
        add_asset(world, "SUB-00000001", list_price=49_500000, price=49_500000, total_price=594000)
        add_asset(world, "SUB-00000002", world.bob, currency="JPY", price=5000_000000)
        response = world.api.get(f"/subscriptions?customerIds={world.alice},{world.bob}")
        assert b'"price":49.50' in response.content and b'"totalPrice":5940.00' in response.content
        assert b'"price":5000,' in response.content


class TestPagination:
    @pytest.mark.parametrize("sort", ["assetNumber", "-assetNumber", "endDate", "-endDate",
                                      "startDate", "-startDate"])  # fmt: skip
    def test_walk_covers_every_row_once(
        self, world: World, assets: dict[str, str], sort: str
    ) -> None:
        url = f"/subscriptions?customerIds={world.alice}&sort={sort}"
        whole = numbers(world, url)
        seen: list[str] = []
        cursor = None
        for _ in range(10):
            page = world.api.get(url + "&limit=1" + (f"&cursor={cursor}" if cursor else "")).json()
            assert page["pagination"]["total"] == 4
            seen += [a["assetNumber"] for a in page["data"]]
            cursor = page["pagination"]["nextCursor"]
            if cursor is None:
                break
        assert seen == whole and len(whole) == 4

    def test_undated_subscriptions_sort_lowest(self, world: World, assets: dict[str, str]) -> None:
        url = f"/subscriptions?customerIds={world.alice}&sort="
        assert numbers(world, url + "endDate")[0] == "SUB-00000003"
        assert numbers(world, url + "-endDate")[-1] == "SUB-00000003"
        assert numbers(world, url + "-endDate")[0] == "SUB-00000001"

    def test_cursor_belongs_to_its_sort(self, world: World, assets: dict[str, str]) -> None:
        url = f"/subscriptions?customerIds={world.alice}&limit=1"
        cursor = world.api.get(url).json()["pagination"]["nextCursor"]
        response = world.api.get(url + f"&sort=endDate&cursor={cursor}")
        assert response.status_code == 400 and response.json()["errorCode"] == "INVALID_CURSOR"


class TestAccess:
    def test_api_key_must_name_customers(self, world: World) -> None:
        for path in ("/subscriptions", "/assets", "/entitlements"):
            response = world.api.get(path)
            assert response.status_code == 400, path
            assert response.json()["errorCode"] == "MISSING_PARAMETER"

    def test_other_tenants_key_sees_nothing(self, world: World, assets: dict[str, str]) -> None:
        response = world.api.get(f"/subscriptions?customerIds={world.alice}", key=world.other_key)
        assert response.status_code == 200 and response.json()["data"] == []
        assert response.json()["pagination"]["total"] == 0

    def test_token_defaults_to_its_customers_and_cannot_name_others(
        self, world: World, assets: dict[str, str]
    ) -> None:
        client = api(world)
        token = token_for(world, world.alice, client=client)
        mine = bearer(client, token, "/subscriptions").json()["data"]
        assert len(mine) == 4 and world.bob not in str(mine)
        response = bearer(client, token, f"/subscriptions?customerIds={world.bob}")
        assert response.status_code == 403
        assert response.json()["errorCode"] == "CUSTOMER_NOT_ALLOWED"
        assert world.bob not in response.text


class TestStrictness:
    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("colour=red", "colour"),
            ("status=paused", "status"),
            ("sort=quantity", "sort"),
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("endDate>=soon", "endDate"),
            ("status=active&status=ended", "status"),
            ("cursor=garbage", "cursor"),
            ("customerIds=3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "customerIds"),
        ],
    )
    def test_bad_parameters_are_400s_naming_them(
        self, world: World, query: str, parameter: str
    ) -> None:
        response = world.api.get(f"/subscriptions?customerIds={world.alice}&{query}")
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["status"] == "FAILURE" and body["details"][0]["parameter"] == parameter

    def test_customer_ids_must_be_uuids(self, world: World) -> None:
        response = world.api.get("/subscriptions?customerIds=%5B%22nope%22%5D")
        assert response.status_code == 400
        assert response.json()["details"][0]["parameter"] == "customerIds[0]"

    def test_unknown_parameter_lists_the_allowed_ones(self, world: World) -> None:
        body = world.api.get(f"/assets?customerIds={world.alice}&includes=product").json()
        assert body["errorCode"] == "UNKNOWN_PARAMETER"
        assert {"customerIds", "status", "sort", "endDate"} <= set(body["details"][0]["allowed"])

    def test_unknown_status_lists_the_statuses(self, world: World) -> None:
        body = world.api.get(f"/entitlements?customerIds={world.alice}&status=paused").json()
        assert body["details"][0]["allowed"] == [
            "Active",
            "Canceled",
            "Ended",
            "Expired",
            "Pending",
            "Scheduled for Cancellation",
        ]


def test_etag_and_304(world: World, assets: dict[str, str]) -> None:
    url = f"/subscriptions?customerIds={world.alice}"
    etag = world.api.get(url).headers["etag"]
    again = world.api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
