"""Versioning subscriptions, assets and entitlements: every change makes a new row.

A new version copies the current row with ``asset_version + 1`` and
``last_versioned_asset_id`` pointing back; the old row stops being current. Retiring the old
row is a conditional UPDATE (``WHERE is_current``), so of two orders changing one
subscription at the same time exactly one succeeds and the other gets a 409 naming it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from selfserve.db import Conn, insert_row
from selfserve.errors import Conflict
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.money import minor_to_decimal, price_to_decimal
from selfserve.orders.pricing import LineInput
from selfserve.orders.proration import cancel as cancel_credit
from selfserve.orders.service import ReadContext

COLUMNS = (
    "id", "tenant_id", "customer_id", "order_id", "order_product_id", "asset_type",
    "asset_number", "asset_version", "last_versioned_asset_id", "is_current", "status",
    "product_id", "product_name", "product_category", "price_book_entry_id", "quantity",
    "start_date", "end_date", "term", "renewal_term", "auto_renew", "billing_period", "currency",
    "list_price", "price", "total_price", "cancellation_date", "created_at", "updated_at",
)  # fmt: skip
WIRE = {"status": "status", "quantity": "quantity", "end_date": "endDate", "term": "term",
        "cancellation_date": "cancellationDate", "price": "price", "product_id": "productId",
        "auto_renew": "autoRenew", "renewal_term": "renewalTerm", "start_date": "startDate",
        "total_price": "totalPrice", "price_book_entry_id": "priceBookEntryId"}  # fmt: skip
LIVE = ("Active", "Pending")


class AssetChanged(Conflict):
    error_code = "ASSET_CHANGED"


def _as_dict(conn: Conn, row: Any) -> dict[str, Any]:
    asset = dict(zip(COLUMNS, row, strict=True))
    for name in ("id", "tenant_id", "customer_id", "order_id", "order_product_id", "product_id",
                 "price_book_entry_id", "last_versioned_asset_id"):  # fmt: skip
        if asset[name] is not None:
            asset[name] = conn.to_id(asset[name])
    for name in ("start_date", "end_date", "cancellation_date"):
        if asset[name] is not None:
            asset[name] = conn.to_date(asset[name])
    asset["auto_renew"] = bool(asset["auto_renew"])
    return asset


async def live_subscriptions(conn: Conn, tenant_id: str, order_id: str) -> list[dict[str, Any]]:
    """Current versions of the live subscriptions an order created or changed."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    rows = await conn.fetch(
        f"SELECT {', '.join(COLUMNS)} FROM assets WHERE tenant_id = {tenant} AND is_current "
        f"AND asset_type = 'Subscription' AND {sql.in_('status', list(LIVE), 'text')} "
        f"AND asset_number IN (SELECT asset_number FROM assets WHERE order_id = {sql.p(order_id)} "
        f"AND tenant_id = {tenant}) ORDER BY asset_number",
        sql.params,
    )
    return [_as_dict(conn, r) for r in rows]


async def current(conn: Conn, tenant_id: str, asset_number: str) -> dict[str, Any] | None:
    sql = conn.sql()
    row = await conn.fetchrow(
        f"SELECT {', '.join(COLUMNS)} FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND asset_number = {sql.p(asset_number)} AND is_current",
        sql.params,
    )
    return None if row is None else _as_dict(conn, row)


async def version(conn: Conn, tenant_id: str, asset_id: str) -> dict[str, Any] | None:
    """One version by its id, current or not."""
    sql = conn.sql()
    row = await conn.fetchrow(
        f"SELECT {', '.join(COLUMNS)} FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND id = {sql.p(asset_id)}",
        sql.params,
    )
    return None if row is None else _as_dict(conn, row)


async def scheduled_by(
    conn: Conn, tenant_id: str, order_id: str, effective: date
) -> list[dict[str, Any]]:
    """Current subscription versions that ``POST /orders/{order_id}/cancel`` scheduled to end
    on ``effective``: the versions it made name the order; those a Cancel line of the same
    (change) order made are the line's."""
    sql = conn.sql()
    tenant, order = sql.p(tenant_id), sql.p(order_id)
    rows = await conn.fetch(
        f"SELECT {', '.join(COLUMNS)} FROM assets a WHERE a.tenant_id = {tenant} "
        f"AND a.order_id = {order} AND a.is_current AND a.asset_type = 'Subscription' "
        f"AND a.status = 'Scheduled for Cancellation' AND a.cancellation_date = {sql.p(effective)} "
        "AND NOT EXISTS (SELECT 1 FROM order_products l WHERE l.order_id = a.order_id "
        "AND l.change_type = 'Cancel' AND l.asset_number = a.asset_number "
        "AND l.asset_version = a.asset_version - 1) ORDER BY a.asset_number",
        sql.params,
    )
    return [_as_dict(conn, r) for r in rows]


