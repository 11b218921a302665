"""Walking every page of GET /orders is a snapshot of the walk's first page.

Whatever happens between page requests (orders created, totals, placed dates and modified
times changed, drafts activated, orders canceled, change orders created and activated), the
pages of one walk, put together, are exactly the list the first page's moment would have
given in one piece: every order that existed then exactly once, in that order, and no order
created later. For every sort key, both directions, one customer or several; on SQLite and
PostgreSQL; then once more through the real pool with committed, concurrent writes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfserve.app import create_app
from selfserve.config import Settings
from selfserve.db import create_database
from selfserve.models import order_sort_history
from selfserve.orders.query import SORT_KEYS
from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param
from tests.orders.test_lifecycle import Catalog, catalog

__all__ = ["catalog"]

SORTS = [prefix + name for name in SORT_KEYS for prefix in ("", "-")]
MUTABLE = [key for key in SORT_KEYS.values() if not key.immutable]

# Few distinct values, so that ties (broken by id) are common.
AMOUNTS = st.sampled_from([0, 10_000, 30_000, 50_000, 90_000])
DAYS = st.integers(-3, 3)
OPERATION = st.one_of(
    st.just(("page",)),
    st.tuples(st.just("insert"), st.integers(0, 1), DAYS, AMOUNTS, st.none() | DAYS),
    st.tuples(st.just("total"), st.integers(0, 99), AMOUNTS),
    st.tuples(st.just("placed"), st.integers(0, 99), st.none() | DAYS),
    st.tuples(st.just("touch"), st.integers(0, 99), st.integers(-5, 200)),
    st.tuples(st.just("activate"), st.integers(0, 99)),
    st.tuples(st.just("cancel"), st.integers(0, 99)),
    st.tuples(st.just("change"), st.integers(1, 3)),
)


def sql_update(world: World, order_id: str, column: str, value: Any) -> None:
    """An operator's UPDATE: no write path involved, only the database's triggers."""
    sql = world.conn.sql()
    world.run.run(
        world.conn.execute(
            f"UPDATE orders SET {column} = {sql.p(value)} WHERE id = {sql.p(order_id)}",
            sql.params,
        )
    )


@pytest.fixture
def api(world: World) -> Api:
    """The world's app without the per-key rate limit: a walk's examples come in quick bursts."""
    unlimited = Api(
        world.conn, world.run, rate_limit_key_per_second=1e9, rate_limit_key_burst=10**9
    )
    unlimited.key = world.key
    return unlimited


class Walk:
    """One walk through the pages, with writes between the page requests."""

    def __init__(
        self, world: World, api: Api, catalog: Catalog, sort: str, customers: list[str]
    ) -> None:
        self.world, self.api, self.catalog, self.customers = world, api, catalog, customers
        self.url = f"/orders?customerIds={ids_param(*customers)}&sort={sort}"
        self.shown: list[str] = []
        self.cursor: str | None = None
        self.orders = self._order_ids()  # the orders raw SQL may change
        self.drafts: list[str] = []  # API orders that may be activated or canceled
        self.subscription = ""

    def _order_ids(self) -> list[str]:
        sql = self.world.conn.sql()
        rows = self.world.run.run(
            self.world.conn.fetch(
                f"SELECT id FROM orders WHERE {sql.in_('customer_id', self.customers)} "
                "ORDER BY order_number",
                sql.params,
            )
        )
        return [self.world.conn.to_id(r[0]) for r in rows]

    def prepare(self) -> None:
        """API orders of every kind: a draft, an activated order and a change order draft."""
        self.drafts += [self._draft(), self._draft()]
        activated = self.api.post(f"/orders/{self.drafts[1]}", json={})
        assert activated.status_code == 200, activated.text
        self.subscription = activated.json()["data"]["assets"][0]["assetNumber"]
        self._change(2)
        self.orders = self._order_ids()

    def _draft(self) -> str:
        line = {"priceBookEntryId": self.catalog.monthly, "quantity": 3}
        body = {"customer": {"id": self.customers[0]}, "effectiveDate": "2025-06-01",
                "orderProducts": [line]}  # fmt: skip
        response = self.api.post("/orders", json=body)
        assert response.status_code == 201, response.text
        order_id: str = response.json()["data"]["order"]["id"]
        return order_id

    def start(self, limit: int) -> list[str]:
        """The whole list in one piece, then the walk's first page at the same moment."""
        whole = self.api.get(self.url + "&limit=500").json()["data"]
        self.url += f"&limit={limit}"
        self.page(first=True)
        return [o["id"] for o in whole]

    def page(self, first: bool = False) -> None:
        if not (first or self.cursor):
            return  # the walk ended
        response = self.api.get(self.url + (f"&cursor={self.cursor}" if self.cursor else ""))
        assert response.status_code == 200, response.text
        body = response.json()
        self.shown += [o["id"] for o in body["data"]]
        self.cursor = body["pagination"]["nextCursor"]

    def finish(self) -> list[str]:
        for _ in range(200):
            if not self.cursor:
                return self.shown
            self.page()
        raise AssertionError("the walk did not end")

    def run(self, op: tuple[Any, ...]) -> None:
        getattr(self, f"_{op[0]}")(*op[1:])

    def _page(self) -> None:
        self.page()

    def _insert(self, who: int, day: int, amount: int, placed: int | None) -> None:
        customer = self.customers[who % len(self.customers)]
        at = b.T0 + timedelta(days=day)
        self.world.run.run(
            b.order(self.world.conn, self.world.tenant_id, customer, created_at=at,
                    updated_at=at, total_amount=amount, status="Draft" if placed is None else
                    "Activated", order_placed_date=None if placed is None else
                    date(2025, 1, 15) + timedelta(days=placed))
        )  # fmt: skip

    def _total(self, index: int, amount: int) -> None:
        sql_update(self.world, self.orders[index % len(self.orders)], "total_amount", amount)

    def _placed(self, index: int, day: int | None) -> None:
        placed = None if day is None else date(2025, 1, 15) + timedelta(days=day)
        sql_update(self.world, self.orders[index % len(self.orders)], "order_placed_date", placed)

    def _touch(self, index: int, hours: int) -> None:
        at = b.T0 + timedelta(hours=hours)
        sql_update(self.world, self.orders[index % len(self.orders)], "updated_at", at)

    def _activate(self, index: int) -> None:
        order_id = self.drafts[index % len(self.drafts)]
        response = self.api.post(f"/orders/{order_id}", json={})
        assert response.status_code in (200, 409, 422), response.text

    def _cancel(self, index: int) -> None:
        order_id = self.drafts[index % len(self.drafts)]
        body = {"cancellationDate": "2025-06-01", "reason": "walk"}
        response = self.api.post(f"/orders/{order_id}/cancel", json=body)
        assert response.status_code in (200, 409, 422), response.text

    def _change(self, quantity: int) -> None:
        change = {"changeType": "UpdateQuantity", "assetNumber": self.subscription,
                  "quantity": quantity, "startDate": "2025-06-15"}  # fmt: skip
        response = self.api.post("/change-orders", json={"assetChanges": [change]})
        assert response.status_code in (201, 409, 422), response.text
        if response.status_code == 201:
            self.drafts.append(response.json()["data"]["order"]["id"])


