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
        assert [a["name"] for a in order["actions"]] == ["cancel"]

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
