"""GET /orders, /orders/{id}, /orders/{id}/history and POST /orders/query over HTTP."""

from __future__ import annotations

from datetime import timedelta

from selfserve.orders.query import SORT_KEYS
from tests.fixtures import builders as b
from tests.fixtures.world import World, ids_param


class TestListOrders:
    def test_returns_the_customers_orders_newest_first(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "SUCCESS"
        assert [o["id"] for o in body["data"]] == list(reversed(world.orders))
        assert body["data"][0]["orderProducts"][0]["totalPrice"] == 500.0
        assert body["pagination"] == {
            "limit": 100,
            "hasMore": False,
            "nextCursor": None,
            "total": 5,
        }

    def test_comma_list_equals_json_array(self, world: World) -> None:
        as_json = world.api.get(f"/orders?customerIds={ids_param(world.alice, world.bob)}").json()
        as_csv = world.api.get(f"/orders?customerIds={world.alice},{world.bob}").json()
        assert as_json["data"] == as_csv["data"]
        assert as_json["pagination"]["total"] == 6

    def test_missing_key_is_401(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}", key="")
        assert response.status_code == 401
        assert response.json()["status"] == "FAILURE"

    def test_other_tenants_key_sees_nothing(self, world: World) -> None:
        response = world.api.get(
            f"/orders?customerIds={ids_param(world.alice)}", key=world.other_key
        )
        assert response.status_code == 200
        assert response.json()["data"] == []

    def test_money_is_rendered_with_currency_decimals(self, world: World) -> None:
        response = world.api.get(
            f"/orders?customerIds={ids_param(world.bob, world.alice)}&limit=1&sort=-totalAmount"
        )
        assert b'"totalAmount":500.00' in response.content


class TestPagination:
    def walk(self, world: World, extra: str = "", limit: int = 2) -> list[str]:
        seen: list[str] = []
        url = f"/orders?customerIds={ids_param(world.alice)}&limit={limit}{extra}"
        cursor = None
        for _ in range(10):
            page = world.api.get(url + (f"&cursor={cursor}" if cursor else "")).json()
            seen += [o["id"] for o in page["data"]]
            assert page["pagination"]["total"] == 5
            cursor = page["pagination"]["nextCursor"]
            assert page["pagination"]["hasMore"] == (cursor is not None)
            if cursor is None:
                return seen
        raise AssertionError("pagination did not end")

    def test_pages_cover_every_order_once(self, world: World) -> None:
        assert self.walk(world) == list(reversed(world.orders))

    def test_every_sort_key_pages_consistently(self, world: World) -> None:
        for sort in (
            "createdDate",
            "-totalAmount",
            "totalAmount",
            "orderNumber",
            "-orderNumber",
            "lastModifiedDate",
            "orderPlacedDate",
            "-orderPlacedDate",
        ):
            whole = world.api.get(
                f"/orders?customerIds={ids_param(world.alice)}&sort={sort}"
            ).json()
            assert self.walk(world, f"&sort={sort}") == [o["id"] for o in whole["data"]], sort

    def test_drafts_without_placed_date_sort_lowest(self, world: World) -> None:
        url = f"/orders?customerIds={ids_param(world.alice)}&sort=orderPlacedDate"
        ascending = world.api.get(url).json()["data"]
        assert ascending[0]["orderPlacedDate"] is None
        descending = world.api.get(url.replace("=orderPlacedDate", "=-orderPlacedDate")).json()[
            "data"
        ]
        assert descending[-1]["orderPlacedDate"] is None

    def test_new_orders_between_pages_never_repeat_a_row(self, world: World) -> None:
        url = f"/orders?customerIds={ids_param(world.alice)}&limit=2"
        first = world.api.get(url).json()
        newer = world.run.run(
            b.order(world.conn, world.tenant_id, world.alice, created_at=b.T0 + timedelta(days=30))
        )
        second = world.api.get(url + f"&cursor={first['pagination']['nextCursor']}").json()
        ids = [o["id"] for o in first["data"] + second["data"]]
        assert newer not in ids
        assert len(set(ids)) == 4
        assert second["pagination"]["total"] == 6

    def test_changes_between_pages_never_repeat_or_skip_a_row(self, world: World) -> None:
        for sort in [p + key for key in SORT_KEYS for p in ("", "-")]:  # the walk's snapshot
            url = f"/orders?customerIds={ids_param(world.alice)}&limit=2&sort={sort}"
            first = world.api.get(url).json()
            shown = [o["id"] for o in first["data"]]
            for order_id in world.orders:  # every order changes: name, amount, modified time
                sql = world.conn.sql()
                world.run.run(world.conn.execute(
                    f"UPDATE orders SET name = 'Changed', total_amount = total_amount + 1, "
                    f"updated_at = {sql.p(b.T0 + timedelta(days=40))} WHERE id = {sql.p(order_id)}",
                    sql.params,
                ))  # fmt: skip
            cursor = first["pagination"]["nextCursor"]
            while cursor:
                page = world.api.get(url + f"&cursor={cursor}").json()
                shown += [o["id"] for o in page["data"]]
                cursor = page["pagination"]["nextCursor"]
            assert sorted(shown) == sorted(world.orders), sort
            assert len(shown) == len(set(shown)) == 5, sort

    def test_cursor_belongs_to_its_sort(self, world: World) -> None:
        url = f"/orders?customerIds={ids_param(world.alice)}&limit=2"
        cursor = world.api.get(url).json()["pagination"]["nextCursor"]
        response = world.api.get(url + f"&sort=totalAmount&cursor={cursor}")
        assert response.status_code == 400
        assert response.json()["errorCode"] == "INVALID_CURSOR"


class TestFilters:
    def get(self, world: World, query: str) -> list[str]:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice, world.bob)}&{query}")
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()["data"]]

    def test_status(self, world: World) -> None:
        assert self.get(world, "status=draft") == [world.orders[2]]
        assert world.orders[2] not in self.get(world, "status=active")

    def test_amount_compares_in_each_currency_major_unit(self, world: World) -> None:
        # Bob's JPY order is 5000 yen; Alice's USD orders are 100.00 .. 500.00 dollars.
        assert self.get(world, "totalAmount>=400") == [
            world.orders[4],
            world.orders[3],
            world.bob_order,
        ]
        assert self.get(world, "totalAmount>400") == [world.orders[4], world.bob_order]
        assert self.get(world, "totalAmount<=100&currency=USD") == [world.orders[0]]

    def test_dates_and_timestamps(self, world: World) -> None:
        assert self.get(world, "orderPlacedDate>=2025-01-18") == [world.orders[4], world.orders[3]]
        assert self.get(world, "createdDate=2025-01-16") == [world.orders[1]]
        assert self.get(world, "createdDate>2025-01-18T00:00:00Z") == [
            world.orders[4],
            world.orders[3],
        ]

    def test_search_in_number_and_name(self, world: World) -> None:
        assert self.get(world, "q=beta") == [world.orders[3], world.orders[1]]

    def test_filters_and_unknown_fields_in_one_error(self, world: World) -> None:
        response = world.api.get(f"/orders?customerIds={ids_param(world.alice)}&colour=red")
        body = response.json()
        assert response.status_code == 400
        assert body["errorType"] == "BadRequest"
        assert body["errorCode"] == "UNKNOWN_PARAMETER"
        assert body["details"][0]["parameter"] == "colour"
        assert "orderPlacedDate" in body["details"][0]["allowed"]

    def test_api_key_must_name_customers(self, world: World) -> None:
        response = world.api.get("/orders")
        assert response.status_code == 400
        assert response.json()["errorCode"] == "MISSING_PARAMETER"
        assert "customerIds" in response.json()["message"]

    def test_post_query_equals_get(self, world: World) -> None:
        got = world.api.get(f"/orders?customerIds={ids_param(world.alice)}&status=active&limit=2")
        posted = world.api.post(
            "/orders/query", json={"customerIds": [world.alice], "status": "active", "limit": 2}
        )
        assert posted.status_code == 200
        assert posted.json() == got.json()
