"""The seeded dataset reconciles exactly, covers every state, and is deterministic."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from selfserve.db import Conn, Row, to_sqlite_ts
from selfserve.invoices.billing import BILLING_PERIOD_MONTHS, allocate, term_periods
from selfserve.invoices.billing import term_end as billing_term_end
from selfserve.kit.money import round_half_even
from selfserve.orders.pricing import LineInput, annual_value, price_line
from selfserve.seed import SeedError, SeedReport, loader, seed
from selfserve.seed.calendar import instant, term_end
from selfserve.seed.generator import Batch, Generator, SeedSpec
from selfserve.seed.rows import COLUMNS
from selfserve.seed.simulate import PROMO_DISCOUNT
from selfserve.seed.world import World, codec_for, sqlite_instant
from tests.fixtures.database import create_pg_database, drop_pg_database, rolled_back

AS_OF = date(2026, 6, 15)
CUSTOMERS, ORDERS = 20, 150
TAX_RATE_JOIN = (
    " JOIN customers c ON c.id = {alias}.customer_id"
    " JOIN tax_rates tr ON tr.tenant_id = c.tenant_id AND tr.country = c.country"
)


def _seed(conn: Conn, run: asyncio.Runner, slug: str = "seedtest", **kw: Any) -> SeedReport:
    options: dict[str, Any] = {"customers": CUSTOMERS, "orders": ORDERS, "seed": 7, **kw}
    return run.run(seed(conn, tenant_slug=slug, as_of=AS_OF, **options))


class Db:
    """Runs queries whose first ``{}`` placeholder is the seeded tenant's id."""

    def __init__(self, conn: Conn, run: asyncio.Runner, report: SeedReport) -> None:
        self.conn, self.run, self.report = conn, run, report

    def rows(self, query: str, *params: Any) -> list[Row]:
        sql = self.conn.sql()
        rendered = query.format(*(sql.p(v) for v in (self.report.tenant_id, *params)))
        return self.run.run(self.conn.fetch(rendered, sql.params))

    def values(self, query: str, *params: Any) -> set[Any]:
        return {row[0] for row in self.rows(query, *params)}

    def value(self, query: str, *params: Any) -> Any:
        return self.rows(query, *params)[0][0]


@pytest.fixture
def db(conn: Conn, run: asyncio.Runner) -> Db:
    return Db(conn, run, _seed(conn, run))


def test_report_counts_match_the_tables(db: Db) -> None:
    counts = db.report.counts
    assert (counts["orders"], counts["customers"]) == (ORDERS, CUSTOMERS)
    for table in ("orders", "order_products", "assets", "invoices", "change_events"):
        stored = db.value(f"SELECT count(*) FROM {table} WHERE tenant_id = {{}}")
        assert stored == counts[table] > 0, table
    per_customer = {
        db.conn.to_id(customer): count
        for customer, count in db.rows(
            "SELECT customer_id, count(*) FROM orders WHERE tenant_id = {} GROUP BY customer_id"
        )
    }
    assert per_customer[db.report.sample_customer_ids[0]] == max(per_customer.values())


def test_the_planner_has_statistics(db: Db) -> None:
    query = (
        "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'orders'"
        if db.conn.dialect == "sqlite"
        else "SELECT count(*) FROM pg_stats WHERE tablename = 'orders'"
    )
    assert db.run.run(db.conn.fetchval(query)) > 0


def test_every_line_is_priced_by_the_pricing_module(db: Db) -> None:
    rows = db.rows(
        "SELECT op.list_price, op.quantity, op.price_period, op.subscription_term, op.discount,"
        " o.currency, tr.rate, op.list_amount, op.sales_price, op.discount_amount,"
        " op.system_discount_amount, op.total_price, op.tax_amount"
        " FROM order_products op JOIN orders o ON o.id = op.order_id"
        + TAX_RATE_JOIN.format(alias="o")
        + " WHERE op.tenant_id = {}"
    )
    assert len(rows) >= ORDERS
    for price, quantity, period, term, discount, currency, rate, *stored in rows:
        list_amount, _, discount_amount, system_amount, total, _ = stored
        assert total == list_amount - discount_amount
        system = PROMO_DISCOUNT if system_amount else 0
        term = None if period == "OneTime" else term
        line = LineInput(price, quantity, period, term, discount, system, rate)
        expected = price_line(line, currency)
        assert tuple(stored) == (
            expected.list_amount, expected.sales_price, expected.discount_amount,
            expected.system_discount_amount, expected.total_price, expected.tax_amount,
        )  # fmt: skip


