"""Spec §4's money identities on a seeded dataset of 10,000 orders, on both engines."""

from __future__ import annotations

import asyncio
from datetime import date

from selfserve.db import Conn
from selfserve.seed import seed

IDENTITIES = {
    "line": "SELECT count(*) FROM order_products p JOIN orders o ON o.id = p.order_id "
    "WHERE o.tenant_id = {t} AND p.total_price <> p.list_amount - p.discount_amount",
    "order": "SELECT count(*) FROM orders o WHERE o.tenant_id = {t} AND ("
    "o.list_total <> (SELECT COALESCE(SUM(list_amount), 0) FROM order_products p "
    "WHERE p.order_id = o.id) OR o.subtotal <> (SELECT COALESCE(SUM(total_price), 0) "
    "FROM order_products p WHERE p.order_id = o.id) OR o.tax_amount <> (SELECT "
    "COALESCE(SUM(tax_amount), 0) FROM order_products p WHERE p.order_id = o.id) "
    "OR o.discount_amount <> o.list_total - o.subtotal "
    "OR o.total_amount <> o.subtotal + o.tax_amount)",
    "invoice": "SELECT count(*) FROM invoices i WHERE i.tenant_id = {t} AND ("
    "i.amount <> i.amount_without_tax + i.tax_amount OR i.amount_without_tax <> "
    "(SELECT SUM(amount) FROM invoice_lines l WHERE l.invoice_id = i.id) OR i.tax_amount <> "
    "(SELECT SUM(tax_amount) FROM invoice_lines l WHERE l.invoice_id = i.id) "
    "OR i.balance < 0 OR i.balance > i.amount)",
}


def test_money_identities_hold_for_ten_thousand_orders(conn: Conn, run: asyncio.Runner) -> None:
    report = run.run(seed(conn, tenant_slug="scale", customers=400, orders=10_000, seed=11,
                          as_of=date(2025, 6, 1)))  # fmt: skip
    assert report.counts["orders"] == 10_000
    tenant = f"'{report.tenant_id}'"
    for name, query in IDENTITIES.items():
        assert run.run(conn.fetchval(query.format(t=tenant))) == 0, name
    currencies = {
        r[0]: r[1]
        for r in run.run(conn.fetch(
            f"SELECT currency, count(*) FROM orders WHERE tenant_id = {tenant} GROUP BY currency"
        ))
    }  # fmt: skip
    assert currencies.get("JPY", 0) > 100 and currencies.get("KWD", 0) > 100
