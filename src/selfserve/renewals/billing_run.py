"""One order's step in the billing run (``selfserve bill``): issue every invoice that is due
by the as-of date and has not been issued yet.

The order's schedule is computed from its lines exactly as activation computes the first
invoice (``orders.invoicing.order_lines`` and ``billables``, ``invoices.billing.schedule``,
the tenant's payment terms). A scheduled invoice is due when its invoice date is on or before
the as-of date, and issued already when the order has a non-canceled invoice with the same
start date (index ``ix_invoices_order_period``). Periods of a canceled subscription that
start on or after its cancellation date are not billed, nor is the credit of a Cancel line
whose cancellation was undone (``POST /subscriptions/{id}/uncancel``). The order's row is
locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has a single writer), so two runs
take turns on an order and the second finds the invoices of the first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from selfserve.db import Conn
from selfserve.history import service as history
from selfserve.invoices import billing
from selfserve.orders import invoicing
from selfserve.renewals import repository
from selfserve.renewals.renewing import TenantRun


async def bill_order(
    conn: Conn, tenant: TenantRun, order_id: str, as_of: date, now: datetime
) -> int:
    """Issue the order's missing due invoices (Active, by the system); how many."""
    order = await repository.lock_order(conn, tenant.id, order_id)
    if order is None or order[0] != "Activated":
        return 0
    customer_id, currency = conn.to_id(order[1]), str(order[2])
    fallback = next((conn.to_date(d) for d in (order[3], order[4]) if d is not None), as_of)
    rows = await invoicing.order_lines(conn, tenant.id, order_id)
    withdrawn = (
        await repository.withdrawn_cancel_lines(conn, tenant.id, order_id)
        if any(r[9] == "Cancel" for r in rows)
        else set()
    )
    # A recurring line without a term (evergreen) has no schedule to follow.
    lines = [
        x
        for x in invoicing.billables(conn, rows, fallback)
        if (x.term_months or not x.recurring) and x.ref not in withdrawn
    ]
    due = billing.invoices_due(billing.schedule(lines, currency, tenant.payment_terms_days), as_of)
    if not due:
        return 0
    issued = await repository.invoiced_starts(conn, order_id)
    stops = await repository.line_cancellations(conn, tenant.id, order_id)
    recurring = {line.ref for line in lines if line.recurring}
    count = 0
    for scheduled in due:
        invoice = None if scheduled.start in issued else _billable(scheduled, stops, recurring)
        if invoice is None:
            continue
        await invoicing.issue(
            conn, tenant_id=tenant.id, customer_id=customer_id, order_id=order_id,
            invoice=invoice, active=True, actor=history.SYSTEM, now=now,
            descriptions=invoicing.descriptions(conn, rows),
        )  # fmt: skip
        count += 1
    return count


def _billable(
    invoice: billing.InvoiceDraft, stops: dict[str, date], recurring: set[str]
) -> billing.InvoiceDraft | None:
    """The invoice without the periods of canceled subscriptions that start on or after the
    cancellation date; None when nothing is left to bill."""
    kept = tuple(
        line
        for line in invoice.lines
        if not (line.ref in recurring and line.ref in stops and line.start >= stops[line.ref])
    )
    if not kept:
        return None
    if len(kept) == len(invoice.lines):
        return invoice
    ends = [line.end for line in kept if line.end is not None]
    return replace(invoice, lines=kept, end=max(ends, default=None))
