"""Creating draft orders (POST /orders): validated, priced from the price book, not billed.

Never commits: the request's transaction does. The priced order is read back through the
read path, so a created order looks exactly like a listed one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from selfserve.db import Conn, Row
from selfserve.errors import InvalidParameter
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.money import minor_to_decimal
from selfserve.numbering import next_number
from selfserve.orders import repository
from selfserve.orders.errors import CustomerNotFound, InvalidOrder
from selfserve.orders.pricing import LineInput, LinePrice, OrderTotals, price_order, tax_rate_for
from selfserve.orders.schemas import OrderCreate, OrderProductCreate
from selfserve.orders.service import ReadContext

DEFAULT_TERM_MONTHS = 12


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A requested line with its price book entry, dates and pricing input."""

    id: str
    entry: Row  # (id, product_id, currency, list_price, price_period, active, name, sku, category)
    request: OrderProductCreate
    start: date
    term: int | None
    pricing: LineInput

    @property
    def recurring(self) -> bool:
        return bool(self.entry[4] != "OneTime")

    @property
    def end(self) -> date | None:
        return billing.term_end(self.start, self.term) if self.term else None


@dataclass(frozen=True, slots=True)
class Draft:
    order_id: str
    customer_id: str
    currency: str
    billing_period: str
    lines: list[tuple[DraftLine, LinePrice]]
    totals: OrderTotals
    payment_terms_days: int


def hundredths(value: Decimal | None, field: str) -> int:
    """A percentage as hundredths of a percent; more than two decimals is a 400."""
    if value is None:
        return 0
    scaled = value.scaleb(2)
    if not value.is_finite() or scaled != scaled.to_integral_value() or not 0 <= value <= 100:
        raise InvalidParameter(field, f"{field} must be a percentage from 0 to 100, 2 decimals.")
    return int(scaled)


async def create_draft(conn: Conn, ctx: ReadContext, body: OrderCreate) -> Draft:
    principal = ctx.principal
    customer = await repository.customer_in_scope(
        conn, principal.tenant_id, principal.customer_ids, body.customer.id
    ) if _is_uuid(body.customer.id) else None  # fmt: skip
    if customer is None:
        raise CustomerNotFound()
    customer_id, currency, country, _ = customer
    terms, _, rate = await repository.tenant_terms(conn, principal.tenant_id, country)
    tax_rate = tax_rate_for(country, {country: rate} if rate is not None else {},
                            body.options.calculate_tax)  # fmt: skip
    lines = await _lines(conn, principal.tenant_id, body, currency, tax_rate)
    priced, totals = price_order([line.pricing for line in lines], currency,
                                 hundredths(body.discount, "discount"))  # fmt: skip
    draft = Draft(str(uuid.uuid4()), conn.to_id(customer_id), currency, body.billing_period,
                  [(line, price) for line, (_, price) in zip(lines, priced, strict=True)],
                  totals, terms)  # fmt: skip
    await _insert(conn, ctx, body, draft)
    return draft


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _lines(
    conn: Conn, tenant_id: str, body: OrderCreate, currency: str, tax_rate: int
) -> list[DraftLine]:
    return await price_requests(
        conn, tenant_id, body.order_products, body.effective_date, currency, tax_rate,
        order_discount=hundredths(body.discount, "discount"),
    )  # fmt: skip


async def price_requests(
    conn: Conn, tenant_id: str, requests: list[OrderProductCreate], effective: date,
    currency: str, tax_rate: int, *, order_discount: int = 0, name: str = "orderProducts",
) -> list[DraftLine]:  # fmt: skip
    """New lines from the price book: validated, dated and ready to price."""
    ids = [p.price_book_entry_id for p in requests]
    valid = [i for i in ids if _is_uuid(i)]
    entries = {
        conn.to_id(r[0]): r for r in await repository.price_book_entries(conn, tenant_id, valid)
    }
    lines = []
    for index, request in enumerate(requests):
        field = f"{name}[{index}]"
        entry = entries.get(str(uuid.UUID(request.price_book_entry_id))) if _is_uuid(
            request.price_book_entry_id
        ) else None  # fmt: skip
        if entry is None or not entry[5]:
            raise InvalidOrder(f"{field}.priceBookEntryId names no active price book entry.")
        if entry[2] != currency:
            raise InvalidOrder(
                f"{field}.priceBookEntryId is priced in {entry[2]}; "
                f"the customer pays in {currency}."
            )
        lines.append(_line(entry, request, effective, field, order_discount, tax_rate))
    return lines