def test_order_totals_reconcile_with_their_lines(db: Db) -> None:
    annual: Counter[str] = Counter()
    for order_id, total, period, term in db.rows(
        "SELECT order_id, total_price, price_period, subscription_term FROM order_products"
        " WHERE tenant_id = {}"
    ):
        annual[db.conn.to_id(order_id)] += annual_value(total, period, term)
    rows = db.rows(
        "SELECT o.id, o.list_total, o.subtotal, o.discount_amount, o.system_discount_amount,"
        " o.tax_amount, o.total_amount, o.order_tcv, o.order_acv, sum(op.list_amount),"
        " sum(op.total_price), sum(op.system_discount_amount), sum(op.tax_amount), count(*)"
        " FROM orders o JOIN order_products op ON op.order_id = o.id WHERE o.tenant_id = {}"
        " GROUP BY o.id, o.list_total, o.subtotal, o.discount_amount, o.system_discount_amount,"
        " o.tax_amount, o.total_amount, o.order_tcv, o.order_acv"
    )
    assert len(rows) == ORDERS
    for order_id, list_total, subtotal, discount, system, tax, total, tcv, acv, *sums in rows:
        assert 1 <= sums.pop() <= 4
        assert (list_total, subtotal, system, tax) == tuple(sums)
        assert discount == list_total - subtotal
        assert (total, tcv) == (subtotal + tax, subtotal)
        assert acv == annual[db.conn.to_id(order_id)]


def test_invoices_reconcile_with_their_lines(db: Db) -> None:
    rows = db.rows(
        "SELECT i.id, i.amount, i.amount_without_tax, i.tax_amount, i.balance, i.status,"
        " i.payment_status, tr.rate, il.amount, il.tax_amount"
        " FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id"
        + TAX_RATE_JOIN.format(alias="i")
        + " WHERE i.tenant_id = {}"
    )
    sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for invoice_id, *_, rate, line_amount, line_tax in rows:
        assert line_tax == round_half_even(Fraction(line_amount * rate, 10_000))
        sums[invoice_id][0] += line_amount
        sums[invoice_id][1] += line_tax
    assert len(sums) == db.report.counts["invoices"]
    for invoice_id, amount, net, tax, balance, status, payment, *_ in rows:
        assert [net, tax] == sums[invoice_id]
        assert amount == net + tax
        assert 0 <= balance <= amount
        expected_balance = {"Paid": 0, "NotTransferred": amount, "Canceled": 0}
        if payment in expected_balance:
            assert balance == expected_balance[payment]
        else:
            assert payment == "PartiallyPaid" and 0 < balance < amount
        assert (status == "Canceled") == (payment == "Canceled")


def test_invoice_lines_follow_the_billing_calendar(db: Db) -> None:
    rows = db.rows(
        "SELECT il.amount, il.start_date, il.end_date, i.invoice_date, op.total_price,"
        " op.subscription_start_date, op.subscription_term, op.billing_period, op.price_period"
        " FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id"
        " JOIN order_products op ON op.id = il.order_product_id WHERE il.tenant_id = {}"
    )
    assert rows
    to_date = db.conn.to_date
    for amount, start, end, invoice_date, total, line_start, term, cycle, period in rows:
        if period == "OneTime":
            assert (amount, end) == (total, None)
            continue
        periods = term_periods(to_date(line_start), term, BILLING_PERIOD_MONTHS[cycle])
        parts = allocate(total, [p.months for p in periods])
        (index,) = [i for i, p in enumerate(periods) if p.start == to_date(start)]
        assert amount == parts[index]
        assert (to_date(end), to_date(invoice_date)) == (periods[index].end, periods[index].start)


def test_asset_versions_chain_with_one_current_row(db: Db) -> None:
    chains: dict[str, list[Row]] = defaultdict(list)
    for row in db.rows(
        "SELECT asset_number, asset_version, id, last_versioned_asset_id, is_current, asset_type"
        " FROM assets WHERE tenant_id = {} ORDER BY asset_number, asset_version"
    ):
        chains[row[0]].append(row)
    prefixes = {"Subscription": "SUB-", "Asset": "AST-", "Entitlement": "ENT-"}
    assert max(len(versions) for versions in chains.values()) >= 3
    to_id = db.conn.to_id
    for number, versions in chains.items():
        assert [row[1] for row in versions] == list(range(1, len(versions) + 1)), number
        assert [bool(row[4]) for row in versions] == [False] * (len(versions) - 1) + [True]
        previous = [None] + [to_id(row[2]) for row in versions[:-1]]
        assert [None if row[3] is None else to_id(row[3]) for row in versions] == previous
        assert number.startswith(prefixes[versions[0][5]])
    # Like activation does, every line that made or changed an asset names it.
    mismatched = (
        "SELECT count(*) FROM assets a JOIN order_products op ON op.id = a.order_product_id"
        " WHERE a.tenant_id = {} AND (op.asset_number IS NULL OR op.asset_number <> a.asset_number)"
    )
    assert db.value(mismatched) == 0


