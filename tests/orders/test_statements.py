"""A request runs a fixed number of statements, and one customer's page needs no sort."""

from __future__ import annotations

from datetime import date

import pytest

from selfserve.orders.query import SORT_KEYS
from tests.fixtures import builders as b
from tests.fixtures.explain import needs_sort, sorting_subqueries
from tests.fixtures.world import World, ids_param
from tests.orders.test_detail import add_related


@pytest.mark.parametrize("includes", ["", "assets", "assets,invoices", "assets,invoices,history"])
def test_statement_count_does_not_grow_with_page_size(world: World, includes: str) -> None:
    for order_id in world.orders:
        add_related(world, order_id, assets=2, invoices=2)
    counts = []
    for limit in (1, 500):
        world.conn.statements.clear()
        url = f"/orders?customerIds={ids_param(world.alice)}&limit={limit}"
        assert world.api.get(url + (f"&includes={includes}" if includes else "")).status_code == 200
        counts.append(len(world.conn.statements))
    wanted = includes.count(",") + 1 if includes else 0
    # authentication + the page (with its total) + the page's lines + one per include:
    # the same for limit 1 and 500, and at most 3 + the number of includes
    assert counts == [3 + wanted, 3 + wanted]


def test_pending_cancellations_cost_no_extra_statement(world: World) -> None:
    """A writer's page of orders whose cancellations are scheduled offers ``uncancel`` on each,
    with the target subscription found inside the page's own statement."""
    targets = {}
    for order_id in world.orders:
        sql = world.conn.sql()
        update = (
            f"UPDATE orders SET status = 'Activated', cancel_effective_date = "
            f"{sql.p(date(2099, 1, 1))} WHERE id = {sql.p(order_id)}"
        )
        world.run.run(world.conn.execute(update, sql.params))
        targets[order_id] = world.run.run(
            b.asset(world.conn, world.tenant_id, world.alice, order_id, world.product,
                    status="Scheduled for Cancellation", cancellation_date=date(2099, 1, 1))
        )  # fmt: skip
    counts = []
    for limit in (1, 500):
        world.conn.statements.clear()
        body = world.api.get(f"/orders?customerIds={ids_param(world.alice)}&limit={limit}").json()
        counts.append(len(world.conn.statements))
        for order in body["data"]:
            href = f"/subscriptions/{targets[order['id']]}/uncancel"
            assert order["actions"] == [{"name": "uncancel", "method": "POST", "href": href}]
    assert counts == [3, 3]


def test_single_customer_page_is_an_ordered_index_scan(world: World) -> None:
    for sort in (
        "-createdDate",
        "createdDate",
        "-totalAmount",
        "orderNumber",
        "-lastModifiedDate",
        "-orderPlacedDate",
        "orderPlacedDate",
    ):
        world.conn.statements.clear()
        world.api.get(f"/orders?customerIds={ids_param(world.alice)}&sort={sort}&status=active")
        query, params = next(s for s in world.conn.statements if "FROM orders o" in s[0])
        sorts, text = needs_sort(world, query, params)
        assert not sorts, (sort, text)


def test_a_pinned_page_sorts_only_the_orders_changed_since_its_pin(world: World) -> None:
    """Later pages of a walk read the unchanged orders in index order, as the first page does;
    only the orders whose sort value changed since the pin, found by the history's index on
    when a value was replaced, are sorted (none at all under an immutable key)."""
    for sort in [p + name for name in SORT_KEYS for p in ("", "-")]:
        for ids in ([world.alice, world.bob], [world.alice]):  # the plan: one customer's
            url = f"/orders?customerIds={ids_param(*ids)}&sort={sort}&limit=2"
            cursor = world.api.get(url).json()["pagination"]["nextCursor"]
            world.conn.statements.clear()
            assert world.api.get(f"{url}&cursor={cursor}").status_code == 200
            assert len(world.conn.statements) == 3  # authentication, the page, its lines
        query, params = next(s for s in world.conn.statements if "FROM orders o" in s[0])
        sorted_in, text = sorting_subqueries(world, query, params)
        immutable = SORT_KEYS[sort.lstrip("-")].immutable
        assert sorted_in == ([] if immutable else ["b"]), (sort, text)
        # With scans discouraged (PostgreSQL), the changed orders come from the history's
        # range index; SQLite follows whatever statistics the tiny test tables left behind.
        if world.conn.dialect == "postgresql" and not immutable:
            assert "ix_order_sort_history_customer_replaced" in text, (sort, text)
