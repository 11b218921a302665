"""Activating a change order: each changed subscription gets one new version.

The lines of the change order say what changes; applying them to the subscription's current
version gives the new version (``orders.versions.new_version``, which refuses with a 409 when
another order changed the subscription meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from selfserve.db import Conn, Row
from selfserve.errors import Conflict
from selfserve.orders import versions
from selfserve.orders.service import ReadContext

LINE_COLUMNS = (
    "change_type, asset_number, quantity, subscription_start_date, subscription_end_date, "
    "subscription_term, product_id, price_book_entry_id, product_name, list_price, "
    "sales_price, total_price, asset_version"
)
ACTIONS = {
    "UpdateQuantity": "subscription.quantity_changed",
    "UpdateTerm": "subscription.term_changed",
    "Renew": "subscription.renewed",
    "CoTerm": "subscription.coterminated",
    "ConvertFreeTrial": "subscription.trial_converted",
    "Upgrade": "subscription.upgraded",
    "Downgrade": "subscription.downgraded",
    "Swap": "subscription.swapped",
}


async def change_lines(conn: Conn, order_id: str) -> list[Row]:
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {LINE_COLUMNS} FROM order_products WHERE order_id = {sql.p(order_id)} "
        "AND change_type <> 'New' ORDER BY line_number",
        sql.params,
    )


async def apply_changes(
    conn: Conn, ctx: ReadContext, order_id: str, today: date, *, reason: str | None = None
) -> list[str]:
    """Version every subscription the order changes; returns their asset numbers."""
    rows = await change_lines(conn, order_id)
    numbers = list(dict.fromkeys(r[1] for r in rows))
    for number in numbers:
        asset = await versions.current(conn, ctx.principal.tenant_id, number)
        mine = [r for r in rows if r[1] == number]
        if asset is None or asset["asset_version"] != mine[0][12]:
            raise versions.AssetChanged(
                f"{number} changed since this change order was priced (it is at version "
                f"{asset['asset_version'] if asset else '?'}, the order at {mine[0][12]}); "
                "create a new change order."
            )
        if asset["status"] not in versions.LIVE:
            raise Conflict(f"{number} is {asset['status']}; this change order can no longer be "
                           "applied.", error_code="ASSET_CHANGED")  # fmt: skip
        changes, action = _changes(conn, asset, mine, today)
        await versions.new_version(
            conn, ctx, asset, order_id, changes, action=action, reason=reason
        )
    return numbers


def _changes(
    conn: Conn, asset: dict[str, Any], lines: Sequence[Row], today: date
) -> tuple[dict[str, Any], str]:
    new: dict[str, Any] = {}
    action = ""
    for r in lines:
        kind = r[0]
        current = {**asset, **new}
        step, name = _apply(conn, kind, current, r, today)
        new.update(step)
        action = action or name
    return new, action


def _apply(
    conn: Conn, kind: str, asset: dict[str, Any], r: Row, today: date
) -> tuple[dict[str, Any], str]:
    start = conn.to_date(r[3]) if r[3] is not None else None
    end = conn.to_date(r[4]) if r[4] is not None else None
    if kind == "UpdateQuantity":
        return {"quantity": asset["quantity"] + r[2],
                "total_price": asset["total_price"] + r[11]}, ACTIONS[kind]  # fmt: skip
    if kind in ("UpdateTerm", "Renew"):
        return {"term": asset["term"] + r[5], "end_date": end,
                "total_price": asset["total_price"] + r[11]}, ACTIONS[kind]  # fmt: skip
    if kind == "CoTerm":
        return {"end_date": end, "total_price": asset["total_price"] + r[11]}, ACTIONS[kind]
    if kind == "Cancel":
        effective = start is not None and start <= today
        status = "Canceled" if effective else "Scheduled for Cancellation"
        action = "subscription.canceled" if effective else "subscription.cancellation_scheduled"
        return {"status": status, "cancellation_date": start}, action
    if kind == "ConvertFreeTrial":
        return {"start_date": start, "term": r[5], "end_date": end,
                "total_price": r[11]}, ACTIONS[kind]  # fmt: skip
    if r[2] < 0:  # the credit line of a swap: the charge line carries the new product
        return {}, ACTIONS[kind]
    swapped = {
        "product_id": conn.to_id(r[6]), "price_book_entry_id": conn.to_id(r[7]),
        "product_name": r[8], "list_price": r[9], "price": r[10], "quantity": r[2],
    }  # fmt: skip
    return swapped, ACTIONS[kind]
