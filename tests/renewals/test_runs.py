"""The renewal run and the billing run, called with a Database over the test's transaction,
an injected as-of date and a pinned "now"; data built with builders and over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from selfserve.renewals.errors import TenantNotFound
from selfserve.renewals.runs import BillReport, RenewReport, bill_run, renew_run
from tests.fixtures import builders as b
from tests.fixtures.database import PinnedDatabase
from tests.fixtures.world import World, ids_param
from tests.renewals.helpers import count, current, subscription

AS_OF = date(2025, 6, 1)
RUN_AT = datetime(2025, 6, 1, 6, 0, tzinfo=UTC)


def renew(world: World, as_of: date = AS_OF, now: datetime = RUN_AT, **kw: Any) -> RenewReport:
    kw.setdefault("tenant", "acme")
    return world.run.run(renew_run(PinnedDatabase(world.conn), as_of=as_of, now=now, **kw))


def bill(world: World, as_of: date, now: datetime = RUN_AT) -> BillReport:
    db = PinnedDatabase(world.conn)
    return world.run.run(bill_run(db, as_of=as_of, now=now, tenant="acme"))


def rows(world: World) -> dict[str, int]:
    tables = ("orders", "order_products", "assets", "invoices", "change_events")
    return {t: world.run.run(count(world.conn, t, world.tenant_id)) for t in tables}


def sub(world: World, customer: str, end: date, **kw: Any) -> Any:
    return world.run.run(subscription(world.conn, world.tenant_id, customer, world.product,
                                      end=end, **kw))  # fmt: skip


def state(world: World, number: str) -> tuple[Any, ...]:
    return world.run.run(current(world.conn, world.tenant_id, number))


class TestRenewRun:
    def test_renews_ends_and_expires_once(self, world: World) -> None:
        renews = sub(world, world.alice, date(2025, 5, 31), tax_rate=825)
        ends = sub(world, world.alice, date(2025, 5, 20), auto_renew=False)
        expires = sub(world, world.alice, date(2025, 4, 1), auto_renew=False)
        in_grace = sub(world, world.alice, date(2025, 5, 2), status="Ended", auto_renew=False)
        past_grace = sub(world, world.alice, date(2025, 5, 1), status="Ended", auto_renew=False)
        scheduled = sub(world, world.alice, date(2025, 5, 31),
                        status="Scheduled for Cancellation")  # fmt: skip
        not_yet = sub(world, world.alice, date(2025, 6, 1))
        catch_up = sub(world, world.bob, date(2025, 3, 31), currency="JPY", renewal_term=1,
                       price=1_000_000_000, quantity=1)  # fmt: skip
        before = rows(world)
        report = renew(world)
        assert report.as_json() == {"asOf": "2025-06-01", "tenants": 1, "renewed": 4, "ended": 2,
                                    "expired": 2, "canceled": 0, "skipped": 0,
                                    "failed": 0}  # fmt: skip
        assert report.summary() == (
            "renew as of 2025-06-01: 4 renewed, 2 ended, 2 expired, 0 canceled, "
            "0 skipped, 0 failed (1 tenant)"
        )
        # Versions keep the start date; the term grows by renewalTerm and the end moves.
        version, status, start, end, term, _, order_id = state(world, renews.number)
        assert (version, status, start, end, term) == (
            2, "Active", date(2024, 6, 1), date(2026, 5, 31), 24,
        )  # fmt: skip
        assert order_id != renews.order_id
        assert state(world, catch_up.number)[:5] == (
            4, "Active", date(2024, 4, 1), date(2025, 6, 30), 15,
        )  # fmt: skip
        assert state(world, ends.number)[:2] == (1, "Ended")
        assert state(world, expires.number)[:2] == (1, "Expired")
        assert state(world, in_grace.number)[:2] == (1, "Ended")
        assert state(world, past_grace.number)[:2] == (1, "Expired")
        assert state(world, scheduled.number)[:2] == (1, "Scheduled for Cancellation")
        assert state(world, not_yet.number)[:2] == (1, "Active")
        after = rows(world)
        assert after["orders"] - before["orders"] == 4
        assert after["order_products"] - before["order_products"] == 4
        assert after["assets"] - before["assets"] == 4
        assert after["invoices"] - before["invoices"] == 4
        again = renew(world)
        assert (again.renewed, again.ended, again.expired, again.skipped) == (0, 0, 0, 0)
        assert rows(world) == after

    def _renewed(self, world: World) -> tuple[Any, dict[str, Any]]:
        renews = sub(world, world.alice, date(2025, 5, 31), tax_rate=825)
        renew(world)
        renewal_id = state(world, renews.number)[6]
        url = f"/orders/{renewal_id}?includes=assets,invoices,history"
        order: dict[str, Any] = world.api.get(url).json()["data"]
        return renews, order

    def test_renewal_order_and_invoice(self, world: World) -> None:
        renews, order = self._renewed(world)
        assert (order["orderType"], order["status"], order["name"]) == (
            "Renewal", "Activated", f"Renewal {renews.number}",
        )  # fmt: skip
        assert (order["orderPlacedDate"], order["activatedDate"], order["createdById"]) == (
            "2025-06-01", "2025-06-01T06:00:00Z", "system",
        )  # fmt: skip
        (line,) = order["orderProducts"]
        # 30.00 a month × 2 × 12 months = 720.00; tax 8.25 % = 59.40
        assert (line["changeType"], line["assetNumber"], line["quantity"]) == (
            "Renew", renews.number, 2,
        )  # fmt: skip
        assert (line["subscriptionStartDate"], line["subscriptionEndDate"]) == (
            "2025-06-01", "2026-05-31",
        )  # fmt: skip
        assert (line["subscriptionTerm"], line["totalPrice"], line["taxAmount"]) == (
            12,
            720.0,
            59.4,
        )
        assert order["totalAmount"] == 779.4 and order["orderACV"] == 720.0
        (invoice,) = order["invoices"]
        # The first month: 720.00 / 12 = 60.00 + tax 4.95
        assert (invoice["invoiceDate"], invoice["dueDate"], invoice["status"]) == (
            "2025-06-01", "2025-07-01", "Active",
        )  # fmt: skip
        assert (invoice["amountWithoutTax"], invoice["taxAmount"], invoice["amount"]) == (
            60.0, 4.95, 64.95,
        )  # fmt: skip
        (asset,) = order["assets"]
        assert (asset["assetVersion"], asset["orderProductId"], asset["totalPrice"]) == (
            2, line["id"], 720.0,  # the builder's first term cost 0.00
        )  # fmt: skip
        original = world.api.get(f"/orders/{renews.order_id}").json()["data"]
        assert original["lifecycle"]["nextRenewalDate"] == "2026-05-31"

    def test_renewal_history_is_by_the_system(self, world: World) -> None:
        _, order = self._renewed(world)
        actions = {e["action"]: e for e in order["history"]}
        assert {"order.created", "order.activated", "subscription.renewed", "invoice.issued"} <= (
            set(actions)
        )  # fmt: skip
        assert {e["actorType"] for e in order["history"] if e["at"] == "2025-06-01T06:00:00Z"} == {
            "system"
        }
        renewed = actions["subscription.renewed"]["changes"]
        assert {"field": "endDate", "from": "2025-05-31", "to": "2026-05-31"} in renewed
        assert {"field": "term", "from": 12, "to": 24} in renewed

    def test_ending_is_recorded(self, world: World) -> None:
        ends = sub(world, world.alice, date(2025, 3, 1), auto_renew=False)
        renew(world)
        history = world.api.get(f"/orders/{ends.order_id}/history").json()["data"]
        changes = {e["action"]: (e["actorType"], e["changes"]) for e in history}
        assert changes["subscription.ended"] == (
            "system", [{"field": "status", "from": "Active", "to": "Ended"}],
        )  # fmt: skip
        assert changes["subscription.expired"] == (
            "system", [{"field": "status", "from": "Ended", "to": "Expired"}],
        )  # fmt: skip

    def test_tenants(self, world: World) -> None:
        sub(world, world.alice, date(2025, 5, 31))
        assert renew(world, tenant="other").renewed == 0
        with pytest.raises(TenantNotFound):
            renew(world, tenant="no-such-tenant")
        everyone = renew(world, tenant=None)
        assert everyone.tenants >= 2 and everyone.renewed >= 1


class TestOverHttp:
    @pytest.fixture
    def order_id(self, world: World) -> str:
        """10 seats at USD 49.50 a month for 12 months from 2025-06-01, 10 % off, 8.25 % tax,
        and a one-time onboarding of 2,500.00; activated without an invoice."""
        run, conn, tenant = world.run.run, world.conn, world.tenant_id
        platform = run(b.product(conn, tenant, name="Platform"))
        onboard = run(b.product(conn, tenant, name="Onboarding",
                                product_category="ProfessionalServices"))  # fmt: skip
        run(b.tax_rate(conn, tenant, "US", 825))
        monthly = run(b.price_book_entry(conn, tenant, platform, list_price=49_500_000))
        once = run(b.price_book_entry(conn, tenant, onboard, list_price=2_500_000_000,
                                      price_period="OneTime"))  # fmt: skip
        body = {
            "customer": {"id": world.alice}, "effectiveDate": "2025-06-01",
            "orderProducts": [
                {"priceBookEntryId": monthly, "quantity": 10, "subscriptionTerm": 12,
                 "discount": 10},
                {"priceBookEntryId": once, "quantity": 1},
            ],
            "options": {"calculateTax": True},
        }  # fmt: skip
        created = world.api.post("/orders", json=body)
        assert created.status_code == 201, created.text
        order_id: str = created.json()["data"]["order"]["id"]
        assert world.api.post(f"/orders/{order_id}", json={}).status_code == 200
        return order_id

    def test_bill_run_issues_exactly_the_due_invoices(self, world: World, order_id: str) -> None:
        report = bill(world, date(2025, 8, 15))
        assert (report.invoices, report.billed_orders, report.failed) == (3, 1, 0)
        invoices = world.api.get(f"/orders/{order_id}?includes=invoices").json()["data"]["invoices"]
        got = sorted((i["invoiceDate"], i["dueDate"], i["amountWithoutTax"], i["taxAmount"],
                      i["amount"], i["status"]) for i in invoices)  # fmt: skip
        # 5,346.00 a year = 445.50 a month (+ 36.75 tax); onboarding 2,500.00 (+ 206.25)
        assert got == [
            ("2025-06-01", "2025-07-01", 2945.5, 243.0, 3188.5, "Active"),
            ("2025-07-01", "2025-07-31", 445.5, 36.75, 482.25, "Active"),
            ("2025-08-01", "2025-08-31", 445.5, 36.75, 482.25, "Active"),
        ]
        before = rows(world)
        again = bill(world, date(2025, 8, 15))
        assert (again.invoices, again.billed_orders) == (0, 0)
        assert rows(world) == before
        assert bill(world, date(2025, 9, 1)).invoices == 1

    def test_canceled_periods_are_not_billed(self, world: World, order_id: str) -> None:
        cancel = {"cancellationDate": "2025-07-16", "reason": "Budget"}
        assert world.api.post(f"/orders/{order_id}/cancel", json=cancel).status_code == 200
        report = bill(world, date(2025, 12, 31))
        assert report.invoices == 2  # June (with onboarding) and July; none from August on
        invoices = world.api.get(f"/orders/{order_id}?includes=invoices").json()["data"]["invoices"]
        assert sorted(i["invoiceDate"] for i in invoices) == ["2025-06-01", "2025-07-01"]

    def test_renewal_is_projected_then_renewed(self, world: World, order_id: str) -> None:
        ids = ids_param(world.alice)
        (projected,) = world.api.get(f"/renewals?customerIds={ids}&withinDays=365").json()["data"]
        # 44.55 (49.50 less 10 %) × 10 × 12 = 5,346.00; tax 441.045 -> 441.04 (half-even)
        assert (projected["projectedRenewalAmount"], projected["projectedRenewalTaxAmount"]) == (
            5346.0, 441.04,
        )  # fmt: skip
        assert (projected["endDate"], projected["daysUntilRenewal"]) == ("2026-05-31", 364)
        run_at = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
        assert renew(world, as_of=date(2026, 6, 1), now=run_at).renewed == 1
        version, status, _, end, term, _, renewal_id = state(world, projected["assetNumber"])
        assert (version, status, end, term) == (2, "Active", date(2027, 5, 31), 24)
        order = world.api.get(f"/orders/{renewal_id}?includes=invoices").json()["data"]
        assert order["orderProducts"][0]["totalPrice"] == projected["projectedRenewalAmount"]
        assert [i["amount"] for i in order["invoices"]] == [482.25]
        billed = bill(world, date(2026, 6, 1), now=run_at)
        # the original term's twelve months, none of the renewal's (its first was issued)
        assert (billed.invoices, billed.billed_orders) == (12, 1)


def test_a_scheduled_cancellation_takes_effect_on_its_date(world: World) -> None:
    """The renewal run turns 'Scheduled for Cancellation' into 'Canceled' once the date came."""
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    number = f"SUB-{70000000 + b.next_number():08d}"
    scheduled = {"status": "Scheduled for Cancellation", "cancellation_date": date(2025, 7, 1)}
    run(b.asset(conn, tenant, world.alice, world.orders[0], world.product, asset_number=number,
                **scheduled))  # fmt: skip
    db = world.api.app.state.db
    now = datetime(2025, 7, 2, 12, tzinfo=UTC)
    assert run(renew_run(db, as_of=date(2025, 6, 30), now=now, tenant="acme")).canceled == 0
    assert run(renew_run(db, as_of=date(2025, 7, 1), now=now, tenant="acme")).canceled == 1
    sql = conn.sql()
    status = run(conn.fetchval(f"SELECT status FROM assets WHERE asset_number = {sql.p(number)} "
                               "AND is_current", sql.params))  # fmt: skip
    assert status == "Canceled"
    assert run(renew_run(db, as_of=date(2025, 7, 1), now=now, tenant="acme")).canceled == 0
