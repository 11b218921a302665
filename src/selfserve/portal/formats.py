"""Locale-dependent words and values of the read pages that need more than a template
filter: the change timeline (event names, actors, field changes "from → to" with money and
dates formatted) and the texts of invoice states.

Values come from the API's own structs; nothing here computes money, it only formats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from selfserve.history.schemas import FieldChange, HistoryEvent
from selfserve.invoices.schemas import InvoiceRead
from selfserve.portal.render import View

MONEY_FIELDS = frozenset(
    {"amount", "balance", "subtotal", "taxAmount", "totalAmount", "totalPrice"}
)
PRICE_FIELDS = frozenset({"listPrice", "price"})
DATE_FIELDS = frozenset(
    {"cancellationDate", "effectiveDate", "endDate", "orderPlacedDate", "startDate"}
)
EMPTY = "—"


@dataclass(frozen=True, slots=True)
class ChangeText:
    label: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One change event as the order page's timeline shows it."""

    what: str
    at: str
    actor: str
    subject: str | None
    reason: str | None
    changes: list[ChangeText]


def event_name(view: View, action: str) -> str:
    _ = view._
    names = {
        "order.created": _("Order created"),
        "order.activated": _("Order activated"),
        "order.canceled": _("Order canceled"),
        "order.cancellation_scheduled": _("Cancellation scheduled"),
        "invoice.issued": _("Invoice issued"),
        "invoice.canceled": _("Invoice canceled"),
        "subscription.created": _("Subscription started"),
        "asset.created": _("Asset added"),
        "entitlement.created": _("Entitlement added"),
        "subscription.quantity_changed": _("Quantity changed"),
        "subscription.renewed": _("Subscription renewed"),
        "subscription.canceled": _("Subscription canceled"),
        "subscription.cancellation_scheduled": _("Cancellation scheduled"),
        "subscription.auto_renew_changed": _("Automatic renewal changed"),
        "subscription.term_changed": _("Term changed"),
        "subscription.coterminated": _("End date aligned"),
        "subscription.upgraded": _("Upgraded"),
        "subscription.downgraded": _("Downgraded"),
        "subscription.swapped": _("Product swapped"),
        "subscription.trial_converted": _("Trial converted"),
    }
    # An event this page does not know yet still shows, in the API's own words.
    return names.get(action) or action.replace(".", ": ").replace("_", " ")


def actor_name(view: View, actor_type: str) -> str:
    _ = view._
    return {
        "api_key": _("Your provider"),
        "customer": _("You"),
        "portal_session": _("You"),
        "system": _("Automatic"),
    }.get(actor_type, actor_type)


def field_label(view: View, name: str) -> str:
    _ = view._
    return {
        "status": _("Status"),
        "quantity": _("Quantity"),
        "price": _("Unit price"),
        "listPrice": _("List price"),
        "totalPrice": _("Total"),
        "totalAmount": _("Total"),
        "amount": _("Amount"),
        "balance": _("Balance"),
        "startDate": _("Start date"),
        "endDate": _("End date"),
        "cancellationDate": _("Cancellation date"),
        "orderPlacedDate": _("Order date"),
        "autoRenew": _("Automatic renewal"),
        "term": _("Term (months)"),
        "renewalTerm": _("Renewal term (months)"),
        "assetVersion": _("Version"),
        "assetNumber": _("Number"),
        "orderNumber": _("Order number"),
        "invoiceNumber": _("Invoice number"),
        "orderType": _("Type"),
        "productId": _("Product"),
        "priceBookEntryId": _("Price"),
    }.get(name, name)


def status_text(view: View, status: str) -> str:
    """Order, subscription and invoice statuses as the pages write them."""
    _ = view._
    return {
        "Draft": _("Draft"),
        "Activated": _("Active"),
        "Active": _("Active"),
        "Pending": _("Pending"),
        "Scheduled for Cancellation": _("Scheduled for cancellation"),
        "Canceled": _("Canceled"),
        "Ended": _("Ended"),
        "Expired": _("Expired"),
        "New": _("New"),
        "Change": _("Change"),
        "Renewal": _("Renewal"),
    }.get(status, status)


def value_text(view: View, name: str, value: Any, currency: str) -> str:
    """A field's value before or after a change, formatted as the rest of the page."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return view._("On") if value else view._("Off")
    if name in MONEY_FIELDS or name in PRICE_FIELDS:
        amount = _decimal(value)
        if amount is not None:
            formatter = view.money if name in MONEY_FIELDS else view.price
            return formatter(amount, currency)
    if name in DATE_FIELDS and isinstance(value, str):
        try:
            return view.day(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if name in ("status", "orderType") and isinstance(value, str):
        return status_text(view, value)
    if isinstance(value, int):
        return view.number(value)
    return str(value)


def _decimal(value: Any) -> Decimal | None:
    # Stored events carry money as exact JSON numbers; str() of the decoded float is its
    # shortest exact spelling, so Decimal never sees binary noise.
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def change_text(view: View, change: FieldChange, currency: str) -> ChangeText:
    return ChangeText(
        label=field_label(view, change.field),
        before=value_text(view, change.field, change.from_, currency),
        after=value_text(view, change.field, change.to, currency),
    )


def timeline(view: View, events: list[HistoryEvent], currency: str) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            what=event_name(view, e.action),
            at=view.instant(e.at),
            actor=actor_name(view, e.actor_type),
            subject=e.asset_number,
            reason=e.reason,
            changes=[change_text(view, c, currency) for c in e.changes],
        )
        for e in events
    ]


def invoice_state(view: View, invoice: InvoiceRead) -> tuple[str, str]:
    """``(css class, text)`` of an invoice: Paid, Partially paid, Open, Overdue, Draft or
    Canceled, judged from the API's status, balance and ``isOverdue``."""
    _ = view._
    if invoice.status == "Draft":
        return "draft", _("Draft")
    if invoice.status == "Canceled":
        return "canceled", _("Canceled")
    if invoice.is_overdue:
        return "overdue", _("Overdue")
    if invoice.balance == 0:
        return "paid", _("Paid")
    if invoice.balance < invoice.amount:
        return "partially-paid", _("Partially paid")
    return "open", _("Open")
