"""What the portal's pages show, assembled from the same services as the JSON API, so a
page can never show a number the API would not."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Generic, TypeVar
from urllib.parse import urlencode

from selfserve.assets import service as assets
from selfserve.assets.query import from_query_string as asset_query
from selfserve.assets.schemas import AssetList, AssetRead, SubscriptionList, SubscriptionRead
from selfserve.db import Conn
from selfserve.errors import InvalidParameter
from selfserve.invoices import service as invoices
from selfserve.invoices.query import from_query_string as invoice_query
from selfserve.invoices.schemas import InvoiceDetail, InvoiceRead
from selfserve.kit.clock import local_date
from selfserve.kit.money import minor_to_decimal
from selfserve.kit.pagination import Pagination
from selfserve.kit.query import canonical_uuid
from selfserve.orders import service as orders
from selfserve.orders.query import from_query_string as order_query
from selfserve.orders.schemas import Action, OrderRead
from selfserve.orders.service import ReadContext
from selfserve.portal import detail_repository, repository
from selfserve.renewals import service as renewals
from selfserve.renewals.errors import SubscriptionNotFound
from selfserve.renewals.query import from_query_string as renewal_query
from selfserve.renewals.schemas import RenewalRead

LIVE = "active,scheduled_for_cancellation"
T = TypeVar("T")


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
    plans_total: int
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


OVERVIEW_PLANS = 10


async def plans(conn: Conn, ctx: ReadContext) -> tuple[list[Plan], int]:
    """The live subscriptions that renew or end soonest (the overview shows the next ten and
    links to the full list), and how many there are in all."""
    query = asset_query(urlencode({"status": LIVE, "limit": OVERVIEW_PLANS, "sort": "endDate"}))
    page = await assets.list_subscriptions(conn, ctx.principal, query)
    subs = page.data
    periods = await repository.price_periods(
        conn, ctx.principal.tenant_id, [s.order_product_id for s in subs if s.order_product_id]
    )
    found = [plan_of(s, periods.get(s.order_product_id or "", "")) for s in subs]
    return found, page.pagination.total if page.pagination.total is not None else len(found)


async def balance(conn: Conn, ctx: ReadContext, customer_id: str) -> Balance:
    """Unpaid balances of issued invoices by currency (never converted) and the overdue part,
    summed in SQL: a customer with hundreds of open invoices costs one small statement."""
    tenant_id = ctx.principal.tenant_id
    zone = await repository.customer_time_zone(conn, tenant_id, customer_id)
    result = Balance()
    if zone is None:
        return result
    today = local_date(ctx.now, zone)
    for currency, count, owed, late_count, late in await repository.open_balances(
        conn, tenant_id, customer_id, today
    ):
        result.open[currency] = minor_to_decimal(int(owed), currency)
        result.open_count += int(count)
        if late_count:
            result.overdue[currency] = minor_to_decimal(int(late), currency)
            result.overdue_count += int(late_count)
    return result


async def overview(conn: Conn, ctx: ReadContext) -> Overview:
    recent = await orders.list_orders(conn, ctx, order_query("limit=5&sort=-createdDate"))
    # A portal session reads exactly one customer: the account it currently shows.
    customer_id = min(ctx.principal.customer_ids or ())
    owed = await balance(conn, ctx, customer_id)
    live, live_total = await plans(conn, ctx)
    return Overview(live, live_total, owed, recent.data)


# --- the list pages ---------------------------------------------------------------------------

PAGE_SIZE = 20
ALL = "all"
ORDER_STATUSES = {ALL: "", "active": "active", "draft": "draft", "canceled": "canceled"}
ASSET_TYPES = {"subscriptions": "Subscription", "assets": "Asset", "entitlements": "Entitlement"}
ASSET_STATUSES = {
    ALL: "",
    "active": "active",
    "pending": "pending",
    "scheduled": "scheduled_for_cancellation",
    "canceled": "canceled",
    "ended": "ended",
    "expired": "expired",
}
# Each filter is the same query the JSON API answers; "open" is what the overview counts.
INVOICE_FILTERS = {
    ALL: "",
    "open": "status=active&balance>0",
    "overdue": "status=active&isOverdue=true",
    "paid": "status=active&balance=0",
}


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One page of a list, the filters it was asked with, and the keyset paging links."""

    items: list[T]
    total: int
    filters: dict[str, str]
    next_href: str | None
    first_href: str | None


def choice(parameter: str, value: str | None, allowed: Mapping[str, str], default: str) -> str:
    """A filter's value from the page's address; anything else is a 400 naming it."""
    chosen = value or default
    if chosen not in allowed:
        raise InvalidParameter(
            parameter, f"{parameter} must be one of {', '.join(allowed)}.", allowed=list(allowed)
        )
    return chosen


def _api_query(base: dict[str, str | int], cursor: str | None, extra: str = "") -> str:
    raw = urlencode({"limit": PAGE_SIZE, **base} | ({"cursor": cursor} if cursor else {}))
    return f"{raw}&{extra}" if extra else raw


def _listing(
    path: str,
    items: list[T],
    pagination: Pagination,
    filters: dict[str, str],
    defaults: dict[str, str],
    cursor: str | None,
) -> Listing[T]:
    """Next and First links keep the filters and carry only the API's cursor (never an
    offset), so a page is as fast at the end of a long history as at its start."""
    kept = {k: v for k, v in filters.items() if v and v != defaults.get(k)}
    first = f"{path}?{urlencode(kept)}" if kept else path
    following = pagination.next_cursor
    return Listing(
        items=items,
        total=pagination.total,
        filters=filters,
        next_href=f"{path}?{urlencode(kept | {'cursor': following})}" if following else None,
        first_href=first if cursor else None,
    )