@pytest.mark.parametrize("sort", SORTS)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    limit=st.integers(1, 3),
    both_customers=st.booleans(),
    operations=st.lists(OPERATION, max_size=14),
)
def test_a_walk_is_the_list_at_its_first_page(
    world: World,
    api: Api,
    catalog: Catalog,
    sort: str,
    limit: int,
    both_customers: bool,
    operations: list[tuple[Any, ...]],
) -> None:
    customers = [world.alice, world.bob] if both_customers else [world.alice]
    world.run.run(world.conn.execute("SAVEPOINT example"))
    try:
        walk = Walk(world, api, catalog, sort, customers)
        walk.prepare()
        expected = walk.start(limit)
        for op in operations:
            walk.run(op)
        assert walk.finish() == expected
    finally:
        world.run.run(world.conn.execute("ROLLBACK TO SAVEPOINT example"))


def test_changes_between_pages_move_no_order_across_the_cursor(world: World) -> None:
    """Deterministic companion of the property: every order moves to the other end."""
    for sort in SORTS:
        url = f"/orders?customerIds={ids_param(world.alice)}&limit=2&sort={sort}"
        expected = [
            o["id"] for o in world.api.get(url.replace("limit=2", "limit=50")).json()["data"]
        ]
        first = world.api.get(url).json()
        key = SORT_KEYS[sort.lstrip("-")]
        shown = [o["id"] for o in first["data"]]
        for rank, order_id in enumerate(expected):  # reverse the whole order of the list
            if not key.immutable:
                sql_update(world, order_id, key.column, _reversed_value(key.column, rank))
        cursor = first["pagination"]["nextCursor"]
        while cursor:
            page = world.api.get(url + f"&cursor={cursor}").json()
            shown += [o["id"] for o in page["data"]]
            cursor = page["pagination"]["nextCursor"]
        assert shown == expected, sort