def _line(
    entry: Row, request: OrderProductCreate, effective: date, field: str, order_discount: int,
    tax_rate: int,
) -> DraftLine:  # fmt: skip
    recurring = entry[4] != "OneTime"
    if not recurring and request.subscription_term is not None:
        raise InvalidOrder(f"{field}.subscriptionTerm applies to recurring prices only.")
    term = (request.subscription_term or DEFAULT_TERM_MONTHS) if recurring else None
    pricing = LineInput(
        list_price=entry[3], quantity=request.quantity, price_period=entry[4], term_months=term,
        discount=hundredths(request.discount, f"{field}.discount"), tax_rate=tax_rate,
        order_discount=order_discount,
    )  # fmt: skip
    start = request.subscription_start_date or effective
    return DraftLine(str(uuid.uuid4()), entry, request, start, term, pricing)


async def _insert(conn: Conn, ctx: ReadContext, body: OrderCreate, draft: Draft) -> None:
    principal, now = ctx.principal, ctx.now
    number = await next_number(conn, principal.tenant_id, "O")
    await repository.insert_order(conn, _order_values(ctx, body, draft, number))
    for position, (line, price) in enumerate(draft.lines, start=1):
        await repository.insert_line(
            conn,
            line_values(principal.tenant_id, draft.order_id, draft.billing_period, line, price,
                        position),
        )  # fmt: skip
    await history.record(
        conn, tenant_id=principal.tenant_id, customer_id=draft.customer_id, order_id=draft.order_id,
        action="order.created", entity_type="order", entity_id=draft.order_id,
        actor=history.actor_of(principal), at=now,
        changes=history.diff({}, {"status": "Draft", "orderNumber": number,
                                  "totalAmount": minor_to_decimal(draft.totals.total_amount,
                                                                  draft.currency)}),
    )  # fmt: skip


def _order_values(ctx: ReadContext, body: OrderCreate, draft: Draft, number: str) -> dict[str, Any]:
    lines = [line for line, _ in draft.lines]
    recurring = [line for line in lines if line.recurring]
    first = recurring[0] if recurring else None
    ends = [line.end for line in lines if line.end is not None]
    t = draft.totals
    return {
        "id": draft.order_id, "tenant_id": ctx.principal.tenant_id,
        "customer_id": draft.customer_id,
        "order_number": number, "name": body.name, "description": body.description,
        "status": "Draft", "order_type": "New", "currency": draft.currency,
        "effective_date": body.effective_date,
        "order_start_date": min(line.start for line in lines),
        "order_end_date": max(ends, default=None),
        "subscription_start_date": first.start if first else None,
        "subscription_end_date": first.end if first else None,
        "subscription_term": first.term if first else None,
        "billing_period": draft.billing_period if first else None,
        "bill_cycle_day": billing.bill_cycle_day(first.start) if first else None,
        "list_total": t.list_total, "subtotal": t.subtotal,
        "discount": hundredths(body.discount, "discount"), "discount_amount": t.discount_amount,
        "system_discount": 0, "system_discount_amount": t.system_discount_amount,
        "tax_amount": t.tax_amount, "total_amount": t.total_amount,
        "order_acv": t.order_acv, "order_tcv": t.order_tcv,
        "created_at": ctx.now, "updated_at": ctx.now,
        "created_by_id": ctx.principal.subject, "last_modified_by_id": ctx.principal.subject,
    }  # fmt: skip


def line_values(
    tenant_id: str, order_id: str, billing_period: str, line: DraftLine, price: LinePrice,
    position: int,
) -> dict[str, Any]:  # fmt: skip
    entry = line.entry
    return {
        "id": line.id, "tenant_id": tenant_id, "order_id": order_id, "line_number": position,
        "product_id": entry[1], "price_book_entry_id": entry[0], "product_name": entry[6],
        "product_sku": entry[7], "product_category": entry[8], "change_type": "New",
        "asset_number": None, "quantity": line.pricing.quantity, "price_period": entry[4],
        "list_price": entry[3], "sales_price": price.sales_price, "discount": line.pricing.discount,
        "list_amount": price.list_amount, "discount_amount": price.discount_amount,
        "system_discount_amount": price.system_discount_amount, "total_price": price.total_price,
        "tax_amount": price.tax_amount, "tax_rate": line.pricing.tax_rate,
        "subscription_start_date": line.start,
        "subscription_end_date": line.end, "subscription_term": line.term,
        "billing_period": billing_period if line.recurring else None,
    }  # fmt: skip


__all__ = ["Draft", "create_draft", "hundredths"]
