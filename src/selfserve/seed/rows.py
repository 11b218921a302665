"""Table rows from the generator's objects, as tuples in the column order of ``COLUMNS``.

Values are already in the form the target engine takes (see ``world.Codec``), so the loader
hands the tuples to COPY or ``executemany`` untouched.
"""

from __future__ import annotations

from typing import Any

from .billing import invoices_for
from .calendar import day as calendar_day
from .calendar import local_ordinal
from .events import EventWriter
from .model import Customer, Invoice, Line, Order, Version
from .world import World

Row = tuple[Any, ...]

COLUMNS: dict[str, tuple[str, ...]] = {
    "tenants": (
        "id", "slug", "name", "renewal_notice_days", "payment_terms_days", "grace_period_days",
        "created_at",
    ),
    "tax_rates": ("tenant_id", "country", "rate"),
    "products": (
        "id", "tenant_id", "sku", "name", "description", "product_category", "created_at",
        "updated_at",
    ),
    "price_book_entries": (
        "id", "tenant_id", "product_id", "currency", "list_price", "price_period", "active",
        "created_at",
    ),
    "customers": (
        "id", "tenant_id", "parent_customer_id", "account_number", "name", "email", "time_zone",
        "currency", "country", "created_at", "updated_at",
    ),
    "orders": (
        "id", "tenant_id", "customer_id", "order_number", "name", "description", "status",
        "order_type", "currency", "effective_date", "order_start_date", "order_end_date",
        "order_placed_date", "activated_at", "subscription_start_date", "subscription_end_date",
        "subscription_term", "billing_period", "bill_cycle_day", "list_total", "subtotal",
        "discount", "discount_amount", "system_discount", "system_discount_amount", "tax_amount",
        "total_amount", "order_acv", "order_tcv", "next_renewal_date", "auto_renew",
        "renewal_term", "canceled_at", "cancel_effective_date", "cancellation_reason",
        "canceled_by_id", "created_at", "updated_at", "created_by_id", "last_modified_by_id",
        "created_revision", "revision",
    ),
    "order_products": (
        "id", "tenant_id", "order_id", "line_number", "product_id", "price_book_entry_id",
        "product_name", "product_sku", "product_category", "change_type", "asset_number",
        "quantity", "price_period", "list_price", "sales_price", "discount", "list_amount",
        "discount_amount", "system_discount_amount", "total_price", "tax_amount", "tax_rate",
        "subscription_start_date", "subscription_end_date", "subscription_term", "billing_period",
    ),
    "assets": (
        "id", "tenant_id", "customer_id", "order_id", "order_product_id", "asset_type",
        "asset_number", "asset_version", "last_versioned_asset_id", "is_current", "status",
        "product_id", "product_name", "product_category", "price_book_entry_id", "quantity",
        "start_date", "end_date", "term", "renewal_term", "auto_renew", "billing_period",
        "currency", "list_price", "price", "total_price", "cancellation_date", "created_at",
        "updated_at",
    ),
    "invoices": (
        "id", "tenant_id", "customer_id", "order_id", "invoice_number", "status",
        "payment_status", "invoice_date", "due_date", "start_date", "end_date", "currency",
        "amount_without_tax", "tax_amount", "amount", "balance", "created_at", "updated_at",
    ),
    "invoice_lines": (
        "id", "tenant_id", "invoice_id", "line_number", "order_product_id", "asset_id",
        "description", "quantity", "start_date", "end_date", "amount", "tax_amount",
    ),
    "change_events": (
        "id", "tenant_id", "customer_id", "order_id", "asset_number", "entity_type", "entity_id",
        "action", "actor_type", "actor_id", "reason", "changes", "at",
    ),
    "number_sequences": ("tenant_id", "kind", "last_value"),
}  # fmt: skip

# The tables that grow with the order count, in an order that satisfies foreign keys.
STREAMED = (
    "customers", "orders", "order_products", "assets", "invoices", "invoice_lines",
    "change_events",
)  # fmt: skip
LIVE_SUBSCRIPTION = ("Active", "Pending", "Scheduled for Cancellation")


def renewal_of(order: Order) -> Version | None:
    """The current version of the earliest-ending live subscription the order created or changed.

    Ties go to the lower asset number, as the API's own recomputation breaks them.
    """
    live = [
        version.chain.current
        for version in order.versions
        if version.chain.asset_type == "Subscription"
        and version.chain.current.status in LIVE_SUBSCRIPTION
    ]
    return min(live, key=lambda v: (v.end or 0, v.chain.number), default=None)