def _reversed_value(column: str, rank: int) -> Any:
    descending = 100 - rank  # applied to the list in either direction, it flips it
    if column == "total_amount":
        return descending * 1_000
    if column == "order_placed_date":
        return date(2025, 1, 1) + timedelta(days=descending)
    return b.T0 + timedelta(hours=descending)


class TestRevisions:
    def test_every_mutable_sort_key_keeps_its_history(self, world: World) -> None:
        kept = set(order_sort_history.c.keys())
        order_id = world.orders[0]
        values = {"updated_at": b.T0 + timedelta(days=9), "total_amount": 123,
                  "order_placed_date": date(2025, 3, 3)}  # fmt: skip
        for key in MUTABLE:
            assert key.column in kept, key.name
            before = self._revision(world, order_id)
            sql_update(world, order_id, key.column, values[key.column])
            after = self._revision(world, order_id)
            assert after[1] > before[1] and after[0] == before[0], key.name
            rows = self._history(world, order_id)
            assert rows[-1][:2] == (before[1], after[1]), key.name

    def test_other_changes_keep_the_revision(self, world: World) -> None:
        order_id = world.orders[1]
        before = self._revision(world, order_id)
        sql_update(world, order_id, "name", "Renamed")
        sql_update(world, order_id, "status", "Canceled")
        assert self._revision(world, order_id) == before
        assert self._history(world, order_id) == []

    def test_new_orders_take_the_next_revision(self, world: World) -> None:
        sql = world.conn.sql()
        clock = world.run.run(
            world.conn.fetchval(
                f"SELECT revision FROM order_clocks WHERE tenant_id = {sql.p(world.tenant_id)}",
                sql.params,
            )
        )
        newer = world.run.run(b.order(world.conn, world.tenant_id, world.alice))
        assert self._revision(world, newer) == (clock + 1, clock + 1)

    @staticmethod
    def _revision(world: World, order_id: str) -> tuple[int, int]:
        sql = world.conn.sql()
        row = world.run.run(
            world.conn.fetchrow(
                f"SELECT created_revision, revision FROM orders WHERE id = {sql.p(order_id)}",
                sql.params,
            )
        )
        assert row is not None
        return int(row[0]), int(row[1])

    @staticmethod
    def _history(world: World, order_id: str) -> list[tuple[int, int]]:
        sql = world.conn.sql()
        rows = world.run.run(
            world.conn.fetch(
                "SELECT valid_from, valid_to FROM order_sort_history "
                f"WHERE order_id = {sql.p(order_id)} ORDER BY valid_from",
                sql.params,
            )
        )
        return [(int(r[0]), int(r[1])) for r in rows]


