"""Subscriptions as activation leaves them: an Activated order, its line and the asset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from selfserve.db import Conn
from selfserve.invoices.billing import add_months
from tests.fixtures import builders as b


@dataclass(frozen=True)
class Sub:
    order_id: str
    line_id: str
    asset_id: str
    number: str


async def subscription(
    conn: Conn, tenant_id: str, customer_id: str, product_id: str, *, end: date,
    price: int = 30_000_000, quantity: int = 2, term: int = 12, renewal_term: int | None = 12,
    tax_rate: int = 0, currency: str = "USD", price_period: str = "Month", **asset: Any,
) -> Sub:  # fmt: skip
    """A subscription whose ``term`` months end on ``end``; ``price`` in
    micro-units per ``price_period``; ``asset`` overrides asset columns (status, ...)."""
    start = add_months(end + timedelta(days=1), -term)
    number = f"SUB-{b.next_number():08d}"
    order_id = await b.order(conn, tenant_id, customer_id, currency=currency,
                             order_start_date=start)  # fmt: skip
    line_id = await b.order_line(
        conn, tenant_id, order_id, product_id, asset_number=number, quantity=quantity,
        price_period=price_period, list_price=price, sales_price=price, tax_rate=tax_rate,
        subscription_start_date=start, subscription_end_date=end, subscription_term=term,
        billing_period="Month", product_sku="PLAT",
    )  # fmt: skip
    asset_id = await b.asset(
        conn, tenant_id, customer_id, order_id, product_id, **{
            "asset_number": number, "order_product_id": line_id, "quantity": quantity,
            "start_date": start, "end_date": end, "term": term, "renewal_term": renewal_term,
            "currency": currency, "list_price": price, "price": price, **asset,
        },
    )  # fmt: skip
    return Sub(order_id, line_id, asset_id, number)


async def current(conn: Conn, tenant_id: str, number: str) -> tuple[Any, ...]:
    """``(asset_version, status, start_date, end_date, term, auto_renew, order_id)``."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT asset_version, status, start_date, end_date, term, auto_renew, order_id "
        f"FROM assets WHERE tenant_id = {sql.p(tenant_id)} AND asset_number = {sql.p(number)} "
        "AND is_current",
        sql.params,
    )
    assert row is not None
    return (row[0], row[1], conn.to_date(row[2]), conn.to_date(row[3]), row[4], bool(row[5]),
            conn.to_id(row[6]))  # fmt: skip


async def count(conn: Conn, table: str, tenant_id: str) -> int:
    sql = conn.sql()
    return int(
        await conn.fetchval(
            f"SELECT count(*) FROM {table} WHERE tenant_id = {sql.p(tenant_id)}", sql.params
        )
    )
