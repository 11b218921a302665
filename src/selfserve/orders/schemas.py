"""The order wire contract (spec §4): Nue's field names, plus lifecycle, actions and includes.

Money fields are ``Decimal`` rendered as JSON numbers with the currency's decimals (JPY 0,
USD 2, KWD 3); unit prices may carry more decimals. Calendar dates are ``YYYY-MM-DD`` in the
customer's time zone; ``*Date`` fields that record an instant (``createdDate``,
``lastModifiedDate``, ``activatedDate``, ``canceledDate``) are UTC timestamps ending in ``Z``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from selfserve.assets.schemas import AssetRead
from selfserve.history.schemas import HistoryEvent
from selfserve.invoices.schemas import InvoiceRead
from selfserve.kit.pagination import Pagination
from selfserve.kit.schemas import Action as Action  # re-exported: part of the order contract
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


class OrderDocument(msgspec.Struct, rename=_order_name):
    """An order and its lines: the part of an order object that depends on nothing but the
    order's own rows, stored encoded as ``orders.document`` (``orders.documents``)."""

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


class OrderRead(OrderDocument, rename=_order_name):
    """An order with its lines, lifecycle, actions and any requested includes."""

    lifecycle: Lifecycle
    actions: list[Action]
    assets: list[AssetRead] | msgspec.UnsetType = msgspec.UNSET
    assets_truncated: bool | msgspec.UnsetType = msgspec.UNSET
    invoices: list[InvoiceRead] | msgspec.UnsetType = msgspec.UNSET
    invoices_truncated: bool | msgspec.UnsetType = msgspec.UNSET
    history: list[HistoryEvent] | msgspec.UnsetType = msgspec.UNSET
    history_truncated: bool | msgspec.UnsetType = msgspec.UNSET


class OrderTail(msgspec.Struct, rename=_order_name):
    """What an order object adds to its stored document on each read: the fields of
    ``OrderRead`` after ``orderProducts``, encoded and appended to the document's bytes (the
    assets and invoices as their own stored documents)."""

    lifecycle: Lifecycle
    actions: list[Action]
    assets: list[msgspec.Raw] | msgspec.UnsetType = msgspec.UNSET
    assets_truncated: bool | msgspec.UnsetType = msgspec.UNSET
    invoices: list[msgspec.Raw] | msgspec.UnsetType = msgspec.UNSET
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


class EncodedOrderList(msgspec.Struct):
    """``OrderList`` with its orders already encoded: what the API sends (orders.documents,
    orders.wire)."""

    status: str
    data: msgspec.Raw  # the JSON array of the orders
    pagination: Pagination


class EncodedOrderEnvelope(msgspec.Struct):
    """``OrderEnvelope`` with the order already encoded."""

    status: str
    data: msgspec.Raw


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


# --- writes -----------------------------------------------------------------------------------

Quantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000, description="Units", examples=[5])]
Term = Annotated[int, msgspec.Meta(ge=1, le=600, description="Months", examples=[12])]
DiscountIn = Annotated[Decimal, doc("Percent from 0 to 100, at most 2 decimals", 10)]
BillingPeriod = Literal["Month", "Quarter", "Semi-Annual", "Annual"]


class CustomerRef(msgspec.Struct, forbid_unknown_fields=True):
    id: Annotated[str, doc("Customer id", "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f")]


class OrderProductCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """One line: a price book entry (from GET /catalog/products), quantity and term."""

    price_book_entry_id: Annotated[str, doc("Price book entry id")]
    quantity: Quantity
    subscription_start_date: Annotated[date | None, doc("Defaults to the effective date")] = None
    subscription_term: Annotated[Term | None, doc("Months; recurring lines default to 12")] = None
    discount: DiscountIn | None = None
    auto_renew: Annotated[bool | None, doc("For subscriptions; default true")] = None