class TestCursorPin:
    def cursor(self, world: World) -> tuple[str, list[Any]]:
        url = f"/orders?customerIds={ids_param(world.alice)}&limit=2&sort=-totalAmount"
        token = world.api.get(url).json()["pagination"]["nextCursor"]
        return url, json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))

    @staticmethod
    def encode(fields: list[Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()

    @pytest.mark.parametrize("pin", [-1, "3", True, 1.5, None, [1]])
    def test_a_tampered_pin_is_a_400_naming_the_cursor(self, world: World, pin: Any) -> None:
        url, fields = self.cursor(world)
        response = world.api.get(url + "&cursor=" + self.encode([*fields[:4], pin]))
        assert response.status_code == 400
        body = response.json()
        assert body["errorCode"] == "INVALID_CURSOR"
        assert body["details"][0]["parameter"] == "cursor"

    def test_a_cursor_with_extra_fields_is_a_400(self, world: World) -> None:
        url, fields = self.cursor(world)
        response = world.api.get(url + "&cursor=" + self.encode([*fields, 1]))
        assert response.status_code == 400
        assert response.json()["errorCode"] == "INVALID_CURSOR"

    def test_a_cursor_from_before_pins_is_pinned_from_its_next_page(self, world: World) -> None:
        url, fields = self.cursor(world)
        assert isinstance(fields[4], int)
        response = world.api.get(
            url.replace("limit=2", "limit=1") + "&cursor=" + self.encode(fields[:4])
        )
        assert response.status_code == 200
        token = response.json()["pagination"]["nextCursor"]
        again = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        assert len(again) == 5 and again[4] >= fields[4]


# --- committed writes through the real pool ---------------------------------------------------


async def _tenant(db_url: str) -> dict[str, str]:
    db = create_database(db_url, pool_min=1, pool_max=4)
    try:
        async with db.write() as conn:
            slug = f"walk-{uuid.uuid4().hex[:8]}"
            tenant = await b.tenant(conn, slug)
            key = await b.api_key(conn, slug)
            customer = await b.customer(conn, tenant)
            product = await b.product(conn, tenant, product_category="RecurringServices")
            price = await b.price_book_entry(conn, tenant, product, list_price=10_000_000)
    finally:
        await db.close()
    return {"key": key, "customer": customer, "price": price}


async def _concurrent_walk(db_url: str, sort: str) -> tuple[list[str], list[str]]:
    world = await _tenant(db_url)
    app = create_app(Settings(database_url=db_url, pg_pool_max=8))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        headers = {"nue-api-key": world["key"]}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=headers
        ) as c:
            line = {"priceBookEntryId": world["price"], "quantity": 1}
            body = {"customer": {"id": world["customer"]}, "effectiveDate": "2025-06-01",
                    "orderProducts": [line]}  # fmt: skip
            drafts = [(await c.post("/orders", json=body)).json()["data"]["order"]["id"]
                      for _ in range(8)]  # fmt: skip
            url = f"/orders?customerIds={world['customer']}&sort={sort}"
            expected = [o["id"] for o in (await c.get(url)).json()["data"]]
            page = (await c.get(url + "&limit=2")).json()
            shown = [o["id"] for o in page["data"]]
            while cursor := page["pagination"]["nextCursor"]:
                # activations commit while the page is read: before, during or after it
                writes = [c.post(f"/orders/{drafts.pop()}", json={}) for _ in range(2) if drafts]
                *_, response = await asyncio.gather(
                    *writes, c.get(url + f"&limit=2&cursor={cursor}")
                )
                page = response.json()
                shown += [o["id"] for o in page["data"]]
                await c.post("/orders", json=body)  # created during the walk: never shown
    return shown, expected


@pytest.mark.parametrize("sort", ["-lastModifiedDate", "orderPlacedDate", "-createdDate"])
def test_a_walk_with_concurrent_committed_writes(
    db_url: str, run: asyncio.Runner, sort: str
) -> None:
    shown, expected = run.run(_concurrent_walk(db_url, sort))
    assert shown == expected