async def new_version(
    conn: Conn,
    ctx: ReadContext,
    asset: dict[str, Any],
    order_id: str,
    changes: dict[str, Any],
    *,
    action: str,
    reason: str | None = None,
    actor: history.Actor | None = None,
) -> dict[str, Any]:
    """Replace ``asset`` by a new version with ``changes``; records the event with its diff
    (by ``actor``, the caller by default; scheduled runs pass ``history.SYSTEM``)."""
    await _retire(conn, asset)
    new = {**asset, **changes, "id": str(uuid.uuid4()), "order_id": order_id,
           "asset_version": asset["asset_version"] + 1, "last_versioned_asset_id": asset["id"],
           "is_current": True, "created_at": ctx.now, "updated_at": ctx.now}  # fmt: skip
    await insert_row(conn, "assets", new)
    await history.record(
        conn, tenant_id=asset["tenant_id"], customer_id=asset["customer_id"], order_id=order_id,
        asset_number=asset["asset_number"], action=action, entity_type="asset",
        entity_id=new["id"], actor=actor or history.actor_of(ctx.principal), at=ctx.now,
        reason=reason,
        changes=history.diff(
            {"assetVersion": asset["asset_version"]}
            | {WIRE[k]: _wire(k, asset) for k in changes if k in WIRE},
            {"assetVersion": new["asset_version"]}
            | {WIRE[k]: _wire(k, new) for k in changes if k in WIRE},
        ),
    )  # fmt: skip
    return new


def _wire(column: str, asset: dict[str, Any]) -> Any:
    """A column's value as the API shows it (money as exact decimals)."""
    value = asset[column]
    if column == "total_price" and value is not None:
        return minor_to_decimal(value, asset["currency"])
    if column in ("price", "list_price") and value is not None:
        return price_to_decimal(value, asset["currency"])
    return value


async def _retire(conn: Conn, asset: dict[str, Any]) -> None:
    sql = conn.sql()
    retired = await conn.fetchrow(
        f"UPDATE assets SET is_current = {sql.p(False)} WHERE id = {sql.p(asset['id'])} "
        "AND is_current RETURNING id",
        sql.params,
    )
    if retired is None:
        raise AssetChanged(
            f"{asset['asset_number']} was changed by another order meanwhile; "
            "reload it and try again."
        )


async def paid_periods(conn: Conn, asset: dict[str, Any]) -> list[billing.Period]:
    """Billing periods already invoiced for this asset (any version), not canceled."""
    sql = conn.sql()
    rows = await conn.fetch(
        "SELECT l.start_date, l.end_date FROM invoice_lines l "
        "JOIN invoices i ON i.id = l.invoice_id "
        f"WHERE i.tenant_id = {sql.p(asset['tenant_id'])} AND i.status <> 'Canceled' "
        "AND l.amount > 0 AND l.end_date IS NOT NULL AND l.order_product_id IN "
        f"(SELECT order_product_id FROM assets WHERE tenant_id = {sql.p(asset['tenant_id'])} "
        f"AND asset_number = {sql.p(asset['asset_number'])}) ORDER BY l.start_date",
        sql.params,
    )
    months = billing.billing_period_months(asset["billing_period"] or "Month")
    periods = {(conn.to_date(r[0]), conn.to_date(r[1])) for r in rows}
    return [billing.Period(start, end, months) for start, end in sorted(periods)]


async def unused_credit(
    conn: Conn, ctx: ReadContext, asset: dict[str, Any], cancellation: date
) -> list[billing.InvoiceLineDraft]:
    """The credit line for prepaid time from ``cancellation`` on (none when nothing is due)."""
    paid = [p for p in await paid_periods(conn, asset) if p.end >= cancellation]
    if not paid or asset["order_product_id"] is None:
        return []
    tax_rate = await _tax_rate(conn, asset["order_product_id"])
    line = LineInput(list_price=asset["price"], quantity=asset["quantity"],
                     price_period=await _price_period(conn, asset), term_months=asset["term"],
                     tax_rate=tax_rate)  # fmt: skip
    credit = cancel_credit(line, paid, cancellation, asset["currency"])
    if credit.total_price == 0:
        return []
    return [
        billing.InvoiceLineDraft(
            asset["order_product_id"],
            cancellation,
            paid[-1].end,
            -asset["quantity"],
            credit.total_price,
            credit.tax_amount,
        )
    ]


async def _tax_rate(conn: Conn, line_id: str) -> int:
    sql = conn.sql()
    value = await conn.fetchval(
        f"SELECT tax_rate FROM order_products WHERE id = {sql.p(line_id)}", sql.params
    )
    return int(value or 0)


async def _price_period(conn: Conn, asset: dict[str, Any]) -> str:
    sql = conn.sql()
    value = await conn.fetchval(
        f"SELECT price_period FROM order_products WHERE id = {sql.p(asset['order_product_id'])}",
        sql.params,
    )
    return str(value or "Month")


__all__ = ["AssetChanged", "current", "date", "live_subscriptions", "new_version"]


async def unused_credit_price(
    conn: Conn, asset: dict[str, Any], line: LineInput, cancellation: date
) -> Any:
    """The (negative) price of the prepaid time from ``cancellation`` on."""
    paid = [p for p in await paid_periods(conn, asset) if p.end >= cancellation]
    return cancel_credit(line, paid, cancellation, asset["currency"])
