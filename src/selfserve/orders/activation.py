"""Activating a draft (POST /orders/{id}): the order becomes Activated, its lines become
subscriptions, assets and entitlements, and (when asked) the first invoice is issued.

Exactly one of two concurrent activations wins: the status moves with a conditional UPDATE
(``WHERE status = 'Draft'``), which PostgreSQL serialises on the row lock and SQLite on its
single writer; the loser finds no draft and answers 409.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from selfserve.db import Conn, Row, insert_row
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.clock import local_date
from selfserve.numbering import Kind, next_number
from selfserve.orders import invoicing
from selfserve.orders.change_activation import apply_changes
from selfserve.orders.errors import OrderNotDraft, OrderNotFound
from selfserve.orders.schemas import ActivateOptions
from selfserve.orders.service import ReadContext, visible_order_id

ASSET_KINDS: dict[str, tuple[str, Kind]] = {
    "RecurringServices": ("Subscription", "SUB"),
    "PhysicalGoods": ("Asset", "AST"),
    "ProfessionalServices": ("Entitlement", "ENT"),
    "CustomerSupport": ("Entitlement", "ENT"),
}
EVENT_NOUN = {"Subscription": "subscription", "Asset": "asset", "Entitlement": "entitlement"}

LINE_COLUMNS = (
    "id, product_id, price_book_entry_id, product_name, product_category, quantity, "
    "price_period, list_price, sales_price, total_price, subscription_start_date, "
    "subscription_end_date, subscription_term, billing_period"
)


@dataclass(frozen=True, slots=True)
class Activation:
    """What activating an order needs to know about it."""

    order_id: str
    customer_id: str
    currency: str
    today: date  # the customer's local date
    payment_terms_days: int
    order_type: str = "New"


async def activate(
    conn: Conn, ctx: ReadContext, order_id: str, options: ActivateOptions, *,
    reason: str | None = None,
) -> Activation:  # fmt: skip
    """``reason`` (why, e.g. a cancellation reason the customer gave) goes on the events of
    the subscriptions the order changes."""
    order_id = await visible_order_id(conn, ctx.principal, order_id)
    act = await _claim(conn, ctx, order_id)
    actor = history.actor_of(ctx.principal)
    for line in await _new_lines(conn, ctx.principal.tenant_id, order_id):
        await _create_asset(conn, ctx, act, line, actor)
    changed = await apply_changes(conn, ctx, order_id, act.today, reason=reason)
    for touched in await _orders_touching(conn, ctx.principal.tenant_id, order_id, changed):
        await refresh_lifecycle(conn, ctx.principal.tenant_id, touched)
    if options.generate_invoice:
        await issue_first_invoice(conn, ctx, act, options.activate_invoice)
    await history.record(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=act.customer_id, order_id=order_id,
        action="order.activated", entity_type="order", entity_id=order_id, actor=actor,
        at=ctx.now,
        changes=history.diff({"status": "Draft", "orderPlacedDate": None},
                             {"status": "Activated", "orderPlacedDate": act.today}),
    )  # fmt: skip
    return act


async def _claim(conn: Conn, ctx: ReadContext, order_id: str) -> Activation:
    """Move the draft to Activated, or explain why it cannot be activated (404 / 409)."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT o.customer_id, o.currency, c.time_zone, t.payment_terms_days, o.order_type "
        "FROM orders o "
        "JOIN customers c ON c.id = o.customer_id JOIN tenants t ON t.id = o.tenant_id "
        f"WHERE o.id = {sql.p(order_id)} AND o.tenant_id = {sql.p(ctx.principal.tenant_id)}",
        sql.params,
    )
    if row is None:
        raise OrderNotFound()
    act = Activation(
        order_id, conn.to_id(row[0]), row[1], local_date(ctx.now, row[2]), row[3], row[4]
    )
    sql = conn.sql()
    claimed = await conn.fetchrow(
        f"UPDATE orders SET status = 'Activated', activated_at = {sql.p(ctx.now)}, "
        f"order_placed_date = {sql.p(act.today)}, updated_at = {sql.p(ctx.now)}, "
        f"last_modified_by_id = {sql.p(ctx.principal.subject)} "
        f"WHERE id = {sql.p(order_id)} AND status = 'Draft' RETURNING id",
        sql.params,
    )
    if claimed is None:
        raise OrderNotDraft(await _status(conn, order_id))
    return act


async def _orders_touching(
    conn: Conn, tenant_id: str, order_id: str, numbers: list[str]
) -> list[str]:
    """This order and every other order that created or changed one of ``numbers``."""
    if not numbers:
        return [order_id]
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT DISTINCT order_id FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('asset_number', numbers, 'text')}",
        sql.params,
    )
    return list(dict.fromkeys([order_id, *(conn.to_id(r[0]) for r in rows)]))


