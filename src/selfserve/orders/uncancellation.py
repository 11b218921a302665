"""Undoing a scheduled cancellation (``POST /subscriptions/{id}/uncancel``).

A cancellation is stored as a new version of each subscription it ends (status ``Scheduled for
Cancellation`` until its date, ``cancellation_date`` the first day without service; the
version names the order that made it) and a credit for the prepaid time from that date on. One
of two acts makes it:

* ``POST /orders/{id}/cancel`` schedules every live subscription of an order: the order records
  the cancellation (``canceled_at``, ``cancel_effective_date``, reason, by whom) and one credit
  invoice, issued in the same instant, holds the credit of all of them;
* a ``Cancel`` line of a change order schedules one subscription: the line is the (negative)
  credit, invoiced when the change order is activated with an invoice, or later by the billing
  run.

Undoing reverses the whole act, and only while its date is still ahead of the customer's today:
each subscription it scheduled gets a new version equal to the one before the cancellation (the
version history only grows); an order-level record is cleared; an issued credit is voided when
its invoice holds nothing else and nothing was settled against it, and otherwise reversed by a
new invoice with the opposite lines; a credit not invoiced yet never will be (the billing run
bills a Cancel line only while the version it made is current). Every step records its change
event; ``docs/billing-rules.md`` §5 states the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from selfserve.db import Conn, Row
from selfserve.errors import Conflict
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.invoices import repository as invoices
from selfserve.kit.clock import local_date
from selfserve.orders import invoicing, repository, versions
from selfserve.orders.activation import refresh_lifecycle
from selfserve.orders.errors import CancellationInEffect, NoScheduledCancellation
from selfserve.orders.lifecycle import LIVE, SCHEDULED, uncancelable
from selfserve.orders.service import ReadContext

# What a restoring version takes back from the version before the cancellation: everything
# but identity, version bookkeeping and timestamps.
_KEPT = frozenset({
    "id", "tenant_id", "customer_id", "asset_number", "asset_version", "last_versioned_asset_id",
    "is_current", "created_at", "updated_at",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Undo:
    """The cancellation to undo: the act that made it and the customer's calendar."""

    asset: dict[str, Any]  # the named subscription's current (scheduled) version
    order_id: str  # the order whose cancellation or Cancel line made that version
    cancel_lines: list[str]  # that order's Cancel lines for it; empty for an order's cancellation
    canceled_at: datetime | None  # an order's cancellation: when it was recorded
    effective: date | None  # an order's cancellation: its first day without service
    today: date
    payment_terms_days: int


async def uncancel(
    conn: Conn, ctx: ReadContext, asset_id: str, *, reason: str | None = None
) -> list[str]:
    """Undo the cancellation that scheduled the subscription version ``asset_id`` (current
    and visible to the caller: the caller checks). Returns the ids of the restored versions,
    the named subscription's first. 409 when its cancellation is in effect or there is none."""
    tenant_id = ctx.principal.tenant_id
    undo = await _undo(conn, ctx, asset_id)
    scheduled = await _scheduled(conn, tenant_id, undo)
    restored = [await _restore(conn, ctx, asset, undo.today, reason) for asset in scheduled]
    await _reverse_credits(conn, ctx, undo, reason)
    if undo.effective is not None:
        await _reopen_order(conn, ctx, undo, reason)
    numbers = [asset["asset_number"] for asset in scheduled]
    for order_id in await repository.orders_touching(conn, tenant_id, numbers):
        await refresh_lifecycle(conn, tenant_id, order_id)
    return [new["id"] for new in restored]


async def _undo(conn: Conn, ctx: ReadContext, asset_id: str) -> Undo:
    tenant_id = ctx.principal.tenant_id
    asset = await versions.version(conn, tenant_id, asset_id)
    assert asset is not None, "the caller found the version"
    zone, terms = await repository.customer_calendar(conn, tenant_id, asset["customer_id"])
    today = local_date(ctx.now, zone)
    status, effective = asset["status"], asset["cancellation_date"]
    if status == "Canceled" or (status == SCHEDULED and not uncancelable(effective, today)):
        raise CancellationInEffect(effective)
    if status != SCHEDULED:
        raise NoScheduledCancellation(status)
    order_id, number = asset["order_id"], asset["asset_number"]
    lines = await repository.cancel_lines(
        conn, tenant_id, order_id, number, asset["asset_version"] - 1
    )
    record = None if lines else await repository.order_cancellation(conn, tenant_id, order_id)
    return Undo(
        asset, order_id, lines,
        None if record is None else conn.to_ts(record[0]),
        None if record is None else conn.to_date(record[1]),
        today, int(terms),
    )  # fmt: skip


async def _scheduled(conn: Conn, tenant_id: str, undo: Undo) -> list[dict[str, Any]]:
    """The subscriptions the act scheduled, the named one first."""
    if undo.effective is None:  # a Cancel line (or a cancellation with no record): this one
        return [undo.asset]
    found = await versions.scheduled_by(conn, tenant_id, undo.order_id, undo.effective)
    others = [a for a in found if a["id"] != undo.asset["id"]]
    return [undo.asset, *others]


