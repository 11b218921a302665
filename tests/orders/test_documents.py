"""Stored order documents: the same bytes as orders built from their columns, cleared by
every change to an order or its lines, and never left stale by a concurrent writer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import msgspec
import pytest

from selfserve.db import Conn, create_database
from selfserve.orders import documents
from selfserve.orders.schemas import OrderDocument, OrderRead, OrderTail
from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param
from tests.orders.test_detail import add_related


def _build(world: World) -> int:
    return world.run.run(documents.build_pending(world.conn, limit=1000))


def _stored(world: World, order_id: str) -> bytes | None:
    sql = world.conn.sql()
    value = world.run.run(
        world.conn.fetchval(f"SELECT document FROM orders WHERE id = {sql.p(order_id)}", sql.params)
    )
    return None if value is None else bytes(value)


def _execute(world: World, statement: str, *values: Any) -> None:
    sql = world.conn.sql()
    world.run.run(world.conn.execute(statement.format(*(sql.p(v) for v in values)), sql.params))


def _responses(world: World) -> list[bytes]:
    urls = [
        f"/orders?customerIds={ids_param(world.alice, world.bob)}&limit=100"
        "&includes=assets,invoices,history",
        f"/orders?customerIds={ids_param(world.alice)}&limit=2&sort=-totalAmount",
        *(f"/orders/{order_id}?includes=assets,invoices" for order_id in world.orders),
        f"/orders/{world.bob_order}",
    ]
    out = []
    for url in urls:
        response = world.api.get(url)
        assert response.status_code == 200, response.text
        out.append(response.content)
    out.append(world.api.post("/orders/query", json={"customerIds": [world.alice]}).content)
    return out


def test_the_wire_order_is_the_document_then_the_tail() -> None:
    names = [f.name for f in msgspec.structs.fields(OrderRead)]
    document = [f.name for f in msgspec.structs.fields(OrderDocument)]
    tail = [f.name for f in msgspec.structs.fields(OrderTail)]
    assert names == document + tail


def test_documents_give_the_same_bytes_as_the_columns(world: World) -> None:
    for order_id in world.orders[:3]:
        add_related(world, order_id, assets=2, invoices=2)
    from_columns = _responses(world)
    assert _build(world) >= 7  # every order of both tenants (and any committed elsewhere)
    assert all(_stored(world, order_id) for order_id in world.orders)
    assert _responses(world) == from_columns


def test_a_page_of_built_orders_reads_no_lines(world: World) -> None:
    _build(world)
    counts = []
    for limit in (1, 500):
        world.conn.statements.clear()
        url = f"/orders?customerIds={ids_param(world.alice)}&limit={limit}&includes=assets"
        assert world.api.get(url).status_code == 200
        counts.append(len(world.conn.statements))
        assert not any("FROM order_products" in s[0] for s in world.conn.statements)
    assert counts == [3, 3]  # authentication, the page, the assets


def test_a_change_to_the_order_clears_its_document(world: World) -> None:
    order_id = world.orders[0]
    _build(world)
    _execute(world, "UPDATE orders SET name = {} WHERE id = {}", "Renamed", order_id)
    assert _stored(world, order_id) is None
    assert _stored(world, world.orders[1]) is not None
    body = world.api.get(f"/orders/{order_id}").json()
    assert body["data"]["name"] == "Renamed"
    assert _build(world) == 1
    assert world.api.get(f"/orders/{order_id}").json() == body


@pytest.mark.parametrize("change", ["insert", "update", "delete"])
def test_a_change_to_a_line_clears_its_orders_document(world: World, change: str) -> None:
    order_id = world.orders[0]
    _build(world)
    if change == "insert":
        world.run.run(b.order_line(world.conn, world.tenant_id, order_id, world.product))
    elif change == "update":
        _execute(world, "UPDATE order_products SET quantity = 7 WHERE order_id = {}", order_id)
    else:
        _execute(world, "DELETE FROM order_products WHERE order_id = {}", order_id)
    assert _stored(world, order_id) is None
    assert all(_stored(world, other) is not None for other in world.orders[1:])
    lines = world.api.get(f"/orders/{order_id}").json()["data"]["orderProducts"]
    expected = {"insert": 2, "update": 1, "delete": 0}[change]
    assert len(lines) == expected
    if change == "update":
        assert lines[0]["quantity"] == 7


def test_storing_a_document_keeps_it(world: World) -> None:
    order_id = world.orders[0]
    _execute(world, "UPDATE orders SET document = {} WHERE id = {}", b'{"id":"x"}', order_id)
    assert _stored(world, order_id) == b'{"id":"x"}'


# --- a builder racing a writer (committed data, PostgreSQL's row locks) ----------------------


async def _one_order(db_url: str) -> tuple[str, str, str]:
    db = create_database(db_url, pool_min=1, pool_max=2)
    try:
        async with db.write() as conn:
            tenant = await b.tenant(conn, f"docs-{uuid.uuid4().hex[:8]}")
            customer = await b.customer(conn, tenant)
            product = await b.product(conn, tenant)
            order = await b.order(conn, tenant, customer)
            await b.order_line(conn, tenant, order, product)
    finally:
        await db.close()
    return tenant, product, order


async def _document(conn: Conn, order_id: str) -> Any:
    sql = conn.sql()
    return await conn.fetchval(
        f"SELECT document FROM orders WHERE id = {sql.p(order_id)}", sql.params
    )


async def _builder_then_writer(db_url: str) -> tuple[Any, int]:
    """The builder locks the order and stores its document; a writer adds a line meanwhile
    and commits after it: the writer's change must clear the new document."""
    tenant, product, order = await _one_order(db_url)
    db = create_database(db_url, pool_min=2, pool_max=2)
    try:
        async with db.write() as builder:
            while await _document(builder, order) is None:  # other tests' orders come first
                assert await documents.build_pending(builder, limit=1000)

            async def write() -> None:
                async with db.write() as writer:
                    await b.order_line(writer, tenant, order, product)

            writing = asyncio.create_task(write())
            await asyncio.sleep(0.3)  # the writer is now waiting for the builder's lock
            assert not writing.done()
        await writing
        async with db.read() as conn:
            lines = await conn.fetchval(
                "SELECT count(*) FROM order_products WHERE order_id = $1", [order]
            )
            return await _document(conn, order), lines
    finally:
        await db.close()