def test_sequences_continue_after_the_highest_number(db: Db) -> None:
    used = {
        "O": "SELECT max(order_number), count(*) FROM orders WHERE tenant_id = {}",
        "INV": "SELECT max(invoice_number), count(*) FROM invoices WHERE tenant_id = {}",
    }
    for kind in ("SUB", "AST", "ENT"):
        used[kind] = (
            "SELECT max(asset_number), count(DISTINCT asset_number) FROM assets"
            f" WHERE tenant_id = {{}} AND asset_number LIKE '{kind}-%'"
        )
    query = "SELECT kind, last_value FROM number_sequences WHERE tenant_id = {}"
    sequences = {kind: value for kind, value in db.rows(query)}
    assert set(sequences) == set(used)
    for kind, used_query in used.items():
        highest, distinct = db.rows(used_query)[0]
        assert (highest, distinct) == (f"{kind}-{sequences[kind]:08d}", sequences[kind])


def test_the_data_covers_every_state(db: Db) -> None:
    in_tenant = " WHERE tenant_id = {}"
    assert db.values("SELECT status FROM orders" + in_tenant) == {"Draft", "Activated", "Canceled"}
    assert db.values("SELECT order_type FROM orders" + in_tenant) == {"New", "Change", "Renewal"}
    assert db.values("SELECT asset_type FROM assets" + in_tenant) == {
        "Subscription", "Asset", "Entitlement",
    }  # fmt: skip
    assert {"JPY", "KWD", "USD", "EUR"} <= db.values("SELECT currency FROM orders" + in_tenant)
    assert {"Active", "Canceled", "Expired", "Scheduled for Cancellation"} <= db.values(
        "SELECT status FROM assets" + in_tenant + " AND is_current"
    )
    assert {"Paid", "PartiallyPaid", "NotTransferred"} <= db.values(
        "SELECT payment_status FROM invoices" + in_tenant
    )
    overdue = " AND due_date < {} AND balance > 0"
    assert db.value("SELECT count(*) FROM invoices" + in_tenant + overdue, AS_OF) > 0


def test_renewals_and_families(db: Db) -> None:
    due = db.values(
        "SELECT auto_renew FROM assets WHERE tenant_id = {} AND is_current"
        " AND asset_type = 'Subscription' AND status = 'Active' AND end_date BETWEEN {} AND {}",
        AS_OF,
        AS_OF + timedelta(days=90),
    )
    assert {bool(auto_renew) for auto_renew in due} == {True, False}
    families = db.rows(
        "SELECT child.currency, parent.currency, parent.parent_customer_id FROM customers child"
        " JOIN customers parent ON parent.id = child.parent_customer_id WHERE child.tenant_id = {}"
    )
    assert families
    for child_currency, parent_currency, grandparent in families:
        assert child_currency == parent_currency and grandparent is None


def test_order_renewal_summary_matches_its_subscriptions(db: Db) -> None:
    live: dict[str, list[tuple[date, bool, int]]] = defaultdict(list)
    for order_id, end, auto, term in db.rows(
        "SELECT DISTINCT touched.order_id, cur.end_date, cur.auto_renew, cur.renewal_term"
        " FROM assets touched JOIN assets cur ON cur.tenant_id = touched.tenant_id"
        " AND cur.asset_number = touched.asset_number AND cur.is_current"
        " WHERE touched.tenant_id = {} AND cur.asset_type = 'Subscription'"
        " AND cur.status IN ('Active', 'Scheduled for Cancellation')"
    ):
        live[db.conn.to_id(order_id)].append((db.conn.to_date(end), bool(auto), term))
    orders = db.rows(
        "SELECT id, next_renewal_date, auto_renew, renewal_term FROM orders WHERE tenant_id = {}"
    )
    for order_id, next_renewal, auto, term in orders:
        candidates = live.get(db.conn.to_id(order_id))
        if not candidates:
            assert (next_renewal, auto, term) == (None, None, None)
            continue
        earliest = min(end for end, _, _ in candidates)
        assert db.conn.to_date(next_renewal) == earliest
        assert (bool(auto), term) in {(a, t) for end, a, t in candidates if end == earliest}
    assert 0 < len(live) < len(orders)