class RowWriter:
    """Turns one customer's settled history into rows of every streamed table."""

    def __init__(self, w: World, c: Customer, batch: dict[str, list[Row]]) -> None:
        self.w, self.c, self.batch = w, c, batch
        self.tenant_id, self.currency = w.tenant_id, c.region.currency
        self.codec = w.codec
        self.events = EventWriter(w, c, batch["change_events"])

    def write(self, orders: list[Order]) -> None:
        out_lines, out_assets = self.batch["order_products"], self.batch["assets"]
        out_orders = self.batch["orders"]
        for order in orders:
            placed = None
            if order.activated_us is not None:
                placed = local_ordinal(order.activated_us, self.c.zone)
            out_orders.append(self._order(order, placed))
            out_lines.extend(self._line(order, line) for line in order.lines)
            out_assets.extend(self._asset(version) for version in order.versions)
            out_assets.extend(self._asset(version) for version in order.cancellations)
            self.events.order(order, placed)
            for index, invoice in enumerate(invoices_for(self.w, self.c, order)):
                self._invoice(invoice)
                self.events.invoice(invoice, first=index == 0)

    def _order(self, order: Order, placed: int | None) -> Row:
        instant, day, flag = self.codec.instant, self.codec.day, self.codec.flag
        t = order.totals
        lines = order.lines
        sub = next((line for line in lines if line.price_period != "OneTime"), None)
        ends = [line.end for line in lines if line.end is not None]
        renewal = renewal_of(order)
        updated, modifier = order.created_us, order.created_by
        if order.activated_us is not None:
            updated = order.activated_us
        if order.canceled_us is not None:
            updated, modifier = order.canceled_us, order.canceled_by or modifier
        return (
            order.id, self.tenant_id, self.c.id, order.number, order.name, None, order.status,
            order.order_type, self.currency, day(order.effective), day(order.effective),
            day(max(ends)) if ends else None, None if placed is None else day(placed),
            None if order.activated_us is None else instant(order.activated_us),
            None if sub is None else day(sub.start),
            None if sub is None or sub.end is None else day(sub.end),
            None if sub is None else sub.term, None if sub is None else sub.billing_period,
            None if sub is None else calendar_day(sub.start).day,
            t.list_total, t.subtotal, 0, t.discount_amount, 0, t.system_discount_amount,
            t.tax_amount, t.total_amount, t.order_acv, t.order_tcv,
            None if renewal is None or renewal.end is None else day(renewal.end),
            None if renewal is None else flag(renewal.auto_renew),
            None if renewal is None else renewal.chain.renewal_term,
            None if order.canceled_us is None else instant(order.canceled_us),
            None if order.cancel_effective is None else day(order.cancel_effective),
            order.cancel_reason, None if order.canceled_by is None else order.canceled_by[1],
            instant(order.created_us), instant(updated), order.created_by[1], modifier[1],
            # Revision 0 is older than any walk (seed fills only an empty tenant), and rows
            # that carry one skip the revision triggers: a bulk load stays a bulk load.
            0, 0,
        )  # fmt: skip

    def _line(self, order: Order, line: Line) -> Row:
        day, spec, p = self.codec.day, line.product.spec, line.price
        return (
            line.id, self.tenant_id, order.id, line.number, line.product.id, line.pbe_id,
            spec.name, spec.sku, spec.category, line.change_type, line.asset_number,
            line.quantity, line.price_period, line.list_price, p.sales_price, line.discount,
            p.list_amount, p.discount_amount, p.system_discount_amount, p.total_price,
            p.tax_amount, self.c.tax_rate, day(line.start),
            None if line.end is None else day(line.end), line.term, line.billing_period,
        )  # fmt: skip

    def _asset(self, v: Version) -> Row:
        instant, day, flag = self.codec.instant, self.codec.day, self.codec.flag
        chain = v.chain
        current = v is chain.current
        spec = chain.product.spec
        canceled = chain.cancel_date if current else None
        return (
            v.id, self.tenant_id, self.c.id, v.order.id, v.line.id, chain.asset_type, chain.number,
            v.number, None if v.previous is None else v.previous.id, flag(current), v.status,
            chain.product.id, spec.name, spec.category, chain.pbe_id, v.quantity, day(v.start),
            None if v.end is None else day(v.end), v.term, chain.renewal_term, flag(v.auto_renew),
            chain.billing_period, self.currency, chain.list_price, v.sales_price, v.total_price,
            None if canceled is None else day(canceled), instant(v.created_us),
            instant(v.updated_us),
        )  # fmt: skip

    def _invoice(self, inv: Invoice) -> None:
        instant, day = self.codec.instant, self.codec.day
        tenant_id = self.tenant_id
        self.batch["invoices"].append((
            inv.id, tenant_id, self.c.id, inv.order.id, inv.number, inv.status,
            inv.payment_status, day(inv.invoice_date), day(inv.due_date),
            None if inv.start is None else day(inv.start),
            None if inv.end is None else day(inv.end), self.currency, inv.amount_without_tax,
            inv.tax_amount, inv.amount, inv.balance,
            instant(inv.created_us), instant(inv.updated_us),
        ))  # fmt: skip
        out = self.batch["invoice_lines"]
        for number, (line_id, line, version, amount, tax, start, end) in enumerate(inv.lines, 1):
            out.append((
                line_id, tenant_id, inv.id, number, line.id,
                None if version is None else version.id, line.product.spec.name, line.quantity,
                None if start is None else day(start), None if end is None else day(end), amount,
                tax,
            ))  # fmt: skip