async def order_list(
    conn: Conn, ctx: ReadContext, status: str | None, search: str | None, cursor: str | None
) -> Listing[OrderRead]:
    """The customer's orders, newest first, by status and number or name."""
    status = choice("status", status, ORDER_STATUSES, ALL)
    search = (search or "").strip()
    base: dict[str, str | int] = {"sort": "-createdDate"}
    if ORDER_STATUSES[status]:
        base["status"] = ORDER_STATUSES[status]
    if search:
        base["q"] = search
    page = await orders.list_orders(conn, ctx, order_query(_api_query(base, cursor)))
    filters = {"status": status, "q": search}
    return _listing("/portal/orders", page.data, page.pagination, filters, {"status": ALL}, cursor)


async def asset_list(
    conn: Conn, ctx: ReadContext, kind: str | None, status: str | None, cursor: str | None
) -> Listing[AssetRead]:
    """Subscriptions, physical assets or entitlements, ended and canceled ones included
    unless a status is chosen: history is never hidden."""
    kind = choice("type", kind, ASSET_TYPES, "subscriptions")
    status = choice("status", status, ASSET_STATUSES, ALL)
    base: dict[str, str | int] = {"sort": "assetNumber"}
    if ASSET_STATUSES[status]:
        base["status"] = ASSET_STATUSES[status]
    query = asset_query(_api_query(base, cursor))
    page: AssetList | SubscriptionList
    if kind == "subscriptions":
        page = await assets.list_subscriptions(conn, ctx.principal, query)
    else:
        page = await assets.list_assets(conn, ctx.principal, ASSET_TYPES[kind], query)
    items: list[AssetRead] = list(page.data)
    filters, defaults = {"type": kind, "status": status}, {"type": "subscriptions", "status": ALL}
    return _listing("/portal/subscriptions", items, page.pagination, filters, defaults, cursor)


async def invoice_list(
    conn: Conn, ctx: ReadContext, status: str | None, cursor: str | None
) -> Listing[InvoiceRead]:
    """The customer's invoices, newest first: all, open (unpaid), overdue or paid."""
    status = choice("status", status, INVOICE_FILTERS, ALL)
    raw = _api_query({}, cursor, INVOICE_FILTERS[status])
    page = await invoices.list_invoices(conn, ctx.principal, ctx.now, invoice_query(raw))
    defaults = {"status": ALL}
    return _listing(
        "/portal/invoices", page.data, page.pagination, {"status": status}, defaults, cursor
    )


async def renewal_list(conn: Conn, ctx: ReadContext, cursor: str | None) -> Listing[RenewalRead]:
    """Terms ending within the tenant's renewal notice window, the soonest first, each with
    its next term projected by the renewals service."""
    days = ctx.principal.renewal_notice_days
    query = renewal_query(_api_query({"withinDays": days}, cursor))
    page = await renewals.list_renewals(conn, ctx, query)
    return _listing("/portal/renewals", page.data, page.pagination, {}, {}, cursor)


# --- the detail pages -------------------------------------------------------------------------

DETAIL_INCLUDES = frozenset({"assets", "invoices", "history"})


async def order_detail(conn: Conn, ctx: ReadContext, order_id: str) -> OrderRead:
    """The order with what it produced and its change timeline: one call, a fixed number of
    statements (the order, its lines, one per include)."""
    return (await orders.get_order(conn, ctx, order_id, DETAIL_INCLUDES)).data


@dataclass(frozen=True, slots=True)
class SubscriptionDetail:
    """A subscription, physical asset or entitlement at its current version, every version
    (newest first), and the order that produced the current version with its ``actions``
    (what this session may do now, as the JSON API offers it)."""

    subscription: AssetRead
    versions: list[AssetRead]
    order: OrderRead
    actions: list[Action]

    @property
    def is_subscription(self) -> bool:
        return self.subscription.asset_type == "Subscription"


async def subscription_detail(
    conn: Conn, ctx: ReadContext, subscription_id: str
) -> SubscriptionDetail:
    """One statement for the versions, then the producing order (its row and its lines)."""
    principal = ctx.principal
    try:
        canonical = canonical_uuid("subscriptionId", subscription_id)
    except InvalidParameter:
        raise SubscriptionNotFound() from None
    rows = await detail_repository.asset_versions(
        conn, principal.tenant_id, principal.customer_ids, canonical
    )
    if not rows:
        raise SubscriptionNotFound()
    current_row = next((r for r in rows if r[-1]), rows[0])
    versions = [assets.asset_from_row(conn, r) for r in rows]
    current: AssetRead = (
        assets.subscription_from_row(conn, current_row)
        if current_row[1] == "Subscription"
        else assets.asset_from_row(conn, current_row)
    )
    order = (await orders.get_order(conn, ctx, current.order_id, frozenset())).data
    return SubscriptionDetail(current, versions, order, order.actions)


@dataclass(frozen=True, slots=True)
class InvoicePage:
    invoice: InvoiceDetail
    paid: Decimal
    """What was paid: ``amount - balance`` of the API's own numbers, as the PDF prints it."""


async def invoice_detail(conn: Conn, ctx: ReadContext, invoice_id: str) -> InvoicePage:
    """The invoice with its lines: one statement for the invoice, one for its lines."""
    invoice = (await invoices.get_invoice(conn, ctx.principal, ctx.now, invoice_id)).data
    return InvoicePage(invoice, invoice.amount - invoice.balance)