def test_lifecycle_columns_follow_the_status(db: Db) -> None:
    pending = 0
    to_date, to_ts = db.conn.to_date, db.conn.to_ts
    for status, placed, activated, canceled, effective, reason, by, created, updated in db.rows(
        "SELECT status, order_placed_date, activated_at, canceled_at, cancel_effective_date,"
        " cancellation_reason, canceled_by_id, created_at, updated_at FROM orders"
        " WHERE tenant_id = {}"
    ):
        assert to_ts(updated) >= to_ts(created)
        assert (placed is None) == (activated is None)
        if status == "Draft":
            assert activated is None and canceled is None
        if status == "Canceled":
            assert None not in (canceled, effective, reason, by)
            assert to_date(effective) <= AS_OF
        if status == "Activated" and canceled is not None:
            pending += 1
            assert to_date(effective) > AS_OF and reason and by
    assert pending > 0
    assert db.value(
        "SELECT count(*) FROM assets WHERE tenant_id = {} AND is_current"
        " AND status = 'Scheduled for Cancellation' AND cancellation_date > {}",
        AS_OF,
    )


def test_nothing_happens_after_as_of(db: Db) -> None:
    midnight = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
    columns = {
        "orders": ("created_at", "updated_at", "activated_at", "canceled_at"),
        "assets": ("created_at", "updated_at"),
        "invoices": ("created_at", "updated_at"),
        "change_events": ("at",),
        "customers": ("created_at",),
    }
    for table, names in columns.items():
        maxima = ", ".join(f"max({name})" for name in names)
        latest = db.rows(f"SELECT {maxima} FROM {table} WHERE tenant_id = {{}}")[0]
        assert all(db.conn.to_ts(value) < midnight for value in latest), table
    for table in ("assets", "invoices"):
        query = f"SELECT count(*) FROM {table} WHERE tenant_id = {{}} AND updated_at < created_at"
        assert db.value(query) == 0, table


def test_change_events_are_json_diffs_after_creation(db: Db) -> None:
    rows = db.rows(
        "SELECT e.action, e.changes, e.at, o.created_at, e.entity_type, e.asset_number"
        " FROM change_events e JOIN orders o ON o.id = e.order_id WHERE e.tenant_id = {}"
    )
    for action, changes, at, created, entity, asset_number in rows:
        diffs = json.loads(changes)
        assert diffs and all(set(diff) == {"field", "from", "to"} for diff in diffs)
        assert db.conn.to_ts(at) >= db.conn.to_ts(created)
        kind = action.split(".")[0]
        assert entity == (kind if kind in ("order", "invoice") else "asset")
        assert (entity == "asset") == (asset_number is not None)
    actions = Counter(row[0] for row in rows)
    for action in (
        "order.created", "order.activated", "order.canceled", "order.cancellation_scheduled",
        "subscription.created", "subscription.quantity_changed", "subscription.renewed",
        "subscription.canceled", "invoice.issued", "invoice.paid",
    ):  # fmt: skip
        assert actions[action] > 0, action


def test_a_tenant_with_data_is_refused_and_a_twin_gets_its_own_ids(
    conn: Conn, run: asyncio.Runner
) -> None:
    first = _seed(conn, run, customers=3, orders=10)
    with pytest.raises(SeedError, match="already has data"):
        _seed(conn, run, customers=3, orders=10)
    twin = _seed(conn, run, slug="twin", customers=3, orders=10)  # same seed, other tenant
    assert twin.tenant_id != first.tenant_id
    assert not set(twin.sample_customer_ids) & set(first.sample_customer_ids)


def test_an_existing_empty_tenant_is_filled_on_its_terms(conn: Conn, run: asyncio.Runner) -> None:
    tenant_id = str(uuid.UUID(int=1))
    sql = conn.sql()
    insert = (
        "INSERT INTO tenants (id, slug, name, payment_terms_days, created_at)"
        " VALUES ({}, 'empty', 'Empty', 14, {})"
    )
    run.run(conn.execute(insert.format(sql.p(tenant_id), sql.p(AS_OF)), sql.params))
    report = _seed(conn, run, slug="empty", customers=3, orders=40)
    assert report.tenant_id == tenant_id
    db = Db(conn, run, report)
    assert db.value("SELECT count(*) FROM orders WHERE tenant_id = {}") == 40
    invoices = db.rows("SELECT invoice_date, due_date FROM invoices WHERE tenant_id = {}")
    assert invoices
    for invoice_date, due_date in invoices:
        assert conn.to_date(due_date) - conn.to_date(invoice_date) == timedelta(days=14)


