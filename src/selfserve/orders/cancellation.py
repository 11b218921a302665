"""Canceling orders (POST /orders/{id}/cancel).

A Draft simply becomes Canceled. For an Activated order, every live subscription it created
or changed gets a new version that ends on the cancellation date: ``Canceled`` when that date
has come (customer-local), ``Scheduled for Cancellation`` before; prepaid time after the date
is credited on a credit invoice (negative lines). The order records when, why and by whom.
A cancellation date before the customer's today is refused: service already delivered is not
credited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from selfserve.db import Conn, Row
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.clock import local_date
from selfserve.orders import invoicing, versions
from selfserve.orders.activation import refresh_lifecycle
from selfserve.orders.errors import InvalidOrder, OrderNotCancelable, OrderNotFound
from selfserve.orders.schemas import OrderCancel
from selfserve.orders.service import ReadContext, visible_order_id


@dataclass(frozen=True, slots=True)
class Target:
    order_id: str
    customer_id: str
    status: str
    currency: str
    today: date
    payment_terms_days: int


async def cancel(conn: Conn, ctx: ReadContext, order_id: str, body: OrderCancel) -> None:
    order_id = await visible_order_id(conn, ctx.principal, order_id)
    target = await _target(conn, ctx, order_id)
    if target.status == "Draft":
        await _close(conn, ctx, target, body, "Canceled", "order.canceled")
        return
    if body.cancellation_date < target.today:
        raise InvalidOrder(
            f"cancellationDate must be today ({target.today.isoformat()}, the customer's date) "
            "or later."
        )
    effective = body.cancellation_date <= target.today
    await _close(conn, ctx, target, body, "Activated",
                 "order.canceled" if effective else "order.cancellation_scheduled")  # fmt: skip
    credits = []
    for asset in await versions.live_subscriptions(conn, ctx.principal.tenant_id, order_id):
        status = "Canceled" if effective else "Scheduled for Cancellation"
        new = await versions.new_version(
            conn, ctx, asset, order_id,
            {"status": status, "cancellation_date": body.cancellation_date},
            action="subscription.canceled" if effective else "subscription.cancellation_scheduled",
            reason=body.reason,
        )  # fmt: skip
        credits.extend(await versions.unused_credit(conn, ctx, new, body.cancellation_date))
    await refresh_lifecycle(conn, ctx.principal.tenant_id, order_id)
    await _credit_invoice(conn, ctx, target, credits)


async def _target(conn: Conn, ctx: ReadContext, order_id: str) -> Target:
    sql = conn.sql()
    row: Row | None = await conn.fetchrow(
        "SELECT o.status, o.customer_id, o.currency, c.time_zone, t.payment_terms_days, "
        "o.cancel_effective_date FROM orders o JOIN customers c ON c.id = o.customer_id "
        f"JOIN tenants t ON t.id = o.tenant_id WHERE o.id = {sql.p(order_id)} "
        f"AND o.tenant_id = {sql.p(ctx.principal.tenant_id)}",
        sql.params,
    )
    if row is None:
        raise OrderNotFound()
    if row[0] == "Canceled" or row[5] is not None:
        raise OrderNotCancelable(
            "The order is already canceled or has a cancellation scheduled.",
        )
    return Target(order_id, conn.to_id(row[1]), row[0], row[2], local_date(ctx.now, row[3]), row[4])


async def _close(
    conn: Conn, ctx: ReadContext, target: Target, body: OrderCancel, status: str, action: str
) -> None:
    sql = conn.sql()
    await conn.execute(
        f"UPDATE orders SET status = {sql.p(status)}, canceled_at = {sql.p(ctx.now)}, "
        f"cancel_effective_date = {sql.p(body.cancellation_date)}, "
        f"cancellation_reason = {sql.p(body.reason)}, "
        f"canceled_by_id = {sql.p(ctx.principal.subject)}, "
        f"updated_at = {sql.p(ctx.now)}, last_modified_by_id = {sql.p(ctx.principal.subject)} "
        f"WHERE id = {sql.p(target.order_id)}",
        sql.params,
    )
    await history.record(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=target.customer_id,
        order_id=target.order_id, action=action, entity_type="order", entity_id=target.order_id,
        actor=history.actor_of(ctx.principal), at=ctx.now, reason=body.reason,
        changes=history.diff(
            {"status": target.status, "cancellationDate": None},
            {"status": status, "cancellationDate": body.cancellation_date},
        ),
    )  # fmt: skip


async def _credit_invoice(
    conn: Conn, ctx: ReadContext, target: Target, credits: list[billing.InvoiceLineDraft]
) -> None:
    if not credits:
        return
    due = target.today
    invoice = billing.InvoiceDraft(
        invoice_date=target.today, due_date=due, start=min(c.start for c in credits),
        end=max((c.end for c in credits if c.end), default=None), currency=target.currency,
        lines=tuple(credits),
    )  # fmt: skip
    rows = await invoicing.order_lines(conn, ctx.principal.tenant_id, target.order_id)
    await invoicing.issue(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=target.customer_id,
        order_id=target.order_id, invoice=invoice, active=True,
        actor=history.actor_of(ctx.principal), now=ctx.now,
        descriptions=invoicing.descriptions(conn, rows),
    )  # fmt: skip