async def _status(conn: Conn, order_id: str) -> str:
    sql = conn.sql()
    return str(
        await conn.fetchval(f"SELECT status FROM orders WHERE id = {sql.p(order_id)}", sql.params)
    )


async def _new_lines(conn: Conn, tenant_id: str, order_id: str) -> list[Row]:
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {LINE_COLUMNS} FROM order_products WHERE order_id = {sql.p(order_id)} "
        f"AND tenant_id = {sql.p(tenant_id)} AND change_type = 'New' ORDER BY line_number",
        sql.params,
    )


async def _create_asset(
    conn: Conn, ctx: ReadContext, act: Activation, line: Row, actor: history.Actor
) -> str:
    asset_type, kind = ASSET_KINDS.get(line[4], ("Asset", "AST"))
    number = await next_number(conn, ctx.principal.tenant_id, kind)
    start = conn.to_date(line[10]) if line[10] is not None else act.today
    end = conn.to_date(line[11]) if line[11] is not None else None
    subscription = asset_type == "Subscription"
    asset_id = str(uuid.uuid4())
    await insert_row(conn, "assets", {
        "id": asset_id, "tenant_id": ctx.principal.tenant_id, "customer_id": act.customer_id,
        "order_id": act.order_id, "order_product_id": line[0], "asset_type": asset_type,
        "asset_number": number, "asset_version": 1, "last_versioned_asset_id": None,
        "is_current": True, "status": "Pending" if start > act.today else "Active",
        "product_id": line[1], "product_name": line[3], "product_category": line[4],
        "price_book_entry_id": line[2], "quantity": line[5], "start_date": start,
        "end_date": end, "term": line[12], "renewal_term": line[12] if subscription else None,
        "auto_renew": subscription, "billing_period": line[13], "currency": act.currency,
        "list_price": line[7], "price": line[8], "total_price": line[9],
        "cancellation_date": None, "created_at": ctx.now, "updated_at": ctx.now,
    })  # fmt: skip
    await history.record(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=act.customer_id,
        order_id=act.order_id, asset_number=number, action=f"{EVENT_NOUN[asset_type]}.created",
        entity_type="asset", entity_id=asset_id, actor=actor, at=ctx.now,
        changes=history.diff({}, {"assetNumber": number, "status": "Active" if start <= act.today
                                  else "Pending", "quantity": line[5], "startDate": start,
                                  "endDate": end}),
    )  # fmt: skip
    sql = conn.sql()
    await conn.execute(
        f"UPDATE order_products SET asset_number = {sql.p(number)} WHERE id = {sql.p(line[0])}",
        sql.params,
    )
    return asset_id


async def issue_first_invoice(conn: Conn, ctx: ReadContext, act: Activation, active: bool) -> None:
    tenant_id = ctx.principal.tenant_id
    rows = await invoicing.order_lines(conn, tenant_id, act.order_id)
    invoice = billing.first_invoice(
        invoicing.billables(conn, rows, act.today), act.currency, act.payment_terms_days
    )
    if invoice is None:
        return
    await invoicing.issue(
        conn, tenant_id=tenant_id, customer_id=act.customer_id, order_id=act.order_id,
        invoice=invoice, active=active, actor=history.actor_of(ctx.principal), now=ctx.now,
        descriptions=invoicing.descriptions(conn, rows),
    )  # fmt: skip


async def refresh_lifecycle(conn: Conn, tenant_id: str, order_id: str) -> None:
    """Recompute the order's renewal summary from the live subscriptions it touched."""
    sql = conn.sql()
    tenant, order = sql.p(tenant_id), sql.p(order_id)
    live = (
        f"FROM assets a WHERE a.tenant_id = {tenant} AND a.is_current AND a.asset_type = "
        "'Subscription' AND a.status IN ('Active', 'Pending', 'Scheduled for Cancellation') "
        f"AND a.asset_number IN (SELECT asset_number FROM assets WHERE order_id = {order}) "
        "AND a.end_date IS NOT NULL"
    )
    first = "(SELECT {} " + live + " ORDER BY a.end_date, a.asset_number LIMIT 1)"
    await conn.execute(
        f"UPDATE orders SET next_renewal_date = {first.format('a.end_date')}, "
        f"auto_renew = {first.format('a.auto_renew')}, "
        f"renewal_term = {first.format('a.renewal_term')} WHERE id = {order}",
        sql.params,
    )
