"""Drafts, activation and cancellation over HTTP, with hand-computed amounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures import builders as b
from tests.fixtures.world import World


@dataclass
class Catalog:
    monthly: str  # 49.50 USD per month, RecurringServices
    onboarding: str  # 2,500.00 USD once, ProfessionalServices
    euro: str  # a EUR price of the monthly product


@pytest.fixture
def catalog(world: World) -> Catalog:
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    platform = run(b.product(conn, tenant, name="Platform", product_category="RecurringServices"))
    onboard = run(
        b.product(conn, tenant, name="Onboarding", product_category="ProfessionalServices")
    )
    run(b.tax_rate(conn, tenant, "US", 825))
    return Catalog(
        monthly=run(b.price_book_entry(conn, tenant, platform, list_price=49_500_000)),
        onboarding=run(b.price_book_entry(conn, tenant, onboard, list_price=2_500_000_000,
                                          price_period="OneTime")),
        euro=run(b.price_book_entry(conn, tenant, platform, list_price=45_000_000, currency="EUR")),
    )  # fmt: skip


def draft_body(world: World, catalog: Catalog, **extra: Any) -> dict[str, Any]:
    return {
        "customer": {"id": world.alice},
        "effectiveDate": "2025-06-01",
        "name": "Platform for Alice",
        "orderProducts": [
            {"priceBookEntryId": catalog.monthly, "quantity": 10, "subscriptionTerm": 12,
             "discount": 10},
            {"priceBookEntryId": catalog.onboarding, "quantity": 1},
        ],
        "options": {"previewInvoice": True, "calculateTax": True},
        **extra,
    }  # fmt: skip


def create(world: World, catalog: Catalog) -> dict[str, Any]:
    response = world.api.post("/orders", json=draft_body(world, catalog))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


class TestDraft:
    def test_is_priced_exactly(self, world: World, catalog: Catalog) -> None:
        order = create(world, catalog)["order"]
        assert order["status"] == "Draft" and order["orderType"] == "New"
        monthly, onboarding = order["orderProducts"]
        # 49.50 × 10 × 12 = 5,940.00; 10 % off = 5,346.00; tax 8.25 % = 441.045 -> 441.04
        assert (monthly["totalPrice"], monthly["discountAmount"], monthly["taxAmount"]) == (
            5346.0, 594.0, 441.04,
        )  # fmt: skip
        # 2,500.00 once; tax 206.25
        assert (onboarding["totalPrice"], onboarding["taxAmount"]) == (2500.0, 206.25)
        assert order["listTotal"] == 8440.0 and order["subtotal"] == 7846.0
        assert order["discountAmount"] == 594.0 and order["taxAmount"] == 647.29
        assert order["totalAmount"] == order["grandTotal"] == 8493.29
        assert order["orderACV"] == 5346.0 and order["orderTCV"] == 7846.0
        assert order["lifecycle"]["stage"] == "draft"
        assert [a["name"] for a in order["actions"]] == ["activate", "cancel"]

    def test_preview_is_the_first_invoice(self, world: World, catalog: Catalog) -> None:
        (invoice,) = create(world, catalog)["invoices"]
        # 5,346.00 / 12 = 445.50 (+ tax 36.75375 -> 36.75) and 2,500.00 (+ 206.25)
        assert invoice["invoiceDate"] == "2025-06-01" and invoice["dueDate"] == "2025-07-01"
        assert invoice["amountWithoutTax"] == 2945.5 and invoice["taxAmount"] == 243.0
        assert invoice["amount"] == 3188.5
        assert [line["amount"] for line in invoice["lines"]] == [445.5, 2500.0]

    def test_rejects_what_cannot_be_sold(self, world: World, catalog: Catalog) -> None:
        euro = draft_body(world, catalog)
        euro["orderProducts"] = [{"priceBookEntryId": catalog.euro, "quantity": 1}]
        response = world.api.post("/orders", json=euro)
        assert response.status_code == 422 and "EUR" in response.json()["message"]
        missing = draft_body(world, catalog, customer={"id": world.other_tenant_order})
        assert world.api.post("/orders", json=missing).status_code == 404
        zero = draft_body(world, catalog)
        zero["orderProducts"][0]["quantity"] = 0
        bad = world.api.post("/orders", json=zero)
        assert bad.status_code == 400 and "quantity" in bad.json()["details"][0]["parameter"]

    def test_records_history(self, world: World, catalog: Catalog) -> None:
        order_id = create(world, catalog)["order"]["id"]
        (event,) = world.api.get(f"/orders/{order_id}/history").json()["data"]
        assert event["action"] == "order.created" and event["actorType"] == "api_key"
        assert {"field": "status", "from": None, "to": "Draft"} in event["changes"]


class TestActivation:
    def test_creates_assets_and_the_first_invoice(self, world: World, catalog: Catalog) -> None:
        order_id = create(world, catalog)["order"]["id"]
        body = {"options": {"generateInvoice": True, "activateInvoice": True}}
        response = world.api.post(f"/orders/{order_id}", json=body)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        order = data["order"]
        assert order["status"] == "Activated" and order["orderPlacedDate"] == "2025-06-01"
        assert order["activatedDate"] == "2025-06-01T12:00:00Z"
        kinds = sorted((a["assetType"], a["assetNumber"][:4], a["status"]) for a in data["assets"])
        assert kinds == [("Entitlement", "ENT-", "Active"), ("Subscription", "SUB-", "Active")]
        subscription = next(a for a in data["assets"] if a["assetType"] == "Subscription")
        assert (subscription["quantity"], subscription["startDate"], subscription["endDate"]) == (
            10, "2025-06-01", "2026-05-31",
        )  # fmt: skip
        (invoice,) = data["invoices"]
        assert invoice["status"] == "Active" and invoice["amount"] == 3188.5
        assert invoice["balance"] == 3188.5
        assert order["lifecycle"]["stage"] == "active"
        assert order["lifecycle"]["nextRenewalDate"] == "2026-05-31"
        assert [a["name"] for a in order["actions"]] == ["change", "renew", "cancel"]

    def test_only_a_draft_can_be_activated(self, world: World, catalog: Catalog) -> None:
        order_id = create(world, catalog)["order"]["id"]
        assert world.api.post(f"/orders/{order_id}", json={}).status_code == 200
        again = world.api.post(f"/orders/{order_id}", json={})
        assert again.status_code == 409 and again.json()["errorCode"] == "ORDER_NOT_DRAFT"
        assert world.api.post(f"/orders/{world.other_tenant_order}", json={}).status_code == 404


class TestCancel:
    def test_a_draft(self, world: World, catalog: Catalog) -> None:
        order_id = create(world, catalog)["order"]["id"]
        body = {"cancellationDate": "2025-06-01", "reason": "Changed my mind"}
        order = world.api.post(f"/orders/{order_id}/cancel", json=body).json()["data"]["order"]
        assert order["status"] == "Canceled" and order["lifecycle"]["stage"] == "canceled"
        assert order["lifecycle"]["cancellation"]["reason"] == "Changed my mind"
        assert order["canceledDate"] == "2025-06-01T12:00:00Z"
        assert world.api.post(f"/orders/{order_id}/cancel", json=body).status_code == 409

    def test_an_activated_order_credits_unused_time(self, world: World, catalog: Catalog) -> None:
        order_id = create(world, catalog)["order"]["id"]
        options = {"generateInvoice": True, "activateInvoice": True}
        world.api.post(f"/orders/{order_id}", json={"options": options})
        body = {"cancellationDate": "2025-06-16", "reason": "Budget"}
        response = world.api.post(f"/orders/{order_id}/cancel", json=body)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        subscription = next(a for a in data["assets"] if a["assetType"] == "Subscription")
        assert subscription["status"] == "Scheduled for Cancellation"
        assert (
            subscription["assetVersion"] == 2 and subscription["cancellationDate"] == "2025-06-16"
        )
        credit = next(i for i in data["invoices"] if i["amount"] < 0)
        # June 16-30 of a 30-day period: 445.50 × 15/30 = 222.75; tax -18.376875 -> -18.38
        assert credit["amountWithoutTax"] == -222.75 and credit["taxAmount"] == -18.38
        assert data["order"]["lifecycle"]["stage"] == "pending_cancellation"
        past = world.api.post(f"/orders/{order_id}/cancel", json=body)
        assert past.status_code == 409


def activated(world: World, catalog: Catalog) -> tuple[str, str]:
    """An activated order with its first invoice; returns (order id, subscription number)."""
    order_id = create(world, catalog)["order"]["id"]
    options = {"generateInvoice": True, "activateInvoice": True}
    data = world.api.post(f"/orders/{order_id}", json={"options": options}).json()["data"]
    number = next(a["assetNumber"] for a in data["assets"] if a["assetType"] == "Subscription")
    return order_id, number


def change(world: World, *changes: dict[str, Any], tax: bool = True) -> dict[str, Any]:
    body = {"assetChanges": list(changes), "options": {"previewInvoice": True, "calculateTax": tax}}
    response = world.api.post("/change-orders", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


class TestChangeOrders:
    def test_update_quantity_mid_period(self, world: World, catalog: Catalog) -> None:
        order_id, number = activated(world, catalog)
        draft = change(world, {"changeType": "UpdateQuantity", "assetNumber": number,
                               "quantity": 5, "startDate": "2025-06-11"})  # fmt: skip
        order = draft["order"]
        assert order["orderType"] == "Change" and order["status"] == "Draft"
        (line,) = order["orderProducts"]
        # 5 more seats at 49.50 less 10 % = 44.55 each, for Jun 11-30: 20 of 30 days
        # 44.55 × 5 × 20/30 = 148.50; tax 8.25 % = 12.25125 -> 12.25
        assert (line["changeType"], line["assetNumber"], line["quantity"]) == (
            "UpdateQuantity", number, 5,
        )  # fmt: skip
        assert line["totalPrice"] == 148.5 and line["taxAmount"] == 12.25
        assert draft["invoices"][0]["amount"] == 160.75
        activate = {"options": {"generateInvoice": True, "activateInvoice": True}}
        done = world.api.post(f"/orders/{order['id']}", json=activate).json()["data"]
        (subscription,) = [a for a in done["assets"] if a["assetNumber"] == number]
        assert subscription["quantity"] == 15 and subscription["assetVersion"] == 2
        assert [i["amount"] for i in done["invoices"]] == [160.75]
        original = world.api.get(f"/orders/{order_id}?includes=assets,history").json()["data"]
        sub = next(a for a in original["assets"] if a["assetNumber"] == number)
        assert sub["assetVersion"] == 2 and sub["quantity"] == 15
        changed = [e for e in original["history"] if e["action"] == "subscription.quantity_changed"]
        # money in history diffs is an exact decimal string: 5,346.00 + 148.50 = 5,494.50
        assert changed[0]["changes"] == [
            {"field": "assetVersion", "from": 1, "to": 2},
            {"field": "quantity", "from": 10, "to": 15},
            {"field": "totalPrice", "from": "5346.00", "to": "5494.50"},
        ]

    def test_cancel_and_upgrade_and_renew(self, world: World, catalog: Catalog) -> None:
        _, number = activated(world, catalog)
        run, conn, tenant = world.run.run, world.conn, world.tenant_id
        premium = run(b.product(conn, tenant, name="Platform Premium"))
        premium_price = run(b.price_book_entry(conn, tenant, premium, list_price=99_000_000))
        upgrade = change(world, {"changeType": "Upgrade", "assetNumber": number,
                                 "priceBookEntryId": premium_price, "startDate": "2025-06-16"},
                         tax=False)  # fmt: skip
        credit, charge = upgrade["order"]["orderProducts"]
        # Jun 16-30 = 15 of 30 days: credit 44.55 × 10 × 1/2 = -222.75; charge 99 × 10 / 2 = 495
        assert (credit["totalPrice"], charge["totalPrice"]) == (-222.75, 495.0)
        renew = change(world, {"changeType": "Renew", "assetNumber": number, "renewalTerm": 12},
                       tax=False)  # fmt: skip
        (line,) = renew["order"]["orderProducts"]
        # a new 12-month term from 2026-06-01 at 44.55 × 10 per month = 5,346.00
        assert (line["subscriptionStartDate"], line["subscriptionEndDate"]) == (
            "2026-06-01", "2027-05-31",
        )  # fmt: skip
        assert line["totalPrice"] == 5346.0

    def test_rejects_unknown_and_incomplete_changes(self, world: World, catalog: Catalog) -> None:
        _, number = activated(world, catalog)
        missing = world.api.post("/change-orders", json={"assetChanges": [
            {"changeType": "UpdateQuantity", "assetNumber": number, "quantity": 1}]})  # fmt: skip
        assert missing.status_code == 400
        assert missing.json()["details"][0]["parameter"] == "assetChanges[0].startDate"
        unknown = world.api.post("/change-orders", json={"assetChanges": [
            {"changeType": "Cancel", "assetNumber": "SUB-99999999",
             "cancellationDate": "2025-07-01"}]})  # fmt: skip
        assert unknown.status_code == 404
        wrong = world.api.post("/change-orders", json={"assetChanges": [
            {"changeType": "Teleport", "assetNumber": number}]})  # fmt: skip
        assert wrong.status_code == 400

    def test_a_changed_subscription_cannot_be_changed_by_a_stale_order(
        self, world: World, catalog: Catalog
    ) -> None:
        _, number = activated(world, catalog)
        first = change(world, {"changeType": "UpdateQuantity", "assetNumber": number,
                               "quantity": 1, "startDate": "2025-06-11"})  # fmt: skip
        second = change(world, {"changeType": "UpdateQuantity", "assetNumber": number,
                                "quantity": 2, "startDate": "2025-06-11"})  # fmt: skip
        assert world.api.post(f"/orders/{first['order']['id']}", json={}).status_code == 200
        stale = world.api.post(f"/orders/{second['order']['id']}", json={})
        assert stale.status_code == 409
        assert stale.json()["errorCode"] == "ASSET_CHANGED" and number in stale.json()["message"]
        subscription = world.api.get(f"/orders/{first['order']['id']}?includes=assets").json()
        assert [a["quantity"] for a in subscription["data"]["assets"]] == [11]
        second_order = world.api.get(f"/orders/{second['order']['id']}").json()["data"]
        assert second_order["status"] == "Draft"  # nothing of the refused activation stuck


def test_a_change_order_can_add_products(world: World, catalog: Catalog) -> None:
    _, number = activated(world, catalog)
    body = {
        "assetChanges": [{"changeType": "UpdateQuantity", "assetNumber": number, "quantity": 1,
                          "startDate": "2025-06-16"}],
        "products": [{"priceBookEntryId": catalog.onboarding, "quantity": 2}],
    }  # fmt: skip
    response = world.api.post("/change-orders", json=body)
    assert response.status_code == 201, response.text
    order = response.json()["data"]["order"]
    # 44.55 × 1 × 15/30 = 22.275 -> 22.28 (half-even of 2227.5 cents is 2228); 2 × 2,500.00
    assert [(p["changeType"], p["totalPrice"]) for p in order["orderProducts"]] == [
        ("UpdateQuantity", 22.28), ("New", 5000.0),
    ]  # fmt: skip
    assert order["subtotal"] == 5022.28
    done = world.api.post(f"/orders/{order['id']}", json={}).json()["data"]
    added = [a for a in done["assets"] if a["assetType"] == "Entitlement"]
    assert [(a["quantity"], a["assetVersion"]) for a in added] == [(2, 1)]
