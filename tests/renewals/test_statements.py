"""GET /renewals runs a fixed number of statements whatever its page size, and one customer's
page is an ordered scan of the current-asset end-date index on both engines."""

from __future__ import annotations

from datetime import date

from tests.fixtures.explain import needs_sort
from tests.fixtures.world import World
from tests.renewals.helpers import subscription


def test_statement_count_does_not_grow_with_page_size(world: World) -> None:
    for day in range(1, 8):
        world.run.run(subscription(world.conn, world.tenant_id, world.alice, world.product,
                                   end=date(2025, 6, day + 1)))  # fmt: skip
    counts = []
    for limit in (1, 5, 500):
        world.conn.statements.clear()
        response = world.api.get(f"/renewals?customerIds={world.alice}&limit={limit}")
        assert response.status_code == 200 and response.json()["pagination"]["total"] == 7
        counts.append(len(world.conn.statements))
    assert counts == [3, 3, 3]  # authentication, the customers' time zones, the page


def test_single_customer_page_is_an_ordered_index_scan(world: World) -> None:
    world.conn.statements.clear()
    world.api.get(f"/renewals?customerIds={world.alice}")
    query, params = next(s for s in world.conn.statements if "FROM assets a" in s[0])
    sorts, text = needs_sort(world, query, params)
    assert "ix_assets_current_customer_end" in text, text
    assert not sorts, text