def test_as_of_defaults_to_today(conn: Conn, run: asyncio.Runner) -> None:
    report = run.run(seed(conn, tenant_slug="today", customers=2, orders=5))
    latest = Db(conn, run, report).value("SELECT max(created_at) FROM orders WHERE tenant_id = {}")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert today - timedelta(days=3 * 366) < conn.to_ts(latest) < today


def _rows(spec: SeedSpec) -> list[Batch]:
    generator = Generator(spec, "sqlite")
    return [generator.reference_rows(), *generator.batches(orders_per_batch=40)]


def test_generation_is_deterministic() -> None:
    spec = SeedSpec(as_of=AS_OF, customers=8, orders=60, big_customers=1, big_customer_orders=20)
    first, second = _rows(spec), _rows(spec)
    assert first == second
    assert sum(len(batch.get("orders", [])) for batch in first) == 60
    assert _rows(SeedSpec(as_of=AS_OF, customers=8, orders=60, seed=43)) != first
    for batch in first:
        for table, rows in batch.items():
            assert all(len(row) == len(COLUMNS[table]) for row in rows), table


def test_big_customers_get_their_orders() -> None:
    spec = SeedSpec(as_of=AS_OF, customers=10, orders=300, big_customers=2, big_customer_orders=100)
    generator = Generator(spec, "postgresql")
    assert [c.orders for c in generator.customers[:2]] == [100, 100]
    assert sum(c.orders for c in generator.customers) == 300


def test_impossible_specs_are_rejected() -> None:
    with pytest.raises(ValueError, match="big_customers"):
        SeedSpec(as_of=AS_OF, customers=2, orders=10, big_customers=3).validate()
    with pytest.raises(ValueError, match="orders >= 1000"):
        SeedSpec(as_of=AS_OF, customers=5, orders=10, big_customers=2).validate()


def test_fast_helpers_match_the_reference_ones() -> None:
    world = World("key", AS_OF, codec_for("sqlite"))
    reference = World("key", AS_OF, codec_for("sqlite")).rng
    for _ in range(200):
        assert world.uid() == str(uuid.UUID(int=reference.getrandbits(128), version=4))
    for _ in range(200):
        us = reference.randrange(0, 4_000_000_000 * 1_000_000)
        assert sqlite_instant(us) == to_sqlite_ts(instant(us))
    assert sqlite_instant(0) == "1970-01-01T00:00:00.000000Z"
    for offset in range(0, 800, 7):  # day clamping at month ends and leap days included
        start = date(2023, 12, 25) + timedelta(days=offset)
        for months in (1, 3, 7, 12, 24, 36):
            expected = billing_term_end(start, months).toordinal()
            assert term_end(start.toordinal(), months) == expected


_CATALOG = """
SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE connamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""


def test_bulk_load_restores_every_index_and_key(
    postgres_url: str, run: asyncio.Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL only (the bulk path sets keys aside), in a database of its own: the bulk
    path needs empty big tables, which other tests' committed data would not leave."""
    url = run.run(create_pg_database())
    try:
        manager = rolled_back(url)
        conn = run.run(manager.__aenter__())
        try:
            _check_bulk_restore(conn, run, monkeypatch)
        finally:
            run.run(manager.__aexit__(None, None, None))
    finally:
        run.run(drop_pg_database(url))


def _check_bulk_restore(conn: Conn, run: asyncio.Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    before = [tuple(row) for row in run.run(conn.fetch(_CATALOG))]
    during: list[int] = []
    original = loader._drop_constraints

    async def spying(connection: Conn) -> list[str]:
        restore = await original(connection)
        during.append(len(await connection.fetch(_CATALOG)))
        return restore

    monkeypatch.setattr(loader, "BULK_MIN_ORDERS", 1)
    monkeypatch.setattr(loader, "_drop_constraints", spying)
    assert _seed(conn, run).counts["orders"] == ORDERS
    assert during and during[0] < len(before) - 30  # keys and indexes were really set aside
    assert [tuple(row) for row in run.run(conn.fetch(_CATALOG))] == before
