"""Change events for an order, its assets and its invoices, in the order they happened.

``changes`` is JSON text (``[{"field", "from", "to"}]``) filled into fixed templates: the only
variable parts are numbers, ISO dates and decimal amounts, none of which need escaping, and
this runs a few million times for the benchmark dataset.
"""

from __future__ import annotations

from typing import Any

from selfserve.kit.money import minor_to_decimal

from .calendar import MILLISECOND, day
from .model import Customer, Invoice, Order
from .world import World

Row = tuple[Any, ...]
Actor = tuple[str, str | None]

# Field names and shapes follow the API's own events (``history.diff``): wire names, dates as
# ISO strings, amounts as decimal strings, quantities and terms as numbers.
_ORDER_CREATED = (
    '[{"field":"status","from":null,"to":"Draft"},{"field":"orderNumber","from":null,"to":"%s"},'
    '{"field":"totalAmount","from":null,"to":"%s"}]'
)
_ORDER_ACTIVATED = (
    '[{"field":"status","from":"Draft","to":"Activated"},'
    '{"field":"orderPlacedDate","from":null,"to":"%s"}]'
)
_ORDER_CANCELED = (
    '[{"field":"status","from":"%s","to":"Canceled"},'
    '{"field":"cancellationDate","from":null,"to":"%s"}]'
)
_ORDER_SCHEDULED = '[{"field":"cancellationDate","from":null,"to":"%s"}]'
_ASSET_CREATED = (
    '[{"field":"assetNumber","from":null,"to":"%s"},{"field":"status","from":null,"to":"Active"},'
    '{"field":"quantity","from":null,"to":%d},{"field":"startDate","from":null,"to":"%s"}%s]'
)
_END_DATE = ',{"field":"endDate","from":null,"to":"%s"}'
_QUANTITY_CHANGED = (
    '[{"field":"assetVersion","from":%d,"to":%d},{"field":"quantity","from":%d,"to":%d}]'
)
_RENEWED = (
    '[{"field":"assetVersion","from":%d,"to":%d},{"field":"endDate","from":"%s","to":"%s"},'
    '{"field":"term","from":%d,"to":%d}]'
)
_SUBSCRIPTION_ENDING = (
    '[{"field":"assetVersion","from":%d,"to":%d},{"field":"status","from":"Active","to":"%s"},'
    '{"field":"cancellationDate","from":null,"to":"%s"}]'
)
_INVOICE_ISSUED = (
    '[{"field":"invoiceNumber","from":null,"to":"%s"},{"field":"status","from":null,"to":"Active"},'
    '{"field":"amount","from":null,"to":"%s"}]'
)
_INVOICE_PAID = (
    '[{"field":"paymentStatus","from":"NotTransferred","to":"%s"},'
    '{"field":"balance","from":"%s","to":"%s"}]'
)
_INVOICE_CANCELED = (
    '[{"field":"status","from":"Active","to":"Canceled"},'
    '{"field":"paymentStatus","from":"NotTransferred","to":"Canceled"}]'
)
_CREATED_ACTION = {
    "Subscription": "subscription.created",
    "Asset": "asset.created",
    "Entitlement": "entitlement.created",
}
BILLING_RUN: Actor = ("system", "billing")
PAYMENTS: Actor = ("system", "payments")


def _iso(ordinal: int | None) -> str:
    return "" if ordinal is None else day(ordinal).isoformat()


