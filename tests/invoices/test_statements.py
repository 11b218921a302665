"""An invoice request runs a fixed number of statements whatever its page size, and one
customer's page is an ordered index scan (no sort step) on both engines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.fixtures import builders as b
from tests.fixtures.explain import needs_sort
from tests.fixtures.world import World


def add_invoices(world: World, count: int) -> list[str]:
    return [
        world.run.run(
            b.invoice(
                world.conn,
                world.tenant_id,
                world.alice,
                world.orders[0],
                invoice_date=date(2025, 1, 1) + timedelta(days=n),
            )
        )
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("extra", "wanted"),
    [
        ("", 2),  # authentication + the page with its total
        ("&status=active&amount>10&dueDate<2025-12-31", 2),
        ("&isOverdue=true", 3),  # + the customers' time zones
        ("&isOverdue=false", 3),
    ],
)
def test_statement_count_does_not_grow_with_page_size(
    world: World, extra: str, wanted: int
) -> None:
    add_invoices(world, 6)
    counts = []
    for limit in (1, 5, 500):
        world.conn.statements.clear()
        url = f"/invoices?customerIds={world.alice},{world.bob}&limit={limit}{extra}"
        assert world.api.get(url).status_code == 200
        counts.append(len(world.conn.statements))
    assert counts == [wanted] * 3


def test_one_invoice_is_two_statements_after_authentication(world: World) -> None:
    invoice = add_invoices(world, 1)[0]
    for n in range(1, 4):
        world.run.run(b.invoice_line(world.conn, world.tenant_id, invoice, line_number=n))
    world.conn.statements.clear()
    assert world.api.get(f"/invoices/{invoice}").status_code == 200
    assert len(world.conn.statements) == 3


@pytest.mark.parametrize("sort", ["-invoiceDate", "invoiceDate"])
def test_single_customer_page_is_an_ordered_index_scan(world: World, sort: str) -> None:
    world.conn.statements.clear()
    world.api.get(f"/invoices?customerIds={world.alice}&sort={sort}&status=active&balance>0")
    query, params = next(s for s in world.conn.statements if "FROM invoices i" in s[0])
    sorts, text = needs_sort(world, query, params)
    assert not sorts, (sort, text)
