"""POST /subscriptions/{id}/uncancel on both databases: a scheduled cancellation is withdrawn
as a whole, its credit voided or reversed, the history told, and the actions follow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from tests.auth.test_customer_tokens import api as token_api
from tests.auth.test_customer_tokens import token_for
from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param
from tests.orders.test_lifecycle import Catalog, activated, catalog, change
from tests.renewals.test_runs import bill

__all__ = ["catalog"]

ACTIVATE = {"options": {"generateInvoice": True, "activateInvoice": True}}
SCHEDULED = "Scheduled for Cancellation"


def names(actions: list[dict[str, Any]]) -> list[str]:
    return [a["name"] for a in actions]


def subscription(world: World, number: str, api: Api | None = None) -> dict[str, Any]:
    response = (api or world.api).get(f"/subscriptions?customerIds={world.alice}&limit=500")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = next(s for s in response.json()["data"] if s["assetNumber"] == number)
    return found


def order(world: World, order_id: str, includes: str = "history") -> dict[str, Any]:
    response = world.api.get(f"/orders/{order_id}?includes={includes}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def invoices(world: World) -> list[dict[str, Any]]:
    response = world.api.get(f"/invoices?customerIds={ids_param(world.alice)}&limit=500")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def cancel(world: World, order_id: str, day: str = "2025-06-16") -> dict[str, Any]:
    body = {"cancellationDate": day, "reason": "Budget"}
    response = world.api.post(f"/orders/{order_id}/cancel", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def uncancel(world: World, subscription_id: str, **kw: Any) -> httpx.Response:
    return world.api.post(f"/subscriptions/{subscription_id}/uncancel", **kw)


def change_order(world: World, *changes: dict[str, Any], invoice: bool = True) -> str:
    order_id = str(change(world, *changes)["order"]["id"])
    response = world.api.post(f"/orders/{order_id}", json=ACTIVATE if invoice else {})
    assert response.status_code == 200, response.text
    return order_id


def canceling(number: str, day: str = "2025-06-16") -> dict[str, Any]:
    return {"changeType": "Cancel", "assetNumber": number, "cancellationDate": day}


class TestOrderCancellation:
    def test_is_withdrawn_and_its_credit_voided(self, world: World, catalog: Catalog) -> None:
        order_id, number = activated(world, catalog)
        before = subscription(world, number)
        cancel(world, order_id)
        scheduled = subscription(world, number)
        assert scheduled["status"] == SCHEDULED and names(scheduled["actions"]) == ["uncancel"]
        pending = order(world, order_id)
        assert pending["lifecycle"]["stage"] == "pending_cancellation"
        href = f"/subscriptions/{scheduled['id']}/uncancel"
        assert pending["actions"] == [{"name": "uncancel", "method": "POST", "href": href}]
        response = uncancel(world, scheduled["id"], json={"reason": "Staying"})
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        (restored,) = response.json()["data"]
        assert (restored["assetVersion"], restored["lastVersionedAssetId"]) == (3, scheduled["id"])
        for field in ("status", "startDate", "endDate", "term", "autoRenew", "renewalTerm",
                      "quantity", "price", "totalPrice", "orderId", "orderProductId"):  # fmt: skip
            assert restored[field] == before[field], field
        assert restored["cancellationDate"] is None
        assert names(restored["actions"]) == ["change", "renew", "cancel", "autoRenew"]
        # The credit (June 16-30 of 445.50: -222.75, tax -18.38) is void; its numbers stay.
        (credit,) = [i for i in invoices(world) if i["amount"] < 0]
        assert (credit["status"], credit["paymentStatus"]) == ("Canceled", "Canceled")
        assert (credit["amountWithoutTax"], credit["taxAmount"], credit["balance"]) == (
            -222.75, -18.38, 0,
        )  # fmt: skip
        kept = order(world, order_id)
        assert (kept["status"], kept["lifecycle"]["stage"]) == ("Activated", "active")
        assert kept["canceledDate"] is None and kept["lifecycle"]["cancellation"] is None
        assert names(kept["actions"]) == ["change", "renew", "cancel"]
        events = {e["action"]: e for e in kept["history"]}
        assert events["subscription.uncanceled"]["changes"] == [
            {"field": "assetVersion", "from": 2, "to": 3},
            {"field": "status", "from": SCHEDULED, "to": "Active"},
            {"field": "cancellationDate", "from": "2025-06-16", "to": None},
        ]
        assert events["subscription.uncanceled"]["reason"] == "Staying"
        assert events["order.uncanceled"]["changes"] == [
            {"field": "cancellationDate", "from": "2025-06-16", "to": None}
        ]
        assert events["invoice.canceled"]["changes"] == [
            {"field": "status", "from": "Active", "to": "Canceled"},
            {"field": "paymentStatus", "from": "NotTransferred", "to": "Canceled"},
        ]
        again = uncancel(world, restored["id"])
        assert again.status_code == 409
        assert again.json()["errorCode"] == "NO_SCHEDULED_CANCELLATION"
        assert uncancel(world, scheduled["id"]).status_code == 404  # no longer current
        # Canceled again, it is credited exactly as the first time.
        again_canceled = cancel(world, order_id)
        (new_credit,) = [
            i for i in again_canceled["invoices"] if i["amount"] < 0 and i["status"] == "Active"
        ]
        assert (new_credit["amountWithoutTax"], new_credit["taxAmount"]) == (-222.75, -18.38)

    def test_every_subscription_it_scheduled_comes_back(
        self, world: World, catalog: Catalog
    ) -> None:
        body = {"customer": {"id": world.alice}, "effectiveDate": "2025-06-01",
                "orderProducts": [{"priceBookEntryId": catalog.monthly, "quantity": q}
                                  for q in (2, 3)]}  # fmt: skip
        order_id = world.api.post("/orders", json=body).json()["data"]["order"]["id"]
        assets = world.api.post(f"/orders/{order_id}", json=ACTIVATE).json()["data"]["assets"]
        first, second = sorted(a["assetNumber"] for a in assets)
        (credit,) = [i for i in cancel(world, order_id)["invoices"] if i["amount"] < 0]
        named = subscription(world, second)
        response = uncancel(world, named["id"])
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert [s["assetNumber"] for s in data] == [second, first]
        assert all(s["status"] == "Active" and s["assetVersion"] == 3 for s in data)
        voided = world.api.get(f"/invoices/{credit['id']}").json()["data"]
        assert voided["status"] == "Canceled" and len(voided["invoiceLines"]) == 2

    def test_a_settled_credit_is_reversed(self, world: World, catalog: Catalog) -> None:
        order_id, number = activated(world, catalog)
        (credit,) = [i for i in cancel(world, order_id)["invoices"] if i["amount"] < 0]
        sql = world.conn.sql()
        world.run.run(world.conn.execute(
            f"UPDATE invoices SET payment_status = 'Refunded' WHERE id = {sql.p(credit['id'])}",
            sql.params,
        ))  # fmt: skip
        response = uncancel(world, subscription(world, number)["id"])
        assert response.status_code == 200, response.text
        after = {i["id"]: i for i in invoices(world)}
        assert after[credit["id"]]["status"] == "Active"  # money moved: the credit stands
        (reversal,) = [i for i in after.values() if i["id"] not in (credit["id"],)
                       and i["invoiceDate"] == "2025-06-01" and i["amount"] == 241.13]  # fmt: skip
        assert (reversal["amountWithoutTax"], reversal["taxAmount"]) == (222.75, 18.38)
        assert (reversal["balance"], reversal["dueDate"]) == (241.13, "2025-07-01")
        assert reversal["orderId"] == order_id
        detail = world.api.get(f"/invoices/{reversal['id']}").json()["data"]
        (line,) = detail["invoiceLines"]
        assert line["description"].endswith(f"(reverses {credit['invoiceNumber']})")
        assert (line["quantity"], line["endDate"]) == (10, None)

    def test_a_pending_subscription_stays_pending(self, world: World, catalog: Catalog) -> None:
        body = {"customer": {"id": world.alice}, "effectiveDate": "2025-07-01",
                "orderProducts": [{"priceBookEntryId": catalog.monthly, "quantity": 1,
                                   "subscriptionStartDate": "2025-07-01"}]}  # fmt: skip
        order_id = world.api.post("/orders", json=body).json()["data"]["order"]["id"]
        (sub,) = world.api.post(f"/orders/{order_id}", json=ACTIVATE).json()["data"]["assets"]
        assert sub["status"] == "Pending"
        cancel(world, order_id, "2025-07-15")
        response = uncancel(world, subscription(world, sub["assetNumber"])["id"])
        assert response.status_code == 200, response.text
        assert response.json()["data"][0]["status"] == "Pending"


class TestChangeOrderCancellation:
    def test_its_own_credit_invoice_is_voided(self, world: World, catalog: Catalog) -> None:
        _, number = activated(world, catalog)
        change_id = change_order(world, canceling(number))
        scheduled = subscription(world, number)
        assert scheduled["orderId"] == change_id
        assert "cancel" not in names(scheduled["actions"])
        response = uncancel(world, scheduled["id"])
        assert response.status_code == 200, response.text
        assert response.json()["data"][0]["status"] == "Active"
        (credit,) = order(world, change_id, "invoices")["invoices"]
        assert credit["amount"] == -241.13 and credit["status"] == "Canceled"

    def test_a_shared_invoice_keeps_its_lines_and_is_reversed(
        self, world: World, catalog: Catalog
    ) -> None:
        _, canceled = activated(world, catalog)
        _, grown = activated(world, catalog)
        more = {"changeType": "UpdateQuantity", "assetNumber": grown, "quantity": 2,
                "startDate": "2025-06-11"}  # fmt: skip
        change_id = change_order(world, canceling(canceled), more)
        (shared,) = order(world, change_id, "invoices")["invoices"]
        assert len(world.api.get(f"/invoices/{shared['id']}").json()["data"]["invoiceLines"]) == 2
        response = uncancel(world, subscription(world, canceled)["id"])
        assert response.status_code == 200, response.text
        after = order(world, change_id, "invoices")["invoices"]
        assert {i["id"]: i["status"] for i in after}[shared["id"]] == "Active"
        (reversal,) = [i for i in after if i["id"] != shared["id"]]
        assert (reversal["amountWithoutTax"], reversal["taxAmount"]) == (222.75, 18.38)
        assert subscription(world, grown)["quantity"] == 12  # the other change stands

    def test_an_uninvoiced_credit_is_never_billed(self, world: World, catalog: Catalog) -> None:
        _, kept = activated(world, catalog)
        _, leaving = activated(world, catalog)
        kept_order = change_order(world, canceling(kept), invoice=False)
        leaving_order = change_order(world, canceling(leaving), invoice=False)
        assert uncancel(world, subscription(world, kept)["id"]).status_code == 200
        report = bill(world, date(2025, 6, 16))
        assert report.invoices == 1
        assert order(world, kept_order, "invoices")["invoices"] == []
        (credit,) = order(world, leaving_order, "invoices")["invoices"]
        assert credit["amount"] == -241.13


class TestRefusals:
    def test_a_cancellation_in_effect_stays(self, world: World, catalog: Catalog) -> None:
        today_order, today_number = activated(world, catalog)
        cancel(world, today_order, "2025-06-01")  # the customer's today: in effect at once
        canceled = subscription(world, today_number)
        assert canceled["status"] == "Canceled" and canceled["actions"] == []
        refused = uncancel(world, canceled["id"])
        assert refused.status_code == 409
        assert refused.json()["errorCode"] == "CANCELLATION_IN_EFFECT"
        assert "2025-06-01" in refused.json()["message"]
        order_id, number = activated(world, catalog)
        cancel(world, order_id)
        # June 16 has come in New York, before the renewal run marked it Canceled
        later = Api(world.conn, world.run, now=datetime(2025, 6, 16, 12, 0, tzinfo=UTC))
        later.key = world.key
        scheduled = subscription(world, number, later)
        assert scheduled["status"] == SCHEDULED and scheduled["actions"] == []
        assert later.get(f"/orders/{order_id}").json()["data"]["actions"] == []
        late = later.post(f"/subscriptions/{scheduled['id']}/uncancel")
        assert late.status_code == 409 and late.json()["errorCode"] == "CANCELLATION_IN_EFFECT"

    def test_a_live_subscription_has_nothing_to_undo(self, world: World, catalog: Catalog) -> None:
        _, number = activated(world, catalog)
        refused = uncancel(world, subscription(world, number)["id"])
        assert refused.status_code == 409
        assert refused.json()["errorCode"] == "NO_SCHEDULED_CANCELLATION"

    def test_invisible_subscriptions_are_404(self, world: World, catalog: Catalog) -> None:
        order_id, number = activated(world, catalog)
        cancel(world, order_id)
        target = subscription(world, number)["id"]
        for unknown in (b.new_id(), "not-a-uuid"):
            missing = uncancel(world, unknown)
            assert missing.status_code == 404
            assert missing.json()["errorCode"] == "SUBSCRIPTION_NOT_FOUND"
        assert uncancel(world, target, key=world.other_key).status_code == 404
        client = token_api(world)
        bob = token_for(world, world.bob, client=client, scopes=["read", "write"])
        hidden = client.request("POST", f"/subscriptions/{target}/uncancel", key="",
                                headers={"Authorization": f"Bearer {bob}"})  # fmt: skip
        assert hidden.status_code == 404
        alice = token_for(world, world.alice, client=client, scopes=["read", "write"])
        done = client.request("POST", f"/subscriptions/{target}/uncancel", key="",
                              headers={"Authorization": f"Bearer {alice}"})  # fmt: skip
        assert done.status_code == 200, done.text
        history = order(world, order_id)["history"]
        (event,) = [e for e in history if e["action"] == "subscription.uncanceled"]
        assert event["actorType"] == "customer"

    @pytest.mark.parametrize(
        ("body", "parameter"), [({"reason": ""}, "reason"), ({"when": "now"}, "when")]
    )
    def test_strict_body_and_parameters(
        self, world: World, catalog: Catalog, body: dict[str, Any], parameter: str
    ) -> None:
        order_id, number = activated(world, catalog)
        cancel(world, order_id)
        target = subscription(world, number)["id"]
        response = uncancel(world, target, json=body)
        assert response.status_code == 400
        assert response.json()["details"][0]["parameter"] == parameter
        assert world.api.post(f"/subscriptions/{target}/uncancel?x=1").status_code == 400

    def test_a_retry_with_the_same_key_replays(self, world: World, catalog: Catalog) -> None:
        order_id, number = activated(world, catalog)
        cancel(world, order_id)
        target = subscription(world, number)["id"]
        headers = {"Idempotency-Key": "keep-it-1"}
        first = uncancel(world, target, headers=headers)
        second = uncancel(world, target, headers=headers)
        assert first.status_code == second.status_code == 200
        assert second.headers["idempotent-replayed"] == "true"
        assert second.json() == first.json()
        history = order(world, order_id)["history"]
        assert [e["action"] for e in history].count("subscription.uncanceled") == 1