async def _writer_then_builder(db_url: str) -> Any:
    """A writer holds the order (its line's trigger updated it) when the builder runs: the
    builder skips it rather than build from rows about to change."""
    tenant, product, order = await _one_order(db_url)
    db = create_database(db_url, pool_min=2, pool_max=2)
    try:
        async with db.write() as writer:
            await b.order_line(writer, tenant, order, product)
            async with db.write() as builder:
                while await documents.build_pending(builder, limit=1000):
                    pass
                return await _document(builder, order)
    finally:
        await db.close()


def test_a_writer_waiting_for_the_builder_clears_its_document(
    postgres_url: str, run: asyncio.Runner
) -> None:
    document, lines = run.run(_builder_then_writer(postgres_url))
    assert lines == 2
    assert document is None


def test_the_builder_skips_an_order_a_writer_holds(postgres_url: str, run: asyncio.Runner) -> None:
    assert run.run(_writer_then_builder(postgres_url)) is None


def test_a_document_serves_the_lines_and_dates_of_its_build(world: World) -> None:
    """The day-dependent parts (lifecycle) stay out of the document: a later day changes
    ``daysUntilRenewal`` of a built order."""
    order_id = world.orders[0]
    _execute(
        world,
        "UPDATE orders SET next_renewal_date = {}, auto_renew = {} WHERE id = {}",
        date(2025, 7, 1),
        True,
        order_id,
    )
    _build(world)
    assert _stored(world, order_id) is not None
    assert b"lifecycle" not in (_stored(world, order_id) or b"")
    days = world.api.get(f"/orders/{order_id}").json()["data"]["lifecycle"]["daysUntilRenewal"]
    assert days == 30  # from the pinned clock's 2025-06-01


def _asset_document(world: World, asset_id: str) -> bytes | None:
    sql = world.conn.sql()
    value = world.run.run(
        world.conn.fetchval(f"SELECT document FROM assets WHERE id = {sql.p(asset_id)}", sql.params)
    )
    return None if value is None else bytes(value)


def test_asset_versions_keep_documents_that_a_change_clears(world: World) -> None:
    order_id = world.orders[0]
    add_related(world, order_id, assets=2, invoices=0)
    url = f"/orders/{order_id}?includes=assets"
    before = world.api.get(url).content
    _build(world)
    asset_ids = [a["id"] for a in world.api.get(url).json()["data"]["assets"]]
    assert all(_asset_document(world, a) for a in asset_ids)
    assert world.api.get(url).content == before
    _execute(world, "UPDATE assets SET quantity = 9 WHERE id = {}", asset_ids[0])
    assert _asset_document(world, asset_ids[0]) is None
    assert _asset_document(world, asset_ids[1]) is not None
    assets = world.api.get(url).json()["data"]["assets"]
    assert [a["quantity"] for a in assets] == [9, 5]


