"""One subscription's step in the renewal run (``selfserve renew``): renew, end or expire.

* A live (Active or Pending) subscription whose term ended before the as-of date renews when
  ``autoRenew`` is on and it can renew (a renewal term, a recurring price): a Renewal order
  (Activated at once, by the system) with one ``Renew`` line priced by
  ``orders.proration.renew``, a new version of the subscription, and the renewal's first
  invoice. Otherwise it becomes ``Ended``.
* An ``Ended`` subscription becomes ``Expired`` once more than the tenant's grace period has
  passed since its end date.
* A ``Scheduled for Cancellation`` subscription becomes ``Canceled`` once its cancellation
  date has come (the cancellation's version and credit were made when it was scheduled).

Ended, Expired and Canceled are written on the current version in place: the calendar moved, the
contract did not, so no version is added (earlier versions are never touched). Each step runs
in the caller's transaction with the subscription's current row locked (PostgreSQL) or under
SQLite's single writer, so a concurrent change either waits or makes this step fail with
``orders.versions.AssetChanged``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from selfserve.auth.principal import Principal
from selfserve.db import Conn
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.kit.money import minor_to_decimal
from selfserve.numbering import next_number
from selfserve.orders import invoicing, versions
from selfserve.orders import repository as orders_repository
from selfserve.orders.activation import refresh_lifecycle
from selfserve.orders.pricing import LineInput, order_totals
from selfserve.orders.proration import TermChange, renew
from selfserve.orders.service import ReadContext
from selfserve.renewals import repository
from selfserve.renewals.pricing import ONE_DAY, can_renew, renewal_line

LIVE = ("Active", "Pending")
SYSTEM_ID = "system"  # createdById of what the runs create; history events carry SYSTEM


@dataclass(frozen=True, slots=True)
class TenantRun:
    id: str
    slug: str
    payment_terms_days: int
    grace_period_days: int


@dataclass(frozen=True, slots=True)
class Renewal:
    """A subscription's next term, priced, with the ids of the order and line to create."""

    asset: dict[str, Any]
    line: LineInput
    term: TermChange
    sku: str
    order_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    line_id: str = field(default_factory=lambda: str(uuid.uuid4()))


async def step(
    conn: Conn, tenant: TenantRun, number: str, as_of: date, now: datetime
) -> str | None:
    """Advance one subscription by one step: ``renewed``, ``ended``, ``expired`` or None."""
    asset = await _locked(conn, tenant.id, number)
    end = None if asset is None else asset["end_date"]
    if asset is None or end is None:
        return None
    canceled_on = asset["cancellation_date"]
    if asset["status"] == "Scheduled for Cancellation" and canceled_on and canceled_on <= as_of:
        await _set_status(conn, tenant, asset, "Canceled", now)
        return "canceled"
    if asset["status"] in LIVE and end < as_of:
        renewal = await _renewal(conn, asset)
        if asset["auto_renew"] and renewal is not None:
            await _renew(conn, tenant, renewal, as_of, now)
            return "renewed"
        await _set_status(conn, tenant, asset, "Ended", now)
        return "ended"
    if asset["status"] == "Ended" and (as_of - end).days > tenant.grace_period_days:
        await _set_status(conn, tenant, asset, "Expired", now)
        return "expired"
    return None


async def _locked(conn: Conn, tenant_id: str, number: str) -> dict[str, Any] | None:
    """The current version, locked. On PostgreSQL a lock that waited for a concurrent new
    version finds no row; the next attempt locks the new one."""
    for _ in range(3):
        locked = await repository.lock_current(conn, tenant_id, number)
        if locked is not None:
            asset = await versions.current(conn, tenant_id, number)
            return asset if asset is not None and asset["id"] == locked else None
    return None


async def _renewal(conn: Conn, asset: dict[str, Any]) -> Renewal | None:
    source = await repository.source_line(conn, asset["order_product_id"])
    period = str(source[0]) if source is not None and source[0] else "Month"
    term_months = asset["renewal_term"]
    if asset["end_date"] is None or not can_renew(term_months, period):
        return None
    line = renewal_line(price=asset["price"], quantity=asset["quantity"], price_period=period,
                        renewal_term=term_months,
                        tax_rate=int(source[1] or 0) if source is not None else 0)  # fmt: skip
    term = renew(line, asset["end_date"] + ONE_DAY, term_months, asset["currency"])
    return Renewal(asset, line, term, str(source[2]) if source is not None else "")


def system_context(tenant_id: str, now: datetime) -> ReadContext:
    """What ``orders.versions.new_version`` needs from a caller; the runs pass
    ``history.SYSTEM`` as the actor, so only the time is read from it."""
    principal = Principal(tenant_id, "api_key", SYSTEM_ID, SYSTEM_ID, frozenset(), None)
    return ReadContext(principal=principal, now=now, include_cap=0, served_routes=frozenset())


async def _renew(conn: Conn, tenant: TenantRun, r: Renewal, as_of: date, now: datetime) -> None:
    asset, term = r.asset, r.term
    number = await _insert_order(conn, tenant, r, as_of, now)
    changes = {"status": "Active", "term": (asset["term"] or 0) + (r.line.term_months or 0),
               "end_date": term.end, "total_price": asset["total_price"] + term.price.total_price,
               "order_product_id": r.line_id}  # fmt: skip
    await versions.new_version(conn, system_context(tenant.id, now), asset, r.order_id, changes,
                               action="subscription.renewed", actor=history.SYSTEM)  # fmt: skip
    await _refresh(conn, tenant.id, asset["asset_number"])
    await _first_invoice(conn, tenant, r, now)
    await history.record(
        conn, tenant_id=tenant.id, customer_id=asset["customer_id"], order_id=r.order_id,
        action="order.activated", entity_type="order", entity_id=r.order_id,
        actor=history.SYSTEM, at=now,
        changes=history.diff({}, {"status": "Activated", "orderNumber": number,
                                  "orderPlacedDate": as_of}),
    )  # fmt: skip


