"""Draft change orders (POST /change-orders): each asset change priced by day.

A change order is an order of type ``Change`` whose lines carry the change type and the
subscription they change. Nothing happens to the subscriptions until the order is activated
(``orders.change_activation``); the draft only records the lines with their prorated amounts
(negative lines are credits).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from selfserve.db import Conn
from selfserve.errors import InvalidParameter, ResourceNotFound
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.clock import local_date
from selfserve.numbering import next_number
from selfserve.orders import drafts, proration, repository, versions
from selfserve.orders.drafts import hundredths
from selfserve.orders.errors import InvalidOrder
from selfserve.orders.pricing import (
    LineInput,
    LinePrice,
    order_totals,
    price_line,
    tax_rate_for,
)
from selfserve.orders.schemas import AssetChange, ChangeOrderCreate
from selfserve.orders.service import ReadContext

REQUIRED = {
    "UpdateQuantity": ("quantity", "start_date"),
    "UpdateTerm": ("term",),
    "Renew": ("renewal_term",),
    "CoTerm": ("co_term_date",),
    "Cancel": ("cancellation_date",),
    "ConvertFreeTrial": ("start_date", "term"),
    "Upgrade": ("price_book_entry_id",),
    "Downgrade": ("price_book_entry_id",),
    "Swap": ("price_book_entry_id",),
}
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Context:
    """What pricing a customer's changes needs."""

    customer_id: str
    currency: str
    today: date
    tax_rate: int


@dataclass(frozen=True, slots=True)
class Line:
    """A priced change line, ready to insert."""

    change_type: str
    asset: dict[str, Any]
    price: LinePrice
    pricing: LineInput
    start: date
    end: date | None
    term: int | None
    entry: Any = None  # the target price book entry of a swap's charge line


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _check(change: AssetChange, index: int) -> None:
    if change.new_term is not None and change.term is None:
        change.term = change.new_term
    for name in REQUIRED[change.change_type]:
        if getattr(change, name) is None:
            raise InvalidParameter(
                f"assetChanges[{index}].{_camel(name)}",
                f"{change.change_type} needs assetChanges[{index}].{_camel(name)}.",
            )


async def _assets(conn: Conn, ctx: ReadContext, body: ChangeOrderCreate) -> list[dict[str, Any]]:
    found = []
    for index, change in enumerate(body.asset_changes):
        _check(change, index)
        asset = await versions.current(conn, ctx.principal.tenant_id, change.asset_number)
        visible = asset is not None and (
            ctx.principal.customer_ids is None or asset["customer_id"] in ctx.principal.customer_ids
        )
        if asset is None or not visible:
            raise ResourceNotFound(
                f"assetChanges[{index}].assetNumber names no subscription visible to this "
                "credential.",
                error_code="ASSET_NOT_FOUND",
            )
        if asset["asset_type"] != "Subscription" or asset["status"] not in ("Active", "Pending"):
            raise InvalidOrder(f"{asset['asset_number']} is {asset['status']}; only an Active or "
                               "Pending subscription can be changed.")  # fmt: skip
        found.append(asset)
    if len({a["customer_id"] for a in found}) > 1:
        raise InvalidOrder("All assetChanges must belong to one customer.")
    return found


async def _context(conn: Conn, ctx: ReadContext, customer_id: str, calculate_tax: bool) -> Context:
    customer = await repository.customer_in_scope(
        conn, ctx.principal.tenant_id, ctx.principal.customer_ids, customer_id
    )
    if customer is None:
        raise InvalidOrder("The customer of these changes is not visible to this credential.")
    _, currency, country, time_zone = customer
    _, _, rate = await repository.tenant_terms(conn, ctx.principal.tenant_id, country)
    tax = tax_rate_for(country, {country: rate} if rate is not None else {}, calculate_tax)
    return Context(customer_id, currency, local_date(ctx.now, time_zone), tax)


async def _line_input(conn: Conn, asset: dict[str, Any], tax_rate: int) -> LineInput:
    sql = conn.sql()
    period = await conn.fetchval(
        f"SELECT price_period FROM order_products WHERE id = {sql.p(asset['order_product_id'])}",
        sql.params,
    )
    return LineInput(list_price=asset["price"], quantity=asset["quantity"],
                     price_period=str(period or "Month"), term_months=asset["term"],
                     tax_rate=tax_rate)  # fmt: skip


def _period(asset: dict[str, Any], on: date, field: str) -> billing.Period:
    try:
        return billing.subscription_period(
            asset["start_date"], asset["term"], asset["billing_period"] or "Month", on
        )
    except ValueError:
        raise InvalidOrder(f"{field} falls outside {asset['asset_number']}'s term.") from None