class EventWriter:
    """Appends change-event rows for one customer's orders to ``out``."""

    def __init__(self, w: World, c: Customer, out: list[Row]) -> None:
        self.w, self.c, self.out = w, c, out
        self.tenant_id, self.instant = w.tenant_id, w.codec.instant
        self.currency = c.region.currency

    def _add(
        self,
        order: Order,
        entity: tuple[str, str, str | None],  # (entity type, entity id, asset number)
        action: str,
        actor: Actor,
        changes: str,
        at: int,
        reason: str | None = None,
    ) -> None:
        kind, entity_id, asset_number = entity
        self.out.append((
            self.w.uid(), self.tenant_id, self.c.id, order.id, asset_number, kind, entity_id,
            action, actor[0], actor[1], reason, changes, self.instant(at),
        ))  # fmt: skip

    def _money(self, amount: int) -> str:
        return str(minor_to_decimal(amount, self.currency))

    def order(self, order: Order, placed: int | None) -> None:
        me, by = ("order", order.id, None), order.created_by
        total = self._money(order.totals.total_amount)
        changes = _ORDER_CREATED % (order.number, total)
        self._add(order, me, "order.created", by, changes, order.created_us)
        if order.activated_us is not None:
            changes = _ORDER_ACTIVATED % _iso(placed)
            self._add(order, me, "order.activated", by, changes, order.activated_us)
            self._assets(order, order.activated_us)
        if order.canceled_us is None:
            return
        by = order.canceled_by or order.created_by
        effective = _iso(order.cancel_effective)
        if order.status == "Canceled":
            before = "Draft" if order.activated_us is None else "Activated"
            action, changes = "order.canceled", _ORDER_CANCELED % (before, effective)
        else:
            action, changes = "order.cancellation_scheduled", _ORDER_SCHEDULED % effective
        self._add(order, me, action, by, changes, order.canceled_us, order.cancel_reason)
        self._subscriptions_ending(order, by)

    def _assets(self, order: Order, at: int) -> None:
        for step, version in enumerate(order.versions, 1):
            chain = version.chain
            me = ("asset", version.id, chain.number)
            prev = version.previous
            if prev is None:
                action = _CREATED_ACTION[chain.asset_type]
                end = "" if version.end is None else _END_DATE % _iso(version.end)
                changes = _ASSET_CREATED % (
                    chain.number,
                    version.quantity,
                    _iso(version.start),
                    end,
                )
            elif version.line.change_type == "Renew":
                action = "subscription.renewed"
                changes = _RENEWED % (
                    prev.number, version.number, _iso(prev.end), _iso(version.end), prev.term,
                    version.term,
                )  # fmt: skip
            else:
                action = "subscription.quantity_changed"
                changes = _QUANTITY_CHANGED % (
                    prev.number,
                    version.number,
                    prev.quantity,
                    version.quantity,
                )
            self._add(order, me, action, order.created_by, changes, at + step * MILLISECOND)

    def _subscriptions_ending(self, order: Order, by: Actor) -> None:
        at = order.canceled_us or 0
        for step, version in enumerate(order.cancellations, 1):
            chain, previous = version.chain, version.previous
            assert previous is not None
            canceled = (chain.cancel_date or 0) <= self.w.as_of
            action = "subscription.canceled" if canceled else "subscription.cancellation_scheduled"
            status = "Canceled" if canceled else "Scheduled for Cancellation"
            changes = _SUBSCRIPTION_ENDING % (
                previous.number,
                version.number,
                status,
                _iso(chain.cancel_date),
            )
            self._add(order, ("asset", version.id, chain.number), action, by, changes,
                      at + step * MILLISECOND, order.cancel_reason)  # fmt: skip

    def invoice(self, invoice: Invoice, first: bool) -> None:
        if invoice.status == "Draft":
            return
        order = invoice.order
        me = ("invoice", invoice.id, None)
        amount = invoice.amount
        issuer = order.created_by if first else BILLING_RUN
        changes = _INVOICE_ISSUED % (invoice.number, self._money(amount))
        self._add(order, me, "invoice.issued", issuer, changes, invoice.created_us)
        if invoice.paid_us is not None:
            action = "invoice.paid" if invoice.balance == 0 else "invoice.partially_paid"
            changes = _INVOICE_PAID % (
                invoice.payment_status,
                self._money(amount),
                self._money(invoice.balance),
            )
            self._add(order, me, action, PAYMENTS, changes, invoice.paid_us)
        elif invoice.status == "Canceled":
            by = order.canceled_by or BILLING_RUN
            self._add(order, me, "invoice.canceled", by, _INVOICE_CANCELED, invoice.updated_us,
                      order.cancel_reason)  # fmt: skip
