"""SQL for subscriptions, physical assets and entitlements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from selfserve.db import Conn, Row

ASSET_COLUMNS = (
    "a.id, a.asset_type, a.asset_number, a.status, a.customer_id, a.product_id, "
    "a.product_name, a.quantity, a.start_date, a.end_date, a.term, a.renewal_term, "
    "a.auto_renew, a.billing_period, a.currency, a.list_price, a.price, a.total_price, "
    "a.asset_version, a.last_versioned_asset_id, a.cancellation_date"
)


async def current_assets_for_orders(
    conn: Conn, tenant_id: str, order_ids: Sequence[Any], cap: int
) -> list[Row]:
    """``(order_id, asset...)`` for every asset an order created or changed, at its current
    version, at most ``cap + 1`` per order (the extra row tells the caller it was cut)."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    return await conn.fetch(
        f"SELECT * FROM (SELECT v.order_id, {ASSET_COLUMNS}, row_number() OVER "
        "(PARTITION BY v.order_id ORDER BY a.asset_number) AS n FROM "
        "(SELECT DISTINCT order_id, asset_number FROM assets "
        f"WHERE {sql.in_('order_id', order_ids)} AND tenant_id = {tenant}) v "
        f"JOIN assets a ON a.tenant_id = {tenant} AND a.asset_number = v.asset_number "
        f"AND a.is_current) x WHERE n <= {sql.p(cap + 1)} ORDER BY order_id, asset_number",
        sql.params,
    )