async def _price(
    conn: Conn, ctx: ReadContext, cx: Context, asset: dict[str, Any], change: AssetChange
) -> list[Line]:
    line = await _line_input(conn, asset, cx.tax_rate)
    kind, cur = change.change_type, cx.currency
    start, term, end = asset["start_date"], asset["term"], asset["end_date"]
    if kind == "UpdateQuantity":
        assert change.quantity is not None and change.start_date is not None
        if asset["quantity"] + change.quantity < 1:
            raise InvalidOrder(f"{asset['asset_number']} would keep fewer than 1 unit.")
        period = _period(asset, change.start_date, "startDate")
        price = proration.update_quantity(line, change.quantity, period, change.start_date, cur)
        return [Line(kind, asset, price, replace(line, quantity=change.quantity),
                     change.start_date, period.end, None)]  # fmt: skip
    if kind == "Cancel":
        assert change.cancellation_date is not None
        credit = await versions.unused_credit_price(conn, asset, line, change.cancellation_date)
        return [Line(kind, asset, credit, replace(line, quantity=-line.quantity),
                     change.cancellation_date, end, None)]  # fmt: skip
    if kind in ("Upgrade", "Downgrade", "Swap"):
        return await _swap(conn, ctx, cx, asset, change, line)
    return _term_lines(kind, asset, change, line, cur, start, term)


def _term_lines(
    kind: str, asset: dict[str, Any], change: AssetChange, line: LineInput, cur: str,
    start: date, term: int,
) -> list[Line]:  # fmt: skip
    if kind == "UpdateTerm":
        assert change.term is not None
        if term + change.term < 1:
            raise InvalidOrder(f"{asset['asset_number']} would have a term under 1 month.")
        moved = proration.update_term(line, start, term, change.term, cur)
        return [Line(kind, asset, moved.price, line, moved.start, moved.new_end, change.term)]
    if kind == "CoTerm":
        assert change.co_term_date is not None
        if change.co_term_date < start:
            raise InvalidOrder("coTermDate is before the subscription starts.")
        moved = proration.co_term(line, start, term, change.co_term_date, cur)
        return [Line(kind, asset, moved.price, line, moved.start, moved.new_end, None)]
    if kind == "Renew":
        assert change.renewal_term is not None
        renewal_start = change.start_date or asset["end_date"] + ONE_DAY
        moved = proration.renew(line, renewal_start, change.renewal_term, cur)
        return [Line(kind, asset, moved.price, replace(line, term_months=change.renewal_term),
                     moved.start, moved.end, change.renewal_term)]  # fmt: skip
    assert change.start_date is not None and change.term is not None  # ConvertFreeTrial
    moved = proration.convert_free_trial(line, change.start_date, change.term, cur)
    return [Line(kind, asset, moved.price, replace(line, term_months=change.term),
                 moved.start, moved.end, change.term)]  # fmt: skip


async def _swap(
    conn: Conn, ctx: ReadContext, cx: Context, asset: dict[str, Any], change: AssetChange,
    old: LineInput,
) -> list[Line]:  # fmt: skip
    assert change.price_book_entry_id is not None
    entry = await _entry(conn, ctx.principal.tenant_id, change.price_book_entry_id, cx.currency)
    effective = change.start_date or cx.today
    period = _period(asset, effective, "startDate")
    new = LineInput(
        list_price=entry[3],
        quantity=change.quantity or asset["quantity"],
        price_period=entry[4],
        term_months=asset["term"],
        tax_rate=cx.tax_rate,
    )
    priced = proration.swap(old, new, period, effective, cx.currency)
    kind = change.change_type
    return [
        Line(kind, asset, priced.credit, replace(old, quantity=-old.quantity), effective,
             period.end, None),
        Line(kind, asset, priced.charge, new, effective, period.end, None, entry),
    ]  # fmt: skip


async def _entry(conn: Conn, tenant_id: str, entry_id: str, currency: str) -> Any:
    try:
        canonical = str(uuid.UUID(entry_id))
    except ValueError:
        canonical = None
    rows = await repository.price_book_entries(conn, tenant_id, [canonical]) if canonical else []
    if not rows or not rows[0][5] or rows[0][4] == "OneTime":
        raise InvalidOrder("priceBookEntryId names no active recurring price book entry.")
    if rows[0][2] != currency:
        raise InvalidOrder(
            f"priceBookEntryId is priced in {rows[0][2]}; the customer pays in {currency}."
        )
    return rows[0]


