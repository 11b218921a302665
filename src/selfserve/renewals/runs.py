"""The scheduled runs behind ``selfserve renew`` and ``selfserve bill``.

Both are safe to run while the API serves traffic and safe to repeat: every subscription
(renewals) and every order (billing) is handled in its own short write transaction, which
re-reads and locks what it changes, so a second run with the same as-of date finds nothing
left to do. The as-of date is a calendar date compared with each customer's own dates (a term
ended when its end date is before it; an invoice is due when dated on or before it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from selfserve.db import Database
from selfserve.orders.versions import AssetChanged
from selfserve.renewals import billing_run, renewing, repository
from selfserve.renewals.errors import TenantNotFound
from selfserve.renewals.renewing import TenantRun

logger = logging.getLogger("selfserve.renewals")
MAX_STEPS = 1_000  # per subscription and run: renewals catching up on missed terms


@dataclass
class RenewReport:
    as_of: date
    tenants: int = 0
    renewed: int = 0
    ended: int = 0
    expired: int = 0
    canceled: int = 0  # scheduled cancellations that took effect
    skipped: int = 0  # changed concurrently; the next run looks again
    failed: int = 0

    def summary(self) -> str:
        return (
            f"renew as of {self.as_of}: {self.renewed} renewed, {self.ended} ended, "
            f"{self.expired} expired, {self.canceled} canceled, {self.skipped} skipped, "
            f"{self.failed} failed "
            f"({self.tenants} tenant{'' if self.tenants == 1 else 's'})"
        )

    def as_json(self) -> dict[str, Any]:
        return {"asOf": self.as_of.isoformat(), "tenants": self.tenants,
                "renewed": self.renewed, "ended": self.ended, "expired": self.expired,
                "canceled": self.canceled,
                "skipped": self.skipped, "failed": self.failed}  # fmt: skip


@dataclass
class BillReport:
    as_of: date
    tenants: int = 0
    orders: int = 0  # activated orders examined
    billed_orders: int = 0
    invoices: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"bill as of {self.as_of}: {self.invoices} invoices issued for "
            f"{self.billed_orders} of {self.orders} orders, {self.failed} failed "
            f"({self.tenants} tenant{'' if self.tenants == 1 else 's'})"
        )

    def as_json(self) -> dict[str, Any]:
        return {"asOf": self.as_of.isoformat(), "tenants": self.tenants, "orders": self.orders,
                "billedOrders": self.billed_orders, "invoices": self.invoices,
                "failed": self.failed}  # fmt: skip


async def run_tenants(db: Database, slug: str | None) -> list[TenantRun]:
    """Every tenant, or the one named by ``slug`` (unknown: ``TenantNotFound``)."""
    async with db.read() as conn:
        rows = await repository.tenants(conn, slug)
        found = [TenantRun(conn.to_id(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]
    if slug is not None and not found:
        raise TenantNotFound(slug)
    return found


async def renew_run(
    db: Database, *, as_of: date, now: datetime, tenant: str | None = None
) -> RenewReport:
    """Renew, end and expire the subscriptions whose terms ended before ``as_of``."""
    report = RenewReport(as_of)
    for run in await run_tenants(db, tenant):
        report.tenants += 1
        async with db.read() as conn:
            numbers = await repository.subscriptions_due(conn, run.id, as_of, run.grace_period_days)
        for number in numbers:
            await _settle(db, run, number, as_of, now, report)
    return report


async def _settle(
    db: Database, tenant: TenantRun, number: str, as_of: date, now: datetime, report: RenewReport
) -> None:
    """Step one subscription until nothing is left to do, one transaction per step."""
    for _ in range(MAX_STEPS):
        try:
            async with db.write() as conn:
                outcome = await renewing.step(conn, tenant, number, as_of, now)
        except AssetChanged as exc:
            logger.warning("renew: skipped %s (tenant %s): %s", number, tenant.slug, exc.message)
            report.skipped += 1
            return
        except ValueError:
            logger.exception("renew: failed on %s (tenant %s)", number, tenant.slug)
            report.failed += 1
            return
        if outcome is None:
            return
        setattr(report, outcome, getattr(report, outcome) + 1)


async def bill_run(
    db: Database, *, as_of: date, now: datetime, tenant: str | None = None
) -> BillReport:
    """Issue every invoice of an activated order that is due by ``as_of`` and not issued."""
    report = BillReport(as_of)
    for run in await run_tenants(db, tenant):
        report.tenants += 1
        async with db.read() as conn:
            order_ids = await repository.orders_to_bill(conn, run.id, as_of)
        for order_id in order_ids:
            report.orders += 1
            try:
                async with db.write() as conn:
                    issued = await billing_run.bill_order(conn, run, order_id, as_of, now)
            except ValueError:
                logger.exception("bill: failed on order %s (tenant %s)", order_id, run.slug)
                report.failed += 1
                continue
            report.invoices += issued
            report.billed_orders += 1 if issued else 0
    return report