async def _insert_order(
    conn: Conn, tenant: TenantRun, r: Renewal, as_of: date, now: datetime
) -> str:
    number = await next_number(conn, tenant.id, "O")
    totals = order_totals([(r.line, r.term.price)])
    await orders_repository.insert_order(conn, _order_values(tenant, r, number, as_of, now))
    await orders_repository.insert_line(conn, _line_values(tenant, r))
    await history.record(
        conn, tenant_id=tenant.id, customer_id=r.asset["customer_id"], order_id=r.order_id,
        action="order.created", entity_type="order", entity_id=r.order_id,
        actor=history.SYSTEM, at=now,
        changes=history.diff({}, {"orderNumber": number, "orderType": "Renewal",
                                  "totalAmount": minor_to_decimal(totals.total_amount,
                                                                  r.asset["currency"])}),
    )  # fmt: skip
    return number


def _order_values(
    tenant: TenantRun, r: Renewal, number: str, as_of: date, now: datetime
) -> dict[str, Any]:
    asset, term = r.asset, r.term
    t = order_totals([(r.line, term.price)])
    return {
        "id": r.order_id, "tenant_id": tenant.id, "customer_id": asset["customer_id"],
        "order_number": number, "name": f"Renewal {asset['asset_number']}",
        "description": None, "status": "Activated", "order_type": "Renewal",
        "currency": asset["currency"], "effective_date": term.start,
        "order_start_date": term.start, "order_end_date": term.end,
        "order_placed_date": as_of, "activated_at": now,
        "subscription_start_date": term.start, "subscription_end_date": term.end,
        "subscription_term": r.line.term_months, "billing_period": asset["billing_period"],
        "bill_cycle_day": billing.bill_cycle_day(term.start),
        "list_total": t.list_total, "subtotal": t.subtotal, "discount": 0,
        "discount_amount": t.discount_amount, "system_discount": 0,
        "system_discount_amount": t.system_discount_amount, "tax_amount": t.tax_amount,
        "total_amount": t.total_amount, "order_acv": t.order_acv, "order_tcv": t.order_tcv,
        "created_at": now, "updated_at": now, "created_by_id": SYSTEM_ID,
        "last_modified_by_id": SYSTEM_ID,
    }  # fmt: skip


def _line_values(tenant: TenantRun, r: Renewal) -> dict[str, Any]:
    asset, price, line = r.asset, r.term.price, r.line
    return {
        "id": r.line_id, "tenant_id": tenant.id, "order_id": r.order_id, "line_number": 1,
        "product_id": asset["product_id"], "price_book_entry_id": asset["price_book_entry_id"],
        "product_name": asset["product_name"], "product_sku": r.sku,
        "product_category": asset["product_category"], "change_type": "Renew",
        "asset_number": asset["asset_number"], "quantity": line.quantity,
        "price_period": line.price_period, "list_price": line.list_price,
        "sales_price": price.sales_price, "discount": 0, "list_amount": price.list_amount,
        "discount_amount": price.discount_amount,
        "system_discount_amount": price.system_discount_amount,
        "total_price": price.total_price, "tax_amount": price.tax_amount,
        "tax_rate": line.tax_rate, "subscription_start_date": r.term.start,
        "subscription_end_date": r.term.end, "subscription_term": line.term_months,
        "billing_period": asset["billing_period"],
    }  # fmt: skip


async def _first_invoice(conn: Conn, tenant: TenantRun, r: Renewal, now: datetime) -> None:
    rows = await invoicing.order_lines(conn, tenant.id, r.order_id)
    invoice = billing.first_invoice(invoicing.billables(conn, rows, r.term.start),
                                    r.asset["currency"], tenant.payment_terms_days)  # fmt: skip
    if invoice is None:
        return
    await invoicing.issue(
        conn, tenant_id=tenant.id, customer_id=r.asset["customer_id"], order_id=r.order_id,
        invoice=invoice, active=True, actor=history.SYSTEM, now=now,
        descriptions=invoicing.descriptions(conn, rows),
    )  # fmt: skip


async def _set_status(
    conn: Conn, tenant: TenantRun, asset: dict[str, Any], status: str, now: datetime
) -> None:
    if not await repository.set_status(conn, asset["id"], status, now):
        raise versions.AssetChanged(f"{asset['asset_number']} was changed meanwhile.")
    await history.record(
        conn, tenant_id=tenant.id, customer_id=asset["customer_id"],
        asset_number=asset["asset_number"], action=f"subscription.{status.lower()}",
        entity_type="asset", entity_id=asset["id"], actor=history.SYSTEM, at=now,
        changes=history.diff({"status": asset["status"]}, {"status": status}),
    )  # fmt: skip
    await _refresh(conn, tenant.id, asset["asset_number"])


async def _refresh(conn: Conn, tenant_id: str, asset_number: str) -> None:
    """The renewal summary of every order that created or changed the subscription."""
    for order_id in await repository.orders_touching(conn, tenant_id, asset_number):
        await refresh_lifecycle(conn, tenant_id, order_id)
