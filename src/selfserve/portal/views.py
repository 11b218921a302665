"""What the portal's pages show, assembled from the same services as the JSON API, so a
page can never show a number the API would not."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from selfserve.assets import service as assets
from selfserve.assets.query import from_query_string as asset_query
from selfserve.assets.schemas import SubscriptionRead
from selfserve.db import Conn
from selfserve.invoices import service as invoices
from selfserve.invoices.query import from_query_string as invoice_query
from selfserve.invoices.schemas import InvoiceRead
from selfserve.orders import service as orders
from selfserve.orders.query import from_query_string as order_query
from selfserve.orders.schemas import OrderRead
from selfserve.orders.service import ReadContext
from selfserve.portal import repository

LIVE = "active,scheduled_for_cancellation"


@dataclass(frozen=True, slots=True)
class Plan:
    """A live subscription as the overview shows it."""

    subscription: SubscriptionRead
    per_period: Decimal
    price_period: str
    renews_on: date | None
    ends_on: date | None


@dataclass(slots=True)
class Balance:
    open: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    overdue: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    overdue_count: int = 0
    open_count: int = 0


@dataclass(frozen=True, slots=True)
class Overview:
    plans: list[Plan]
    balance: Balance
    recent_orders: list[OrderRead]


def plan_of(sub: SubscriptionRead, price_period: str) -> Plan:
    # cancellationDate is the first day without service; endDate the term's last day.
    ending = sub.cancellation_date is not None or not sub.auto_renew
    ends_on = sub.cancellation_date - timedelta(days=1) if sub.cancellation_date else sub.end_date
    renews_on = None if ending or sub.end_date is None else sub.end_date + timedelta(days=1)
    return Plan(
        subscription=sub,
        per_period=sub.price * sub.quantity,
        price_period=price_period,
        renews_on=renews_on,
        ends_on=ends_on if ending else None,
    )


async def plans(conn: Conn, ctx: ReadContext) -> list[Plan]:
    query = asset_query(urlencode({"status": LIVE, "limit": 100, "sort": "endDate"}))
    subs = (await assets.list_subscriptions(conn, ctx.principal, query)).data
    periods = await repository.price_periods(
        conn, ctx.principal.tenant_id, [s.order_product_id for s in subs if s.order_product_id]
    )
    return [plan_of(s, periods.get(s.order_product_id or "", "")) for s in subs]


async def balance(conn: Conn, ctx: ReadContext) -> Balance:
    """Unpaid balances of issued invoices, by currency (never converted), and the overdue part."""
    result, cursor = Balance(), None
    while True:
        raw = "status=active&balance>0&limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = await invoices.list_invoices(conn, ctx.principal, ctx.now, invoice_query(raw))
        for invoice in page.data:
            _add(result, invoice)
        cursor = page.pagination.next_cursor
        if not cursor:
            return result


def _add(result: Balance, invoice: InvoiceRead) -> None:
    result.open[invoice.currency] += invoice.balance
    result.open_count += 1
    if invoice.is_overdue:
        result.overdue[invoice.currency] += invoice.balance
        result.overdue_count += 1


async def overview(conn: Conn, ctx: ReadContext) -> Overview:
    recent = await orders.list_orders(conn, ctx, order_query("limit=5&sort=-createdDate"))
    return Overview(await plans(conn, ctx), await balance(conn, ctx), recent.data)