def test_invoices_keep_documents_and_their_overdue_flag_follows_the_day(world: World) -> None:
    order_id = world.orders[0]
    add_related(world, order_id, assets=0, invoices=2)
    url = f"/orders/{order_id}?includes=invoices"
    before = world.api.get(url).content
    _build(world)
    sql = world.conn.sql()
    stored = world.run.run(
        world.conn.fetch(
            f"SELECT id, document FROM invoices WHERE order_id = {sql.p(order_id)}", sql.params
        )
    )
    assert len(stored) == 2 and all(r[1] and b"isOverdue" not in bytes(r[1]) for r in stored)
    assert world.api.get(url).content == before
    invoices = world.api.get(url).json()["data"]["invoices"]
    assert [i["isOverdue"] for i in invoices] == [True, True]  # due in February and March
    _execute(
        world,
        "UPDATE invoices SET balance = 0, payment_status = 'Paid' WHERE id = {}",
        invoices[0]["id"],
    )
    after = world.api.get(url).json()["data"]["invoices"]
    assert [(i["balance"], i["isOverdue"]) for i in after] == [(0, False), (108.25, True)]


def test_built_invoices_are_overdue_only_when_active_owing_and_past_due(world: World) -> None:
    """A stored invoice document gets isOverdue as of the reader's day from its status,
    balance and due date, as one built from its columns does."""
    order_id = world.orders[0]
    cases: dict[str, tuple[dict[str, Any], bool]] = {  # number: (overrides, overdue)
        "INV-81000001": ({}, True),
        "INV-81000002": ({"balance": 0, "payment_status": "Paid"}, False),
        "INV-81000003": ({"status": "Canceled"}, False),
        "INV-81000004": ({"due_date": date(2999, 1, 14)}, False),
    }
    for day, (number, (over, _)) in enumerate(cases.items(), start=1):
        invoice = b.invoice(
            world.conn,
            world.tenant_id,
            world.alice,
            order_id,
            invoice_number=number,
            invoice_date=date(2025, 1, day),
            **{"due_date": date(2025, 2, day)} | over,
        )
        world.run.run(invoice)
    url = f"/orders/{order_id}?includes=invoices"
    from_columns = world.api.get(url).content
    _build(world)
    assert world.api.get(url).content == from_columns
    invoices = world.api.get(url).json()["data"]["invoices"]
    flags = {i["invoiceNumber"]: i["isOverdue"] for i in invoices}
    assert flags == {number: overdue for number, (_, overdue) in cases.items()}


def test_capped_includes_read_the_same_built_partly_built_and_not_built(world: World) -> None:
    """Capped includes give the same bytes and statements whether the asset and invoice
    documents are built, partly built or not built (those are built from their columns)."""
    order_id = world.orders[0]
    add_related(world, order_id, assets=3, invoices=3)
    add_related(world, world.orders[1], assets=1, invoices=1)
    capped = Api(world.conn, world.run, include_cap=2)
    capped.key = world.key
    urls = [
        f"/orders?customerIds={ids_param(world.alice)}&includes=assets,invoices",
        f"/orders/{order_id}?includes=assets,invoices",
    ]

    def read() -> tuple[list[bytes], list[int]]:
        bodies, counts = [], []
        for url in urls:
            world.conn.statements.clear()
            response = capped.get(url)
            assert response.status_code == 200, response.text
            bodies.append(response.content)
            counts.append(len(world.conn.statements))
        return bodies, counts

    unbuilt, unbuilt_counts = read()
    _build(world)
    built, built_counts = read()
    for table in ("assets", "invoices"):  # one of the first two of each loses its document
        _execute(
            world,
            f"UPDATE {table} SET document = NULL WHERE id = (SELECT id FROM {table} "
            "WHERE order_id = {} ORDER BY id LIMIT 1)",
            order_id,
        )
    partly, partly_counts = read()
    assert built == unbuilt == partly
    # the same statements whatever is built, but for the lines of orders without a document
    assert partly_counts == built_counts == [n - 1 for n in unbuilt_counts]
    order = msgspec.json.decode(built[1])["data"]
    assert [len(order["assets"]), order["assetsTruncated"]] == [2, True]
    assert [len(order["invoices"]), order["invoicesTruncated"]] == [2, True]
    assert b'"isOverdue":true' in built[1]
