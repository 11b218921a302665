"""An asset list runs one statement after authentication whatever its page size, and one
customer's page is an ordered index scan (no sort step) on both engines."""

from __future__ import annotations

import pytest

from tests.assets.test_endpoints import add_asset
from tests.fixtures.explain import needs_sort
from tests.fixtures.world import World


@pytest.mark.parametrize("path", ["/subscriptions", "/assets", "/entitlements"])
def test_statement_count_does_not_grow_with_page_size(world: World, path: str) -> None:
    for n in range(1, 7):
        add_asset(world, f"SUB-{n:08d}")
        add_asset(world, f"AST-{n:08d}")
        add_asset(world, f"ENT-{n:08d}")
    counts = []
    for limit in (1, 5, 500):
        world.conn.statements.clear()
        url = f"{path}?customerIds={world.alice}&status=active&limit={limit}"
        assert world.api.get(url).status_code == 200
        counts.append(len(world.conn.statements))
    assert counts == [2, 2, 2]  # authentication + the page with its total


@pytest.mark.parametrize("path", ["/subscriptions", "/assets", "/entitlements"])
@pytest.mark.parametrize(
    "sort", ["assetNumber", "-assetNumber", "endDate", "-endDate", "startDate", "-startDate"]
)
def test_single_customer_page_is_an_ordered_index_scan(world: World, path: str, sort: str) -> None:
    world.conn.statements.clear()
    world.api.get(f"{path}?customerIds={world.alice}&sort={sort}&status=active")
    query, params = next(s for s in world.conn.statements if "FROM assets a" in s[0])
    sorts, text = needs_sort(world, query, params)
    assert not sorts, (sort, text)
    assert "ix_assets_current_customer" in text, (sort, text)
