"""SQL for change events: an order's own events and those of every asset it touched."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from selfserve.db import Conn, Row, Sql, insert_row

EVENT_COLUMNS = (
    "e.id, e.at, e.action, e.entity_type, e.entity_id, e.asset_number, e.actor_type, "
    "e.actor_id, e.reason, e.changes"
)


def _touching(sql: Sql, tenant: str, order_ids: Sequence[Any]) -> str:
    """``(for_order, event_id)`` pairs: the order's events, then its assets' events."""
    return (
        f"SELECT e.order_id AS for_order, e.id AS event_id FROM change_events e "
        f"WHERE {sql.in_('e.order_id', order_ids)} AND e.tenant_id = {tenant} "
        "UNION "
        "SELECT v.order_id, e.id FROM (SELECT DISTINCT order_id, asset_number FROM assets "
        f"WHERE {sql.in_('order_id', order_ids)} AND tenant_id = {tenant}) v "
        # CROSS JOIN fixes SQLite's join order (the few assets first, then each one's events
        # by index); otherwise it may walk the whole tenant's events. PostgreSQL plans it as
        # the inner join it is.
        f"CROSS JOIN change_events e WHERE e.tenant_id = {tenant} "
        "AND e.asset_number = v.asset_number"
    )


async def events_for_orders(
    conn: Conn, tenant_id: str, order_ids: Sequence[Any], cap: int
) -> list[Row]:
    """``(for_order, event...)``: the newest ``cap + 1`` events per order, oldest first (the
    order id as text, a cheap dictionary key on both engines)."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    return await conn.fetch(
        f"SELECT * FROM (SELECT CAST(x.for_order AS TEXT) AS for_order, {EVENT_COLUMNS}, "
        "row_number() OVER "
        "(PARTITION BY x.for_order ORDER BY e.at DESC, e.id DESC) AS n "
        f"FROM ({_touching(sql, tenant, order_ids)}) x "
        "JOIN change_events e ON e.id = x.event_id) y "
        f"WHERE n <= {sql.p(cap + 1)} ORDER BY for_order, at, id",
        sql.params,
    )


async def events_page(
    conn: Conn,
    tenant_id: str,
    order_id: str,
    limit: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[Row], int]:
    """One page of an order's history, oldest first, and the total number of events."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    touching = _touching(sql, tenant, [order_id])
    where = ""
    if after is not None:
        at, last_id = sql.p(after[0]), sql.p(after[1])
        where = f"WHERE (e.at > {at} OR (e.at = {at} AND e.id > {last_id}))"
    rows = await conn.fetch(
        f"SELECT {EVENT_COLUMNS}, (SELECT count(*) FROM ({touching}) c) FROM ({touching}) x "
        f"JOIN change_events e ON e.id = x.event_id {where} ORDER BY e.at, e.id "
        f"LIMIT {sql.p(limit + 1)}",
        sql.params,
    )
    if rows:
        return rows, int(rows[0][-1])
    count = conn.sql()
    total = await conn.fetchval(
        f"SELECT count(*) FROM ({_touching(count, count.p(tenant_id), [order_id])}) c", count.params
    )
    return rows, int(total)


async def insert_event(conn: Conn, values: dict[str, Any]) -> None:
    await insert_row(conn, "change_events", values)