async def create_change_order(conn: Conn, ctx: ReadContext, body: ChangeOrderCreate) -> str:
    """Insert the draft change order; returns its id."""
    if not body.asset_changes:
        raise InvalidParameter("assetChanges", "A change order needs at least one asset change.")
    assets = await _assets(conn, ctx, body)
    cx = await _context(conn, ctx, assets[0]["customer_id"], body.options.calculate_tax)
    lines: list[Line] = []
    for asset, change in zip(assets, body.asset_changes, strict=True):
        lines.extend(await _price(conn, ctx, cx, asset, change))
    added = await drafts.price_requests(
        conn, ctx.principal.tenant_id, body.products, cx.today, cx.currency, cx.tax_rate,
        name="products",
    )  # fmt: skip
    new = [(line, price_line(line.pricing, cx.currency)) for line in added]
    order_id = str(uuid.uuid4())
    await _insert(conn, ctx, cx, order_id, body, lines, new)
    return order_id


async def _insert(
    conn: Conn, ctx: ReadContext, cx: Context, order_id: str, body: ChangeOrderCreate,
    lines: list[Line], new: list[tuple[drafts.DraftLine, LinePrice]],
) -> None:  # fmt: skip
    totals = order_totals(
        [(line.pricing, line.price) for line in lines] + [(x.pricing, p) for x, p in new]
    )
    first = min(x.start for x in lines)
    number = await next_number(conn, ctx.principal.tenant_id, "O")
    await repository.insert_order(conn, {
        "id": order_id, "tenant_id": ctx.principal.tenant_id, "customer_id": cx.customer_id,
        "order_number": number, "name": body.name, "description": None, "status": "Draft",
        "order_type": "Change", "currency": cx.currency, "effective_date": first,
        "order_start_date": first,
        "order_end_date": max((x.end for x in lines if x.end), default=None),
        "list_total": totals.list_total, "subtotal": totals.subtotal, "discount": 0,
        "discount_amount": totals.discount_amount, "system_discount": 0,
        "system_discount_amount": totals.system_discount_amount, "tax_amount": totals.tax_amount,
        "total_amount": totals.total_amount, "order_acv": 0, "order_tcv": totals.subtotal,
        "created_at": ctx.now, "updated_at": ctx.now, "created_by_id": ctx.principal.subject,
        "last_modified_by_id": ctx.principal.subject,
    })  # fmt: skip
    for position, line in enumerate(lines, start=1):
        await repository.insert_line(conn, _line_values(ctx, order_id, position, line))
    for position, (added, price) in enumerate(new, start=len(lines) + 1):
        await repository.insert_line(conn, drafts.line_values(
            ctx.principal.tenant_id, order_id, "Month", added, price, position
        ))  # fmt: skip
    await history.record(
        conn, tenant_id=ctx.principal.tenant_id, customer_id=cx.customer_id, order_id=order_id,
        action="order.created", entity_type="order", entity_id=order_id,
        actor=history.actor_of(ctx.principal), at=ctx.now,
        changes=history.diff({}, {"status": "Draft", "orderType": "Change", "orderNumber": number}),
    )  # fmt: skip


def _line_values(ctx: ReadContext, order_id: str, position: int, line: Line) -> dict[str, Any]:
    asset, price, entry = line.asset, line.price, line.entry
    return {
        "id": str(uuid.uuid4()), "tenant_id": ctx.principal.tenant_id, "order_id": order_id,
        "line_number": position,
        "product_id": entry[1] if entry is not None else asset["product_id"],
        "price_book_entry_id": entry[0] if entry is not None else asset["price_book_entry_id"],
        "product_name": entry[6] if entry is not None else asset["product_name"],
        "product_sku": entry[7] if entry is not None else "",
        "product_category": asset["product_category"], "change_type": line.change_type,
        "asset_number": asset["asset_number"], "asset_version": asset["asset_version"],
        "quantity": line.pricing.quantity,
        "price_period": line.pricing.price_period, "list_price": line.pricing.list_price,
        "sales_price": price.sales_price, "discount": 0, "list_amount": price.list_amount,
        "discount_amount": price.discount_amount,
        "system_discount_amount": price.system_discount_amount,
        "total_price": price.total_price, "tax_amount": price.tax_amount,
        "tax_rate": line.pricing.tax_rate, "subscription_start_date": line.start,
        "subscription_end_date": line.end, "subscription_term": line.term,
        "billing_period": asset["billing_period"],
    }  # fmt: skip


__all__ = ["create_change_order", "hundredths"]
