"""The order wire contract (spec §4): Nue's field names, plus lifecycle, actions and includes.

Money fields are ``Decimal`` rendered as JSON numbers with the currency's decimals (JPY 0,
USD 2, KWD 3); unit prices may carry more decimals. Calendar dates are ``YYYY-MM-DD`` in the
customer's time zone; ``*Date`` fields that record an instant (``createdDate``,
``lastModifiedDate``, ``activatedDate``, ``canceledDate``) are UTC timestamps ending in ``Z``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from selfserve.assets.schemas import AssetRead
from selfserve.history.schemas import HistoryEvent
from selfserve.invoices.schemas import InvoiceRead
from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Day, Id, Instant, Money, Percent, UnitPrice, doc


class Cancellation(msgspec.Struct, rename="camel"):
    canceled_date: Annotated[datetime | None, doc("When the cancellation was recorded (UTC)")]
    effective_date: Annotated[date | None, doc("When service ends (customer-local date)")]
    reason: str | None
    canceled_by_id: str | None


class Lifecycle(msgspec.Struct, rename="camel"):
    """Where the order stands, for a portal badge and renewal planning."""

    stage: Annotated[
        str,
        doc(
            "draft | active | renewal_due | pending_cancellation | canceled | expired",
            "renewal_due",
        ),
    ]
    next_renewal_date: Annotated[date | None, doc("End of the earliest live subscription term")]
    days_until_renewal: Annotated[int | None, doc("From the customer's today", 21)]
    auto_renew: bool | None
    renewal_term: Annotated[int | None, doc("Months", 12)]
    cancellation: Cancellation | None


class Action(msgspec.Struct):
    """An operation this caller may perform on the order now."""

    name: Annotated[str, doc("activate | cancel | change | renew", "cancel")]
    method: Annotated[str, doc("HTTP method", "POST")]
    href: Annotated[str, doc("Path to call", "/orders/3f2b.../cancel")]


class OrderProductRead(msgspec.Struct, rename="camel"):
    """An order line. totalPrice = listPrice × quantity × periods − discountAmount."""

    id: Id
    product_id: Id
    product_name: str
    product_sku: str
    product_category: Annotated[
        str, doc("RecurringServices | PhysicalGoods | ProfessionalServices | CustomerSupport")
    ]
    price_book_entry_id: Id | None
    change_type: Annotated[str, doc("New, UpdateQuantity, Renew, Cancel, ...", "New")]
    asset_number: Annotated[str | None, doc("The asset a change line changes", "SUB-00000001")]
    quantity: int
    price_period: Annotated[str, doc("Month | Year | OneTime", "Month")]
    list_price: UnitPrice
    sales_price: UnitPrice
    discount: Percent
    discount_amount: Money
    subscription_start_date: Day | None
    subscription_end_date: Day | None
    subscription_term: Annotated[int | None, doc("Months", 12)]
    billing_period: str | None
    total_price: Money
    tax_amount: Money


_ORDER_RENAMES = {"order_acv": "orderACV", "order_tcv": "orderTCV"}


def _order_name(name: str) -> str:
    if name in _ORDER_RENAMES:
        return _ORDER_RENAMES[name]
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class OrderRead(msgspec.Struct, rename=_order_name):
    """An order with its lines, lifecycle, actions and any requested includes."""

    id: Id
    order_number: Annotated[str, doc("O- + 8 digits, per tenant", "O-00000001")]
    name: str | None
    description: str | None
    status: Annotated[str, doc("Draft | Activated | Canceled", "Activated")]
    order_type: Annotated[str, doc("New | Change | Renewal", "New")]
    customer_id: Id
    currency: Annotated[str, doc("ISO 4217", "USD")]
    created_date: Instant
    last_modified_date: Instant
    created_by_id: str | None
    last_modified_by_id: str | None
    effective_date: Day | None
    order_start_date: Day | None
    order_end_date: Day | None
    order_placed_date: Day | None
    activated_date: Instant | None
    canceled_date: Instant | None
    subscription_start_date: Day | None
    subscription_end_date: Day | None
    subscription_term: int | None
    billing_period: Annotated[str | None, doc("Month | Quarter | Semi-Annual | Annual")]
    bill_cycle_day: int | None
    list_total: Money
    subtotal: Money
    discount: Percent
    discount_amount: Money
    system_discount: Percent
    system_discount_amount: Money
    tax_amount: Money
    total_amount: Money
    grand_total: Money
    order_acv: Money
    order_tcv: Money
    order_products: list[OrderProductRead]
    lifecycle: Lifecycle
    actions: list[Action]
    assets: list[AssetRead] | msgspec.UnsetType = msgspec.UNSET
    assets_truncated: bool | msgspec.UnsetType = msgspec.UNSET
    invoices: list[InvoiceRead] | msgspec.UnsetType = msgspec.UNSET
    invoices_truncated: bool | msgspec.UnsetType = msgspec.UNSET
    history: list[HistoryEvent] | msgspec.UnsetType = msgspec.UNSET
    history_truncated: bool | msgspec.UnsetType = msgspec.UNSET


class OrderList(msgspec.Struct):
    """A page of orders."""

    status: Annotated[str, doc("SUCCESS", "SUCCESS")]
    data: list[OrderRead]
    pagination: Pagination


class OrderEnvelope(msgspec.Struct):
    status: str
    data: OrderRead


class HistoryList(msgspec.Struct):
    status: str
    data: list[HistoryEvent]
    pagination: Pagination


class OrderQueryBody(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """POST /orders/query: the GET /orders parameters as JSON, for long id lists."""

    customer_ids: list[str] | None = None
    includes: list[str] | str | None = None
    status: list[str] | str | None = None
    limit: int | None = None
    cursor: str | None = None
    sort: str | None = None
    q: str | None = None
    renewal_within_days: int | None = None
    filters: Annotated[
        list[str] | None, doc("Field filters in the inline form", ["totalAmount>1000"])
    ] = None