async def _restore(
    conn: Conn, ctx: ReadContext, asset: dict[str, Any], today: date, reason: str | None
) -> dict[str, Any]:
    """A new version equal to the one the cancellation replaced."""
    previous = asset["last_versioned_asset_id"]
    before = None if previous is None else await versions.version(
        conn, ctx.principal.tenant_id, previous
    )  # fmt: skip
    if before is not None and before["status"] in LIVE:
        changes = {k: v for k, v in before.items() if k not in _KEPT}
        changes["cancellation_date"] = None
    else:  # no earlier live version to go back to: live as activation would make it
        start = asset["start_date"]
        live = "Pending" if start is not None and start > today else "Active"
        changes = {"status": live, "cancellation_date": None, "order_id": asset["order_id"]}
    return await versions.new_version(
        conn, ctx, asset, changes.pop("order_id"), changes, action="subscription.uncanceled",
        reason=reason,
    )  # fmt: skip


async def _reverse_credits(conn: Conn, ctx: ReadContext, undo: Undo, reason: str | None) -> None:
    """Void or reverse the credit the act issued, invoice by invoice."""
    tenant_id = ctx.principal.tenant_id
    if undo.cancel_lines:
        rows = await invoices.credits_for_lines(conn, tenant_id, undo.cancel_lines)
    elif undo.canceled_at is not None:
        rows = await invoices.credits_issued_at(conn, tenant_id, undo.order_id, undo.canceled_at)
    else:
        return
    for _, group in groupby(rows, key=lambda r: r[0]):
        credit = list(group)
        first = credit[0]
        if len(credit) == first[7] and first[3] == "NotTransferred":
            await _void(conn, ctx, first, reason)
        else:
            await _reverse(conn, ctx, undo, credit)


async def _void(conn: Conn, ctx: ReadContext, invoice: Row, reason: str | None) -> None:
    """The credit invoice becomes Canceled (it keeps its number and amounts; balance 0)."""
    invoice_id = conn.to_id(invoice[0])
    if not await invoices.void_invoice(conn, invoice_id, ctx.now):
        raise Conflict(
            f"Invoice {invoice[1]} changed meanwhile; read it again and retry.",
            error_code="INVOICE_CHANGED",
        )
    await history.record(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=conn.to_id(invoice[6]),
        order_id=None if invoice[5] is None else conn.to_id(invoice[5]),
        action="invoice.canceled", entity_type="invoice", entity_id=invoice_id,
        actor=history.actor_of(ctx.principal), at=ctx.now, reason=reason,
        changes=history.diff({"status": invoice[2], "paymentStatus": invoice[3]},
                             {"status": "Canceled", "paymentStatus": "Canceled"}),
    )  # fmt: skip


async def _reverse(conn: Conn, ctx: ReadContext, undo: Undo, credit: list[Row]) -> None:
    """A new invoice charging back exactly the credit's lines (opposite signs, same tax),
    dated the customer's today; it reverses the credit, so it is charged once on its date."""
    first = credit[0]
    currency, number = str(first[4]), str(first[1])
    lines = tuple(
        billing.InvoiceLineDraft(conn.to_id(r[8]), conn.to_date(r[11]), None, -r[10], -r[12],
                                 -r[13])
        for r in credit
    )  # fmt: skip
    invoice = billing.InvoiceDraft(
        invoice_date=undo.today, due_date=undo.today + timedelta(days=undo.payment_terms_days),
        start=min(line.start for line in lines), end=None, currency=currency, lines=lines,
    )  # fmt: skip
    await invoicing.issue(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=conn.to_id(first[6]),
        order_id=conn.to_id(first[5]), invoice=invoice, active=True,
        actor=history.actor_of(ctx.principal), now=ctx.now,
        descriptions={conn.to_id(r[8]): f"{r[9]} (reverses {number})" for r in credit},
    )  # fmt: skip


async def _reopen_order(conn: Conn, ctx: ReadContext, undo: Undo, reason: str | None) -> None:
    """The order's own cancellation record is removed; the order stays Activated."""
    tenant_id, subject = ctx.principal.tenant_id, ctx.principal.subject
    if not await repository.clear_cancellation(conn, tenant_id, undo.order_id, ctx.now, subject):
        raise Conflict("The order changed meanwhile; read it again.", error_code="ORDER_CHANGED")
    await history.record(
        conn, tenant_id=tenant_id, customer_id=undo.asset["customer_id"], order_id=undo.order_id,
        action="order.uncanceled", entity_type="order", entity_id=undo.order_id,
        actor=history.actor_of(ctx.principal), at=ctx.now, reason=reason,
        changes=history.diff({"cancellationDate": undo.effective}, {"cancellationDate": None}),
    )  # fmt: skip


__all__ = ["Undo", "uncancel"]