class OrderOptions(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    preview_invoice: Annotated[bool, doc("Return the first invoice as it would be issued")] = False
    calculate_tax: Annotated[bool, doc("Apply the tax rate of the customer's country")] = False


class OrderCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A draft order: priced from the price book, nothing billed until activation."""

    customer: CustomerRef
    effective_date: Annotated[date, doc("When the order takes effect", "2025-07-01")]
    order_products: Annotated[list[OrderProductCreate], msgspec.Meta(min_length=1, max_length=200)]
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    description: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    discount: Annotated[DiscountIn | None, doc("Order-level discount on every line")] = None
    billing_period: Annotated[BillingPeriod, doc("How subscriptions are invoiced")] = "Month"
    options: OrderOptions = msgspec.field(default_factory=OrderOptions)


class ActivateOptions(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    generate_invoice: Annotated[bool, doc("Issue the first invoice")] = False
    activate_invoice: Annotated[bool, doc("Issue it Active instead of Draft")] = False


class OrderActivate(msgspec.Struct, forbid_unknown_fields=True):
    options: ActivateOptions = msgspec.field(default_factory=ActivateOptions)


class OrderCancel(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Cancel a draft, or end every live subscription of an activated order on a date."""

    cancellation_date: Annotated[date, doc("First day without service (customer-local)")]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class InvoiceLinePreview(msgspec.Struct, rename="camel"):
    order_product_id: Id
    start_date: Day
    end_date: Day | None
    quantity: int
    amount: Money
    tax_amount: Money


class InvoicePreview(msgspec.Struct, rename="camel"):
    """The first invoice as activation would issue it (nothing is saved)."""

    invoice_date: Day
    due_date: Day
    start_date: Day
    end_date: Day | None
    currency: str
    amount: Money
    amount_without_tax: Money
    tax_amount: Money
    lines: list[InvoiceLinePreview]


class OrderResult(msgspec.Struct):
    """What a write produced: the order, and the assets and invoices it created or changed."""

    order: OrderRead
    assets: list[AssetRead] | msgspec.UnsetType = msgspec.UNSET
    invoices: list[InvoiceRead] | msgspec.UnsetType = msgspec.UNSET


class OrderResultEnvelope(msgspec.Struct):
    status: str
    data: OrderResult


class DraftResult(msgspec.Struct):
    """A new draft, and with ``previewInvoice`` the invoice activation would issue first."""

    order: OrderRead
    invoices: list[InvoicePreview] | msgspec.UnsetType = msgspec.UNSET


class DraftResultEnvelope(msgspec.Struct):
    status: str
    data: DraftResult


ChangeType = Literal[
    "UpdateQuantity", "UpdateTerm", "Renew", "CoTerm", "Cancel", "ConvertFreeTrial", "Upgrade",
    "Downgrade", "Swap",
]  # fmt: skip


class AssetChange(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """One change to a subscription; which fields apply depends on ``changeType`` (Nue's)."""

    change_type: ChangeType
    asset_number: Annotated[str, doc("The subscription to change", "SUB-00000001")]
    quantity: Annotated[int | None, doc("UpdateQuantity: the delta; swaps: the new quantity")] = (
        None
    )
    start_date: Annotated[date | None, doc("When the change takes effect (customer-local)")] = None
    term: Annotated[int | None, doc("UpdateTerm: months to add (negative shortens)")] = None
    new_term: Annotated[int | None, doc("Alias of term")] = None
    renewal_term: Annotated[Term | None, doc("Renew: months of the new term")] = None
    co_term_date: Annotated[date | None, doc("CoTerm: the new end date")] = None
    cancellation_date: Annotated[date | None, doc("Cancel: first day without service")] = None
    price_book_entry_id: Annotated[str | None, doc("Upgrade/Downgrade/Swap: the new price")] = None


class ChangeOrderCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A draft change order against existing subscriptions, plus optional new products."""

    asset_changes: Annotated[list[AssetChange], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    products: Annotated[list[OrderProductCreate], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    options: OrderOptions = msgspec.field(default_factory=OrderOptions)
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
