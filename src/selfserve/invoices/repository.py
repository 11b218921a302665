"""SQL for invoices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from selfserve.db import Conn, Row

INVOICE_COLUMNS = (
    "i.id, i.invoice_number, i.status, i.payment_status, i.customer_id, i.order_id, "
    "i.invoice_date, i.due_date, i.start_date, i.end_date, i.amount, i.amount_without_tax, "
    "i.tax_amount, i.balance, i.currency"
)


async def invoices_for_orders(
    conn: Conn, tenant_id: str, order_ids: Sequence[Any], cap: int
) -> list[Row]:
    """``(order_id, invoice...)``, newest first, at most ``cap + 1`` per order."""
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT * FROM (SELECT i.order_id AS for_order, {INVOICE_COLUMNS}, row_number() OVER "
        "(PARTITION BY i.order_id ORDER BY i.invoice_date DESC, i.invoice_number DESC) AS n "
        f"FROM invoices i WHERE {sql.in_('i.order_id', order_ids)} "
        f"AND i.tenant_id = {sql.p(tenant_id)}) x WHERE n <= {sql.p(cap + 1)} "
        "ORDER BY for_order, n",
        sql.params,
    )
