"""Random sequences of lifecycle operations keep the books straight (hypothesis).

After every step: every line and order reconciles (spec §4), every invoice equals its lines,
0 <= balance <= amount (credits carry no balance), versions of a subscription only grow with
exactly one current row, and history holds one event per change made.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fixtures import builders as b
from tests.fixtures.world import World
from tests.orders.test_lifecycle import Catalog, catalog

__all__ = ["catalog"]

OPERATION = st.one_of(
    st.tuples(st.just("order"), st.integers(1, 20), st.sampled_from([1, 6, 12, 24]),
              st.integers(0, 30), st.booleans()),
    st.tuples(st.just("quantity"), st.integers(-3, 6), st.integers(1, 25)),
    st.tuples(st.just("renew"), st.sampled_from([6, 12])),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("uncancel")),
)  # fmt: skip


class Ledger:
    """Replays operations over HTTP and remembers what history must contain."""

    def __init__(self, world: World, catalog: Catalog, customer: str) -> None:
        self.world, self.catalog, self.customer = world, catalog, customer
        self.orders: list[str] = []
        self.subscriptions: list[str] = []
        self.expected: Counter[str] = Counter()
        self.versions: dict[str, int] = {}
        # Scheduled cancellations: (order, subscription number, credit invoices issued).
        self.scheduled: list[tuple[str, str, int]] = []

    def run(self, op: tuple[Any, ...]) -> None:
        getattr(self, f"_{op[0]}")(*op[1:])

    def _order(self, quantity: int, term: int, discount: int, invoice: bool) -> None:
        body = {"customer": {"id": self.customer}, "effectiveDate": "2025-06-01",
                "orderProducts": [{"priceBookEntryId": self.catalog.monthly, "quantity": quantity,
                                   "subscriptionTerm": term, "discount": discount}],
                "options": {"calculateTax": True}}  # fmt: skip
        created = self.world.api.post("/orders", json=body)
        assert created.status_code == 201, created.text
        order_id = created.json()["data"]["order"]["id"]
        options = {"generateInvoice": invoice, "activateInvoice": invoice}
        data = self.world.api.post(f"/orders/{order_id}", json={"options": options}).json()["data"]
        self.orders.append(order_id)
        self.subscriptions += [a["assetNumber"] for a in data["assets"]]
        self.expected.update({"order.created": 1, "order.activated": 1, "subscription.created": 1})
        self.expected["invoice.issued"] += int(invoice)

    def _change(self, change: dict[str, Any], event: str) -> None:
        response = self.world.api.post("/change-orders", json={"assetChanges": [change]})
        if response.status_code != 201:  # a refused change (e.g. below one unit) changes nothing
            assert response.status_code in (400, 422), response.text
            return
        order_id = response.json()["data"]["order"]["id"]
        activated = self.world.api.post(f"/orders/{order_id}", json={})
        assert activated.status_code == 200, activated.text
        self.expected.update({"order.created": 1, "order.activated": 1, event: 1})

    def _quantity(self, delta: int, day: int) -> None:
        if self.subscriptions and delta:
            self._change({"changeType": "UpdateQuantity", "assetNumber": self.subscriptions[-1],
                          "quantity": delta, "startDate": f"2025-06-{day:02d}"},
                         "subscription.quantity_changed")  # fmt: skip

    def _renew(self, months: int) -> None:
        if self.subscriptions:
            self._change({"changeType": "Renew", "assetNumber": self.subscriptions[-1],
                          "renewalTerm": months}, "subscription.renewed")  # fmt: skip

    def _cancel(self, days: int) -> None:
        if not self.orders:
            return
        body = {"cancellationDate": f"2025-{6 + (days > 29):02d}-{1 + days % 29:02d}",
                "reason": "test"}  # fmt: skip
        response = self.world.api.post(f"/orders/{self.orders[-1]}/cancel", json=body)
        if response.status_code == 200:
            now = body["cancellationDate"] == "2025-06-01"  # the customer's today
            kind = "canceled" if now else "cancellation_scheduled"
            self.expected.update({f"order.{kind}": 1, f"subscription.{kind}": 1})
            invoices = response.json()["data"]["invoices"]
            credits = sum(1 for i in invoices if i["amount"] < 0 and i["status"] != "Canceled")
            self.expected["invoice.issued"] += credits
            number = self.subscriptions.pop()
            order_id = self.orders.pop()
            if not now:
                self.scheduled.append((order_id, number, credits))
        else:
            assert response.status_code in (409, 422), response.text

    def _uncancel(self) -> None:
        if not self.scheduled:
            return
        order_id, number, credits = self.scheduled.pop()
        listed = self.world.api.get(f"/subscriptions?customerIds={self.customer}&limit=500")
        (sub,) = [x for x in listed.json()["data"] if x["assetNumber"] == number]
        response = self.world.api.post(f"/subscriptions/{sub['id']}/uncancel")
        assert response.status_code == 200, response.text
        self.expected.update({"subscription.uncanceled": 1, "order.uncanceled": 1})
        self.expected["invoice.canceled"] += credits  # an untouched credit is voided
        self.orders.append(order_id)
        self.subscriptions.append(number)


def check_books(world: World, ledger: Ledger) -> None:
    scope = f"'{world.tenant_id}' AND customer_id = '{ledger.customer}'"

    def fetch(query: str) -> list[Any]:
        return world.run.run(world.conn.fetch(query.format(t=scope)))

    bad_lines = fetch("SELECT p.id FROM order_products p JOIN orders o ON o.id = p.order_id "
                      "WHERE o.tenant_id = {t} AND p.total_price <> p.list_amount - "
                      "p.discount_amount")  # fmt: skip
    assert bad_lines == []
    bad_orders = fetch(
        "SELECT o.id FROM orders o WHERE o.tenant_id = {t} AND (o.subtotal <> "
        "(SELECT COALESCE(SUM(total_price), 0) FROM order_products p WHERE p.order_id = o.id) "
        "OR o.tax_amount <> (SELECT COALESCE(SUM(tax_amount), 0) FROM order_products p "
        "WHERE p.order_id = o.id) OR o.total_amount <> o.subtotal + o.tax_amount "
        "OR o.discount_amount <> o.list_total - o.subtotal)"
    )
    assert bad_orders == []
    bad_invoices = fetch(
        "SELECT i.id FROM invoices i WHERE i.tenant_id = {t} AND (i.amount <> "
        "i.amount_without_tax + i.tax_amount OR i.amount_without_tax <> (SELECT SUM(amount) "
        "FROM invoice_lines l WHERE l.invoice_id = i.id) OR i.balance < 0 "
        "OR i.balance > CASE WHEN i.amount > 0 THEN i.amount ELSE 0 END)"
    )
    assert bad_invoices == []
    rows = fetch("SELECT asset_number, MAX(asset_version), SUM(CASE WHEN is_current THEN 1 "
                 "ELSE 0 END) FROM assets WHERE tenant_id = {t} GROUP BY asset_number")  # fmt: skip
    for number, version, current in rows:
        assert current == 1, number
        assert version >= ledger.versions.get(number, 0), number
        ledger.versions[number] = version
    counted = Counter(dict(fetch("SELECT action, COUNT(*) FROM change_events "
                                 "WHERE tenant_id = {t} GROUP BY action")))  # fmt: skip
    assert counted == +ledger.expected


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=6))
# A scheduled cancellation withdrawn and made again, beside a renewed subscription.
@example(operations=[("order", 5, 12, 10, True), ("renew", 12), ("cancel", 15), ("uncancel",),
                     ("quantity", 2, 20), ("cancel", 20)])  # fmt: skip
def test_random_lifecycles_keep_the_books(
    world: World, catalog: Catalog, operations: list[tuple[Any, ...]]
) -> None:
    customer = world.run.run(b.customer(world.conn, world.tenant_id))
    world.run.run(world.conn.execute("SAVEPOINT example"))
    ledger = Ledger(world, catalog, customer)
    try:
        for op in operations:
            ledger.run(op)
            check_books(world, ledger)
    finally:
        world.run.run(world.conn.execute("ROLLBACK TO SAVEPOINT example"))
