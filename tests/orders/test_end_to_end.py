"""One customer's whole lifecycle over HTTP, checked through GET /orders after every step:
new customer -> draft with preview -> activation with invoice -> mid-period UpdateQuantity
-> Renew -> cancel. Amounts are computed by hand in the comments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from tests.fixtures.app import Api
from tests.fixtures.world import World
from tests.orders.test_lifecycle import Catalog, catalog, draft_body

__all__ = ["catalog"]

DAY_1 = datetime(2025, 6, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York
DAY_11 = datetime(2025, 6, 11, 14, 0, tzinfo=UTC)


def at(world: World, now: datetime) -> Api:
    api = Api(world.conn, world.run, now=now)
    api.key = world.key
    return api


def view(api: Api, world: World, order_id: str) -> dict[str, Any]:
    url = f"/orders?customerIds={world.extra['carol']}&includes=assets,invoices,history"
    orders = api.get(url).json()["data"]
    found: dict[str, Any] = next(o for o in orders if o["id"] == order_id)
    return found


def subscription(order: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in order["assets"] if a["assetType"] == "Subscription")
    return found


def actions(order: dict[str, Any]) -> Counter[str]:
    return Counter(e["action"] for e in order["history"])


def post(api: Api, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = api.post(path, json=body)
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_whole_lifecycle(world: World, catalog: Catalog) -> None:
    day1, day11 = at(world, DAY_1), at(world, DAY_11)

    # 0. The customer, created through the API (New York, USD, taxed in the US)
    customer = {"name": "Carol Corp", "timeZone": "America/New_York", "currency": "USD",
                "country": "US"}  # fmt: skip
    response = day1.post("/customers", json=[customer])
    assert response.status_code == 201, response.text
    carol = response.json()["data"][0]["id"]
    world.extra["carol"] = carol

    # 1. Draft with preview: 5,346.00 + 2,500.00, tax 441.04 + 206.25 = 8,493.29
    created = post(day1, "/orders", draft_body(world, catalog, customer={"id": carol}), 201)
    order_id = created["order"]["id"]
    assert created["invoices"][0]["amount"] == 3188.5
    order = view(day1, world, order_id)
    assert (order["status"], order["totalAmount"], order["lifecycle"]["stage"]) == (
        "Draft", 8493.29, "draft",
    )  # fmt: skip
    assert [a["name"] for a in order["actions"]] == ["activate", "cancel"]
    assert order["assets"] == [] and order["invoices"] == []
    assert actions(order) == Counter({"order.created": 1})

    # 2. Activation with the first invoice: 445.50 + 36.75 + 2,500.00 + 206.25 = 3,188.50
    options = {"generateInvoice": True, "activateInvoice": True}
    post(day1, f"/orders/{order_id}", {"options": options})
    order = view(day1, world, order_id)
    sub = subscription(order)
    assert (order["status"], order["orderPlacedDate"], order["lifecycle"]["stage"]) == (
        "Activated", "2025-06-01", "active",
    )  # fmt: skip
    assert (sub["assetVersion"], sub["quantity"], sub["endDate"]) == (1, 10, "2026-05-31")
    assert [(i["amount"], i["balance"], i["status"]) for i in order["invoices"]] == [
        (3188.5, 3188.5, "Active"),
    ]
    assert [a["name"] for a in order["actions"]] == ["change", "renew", "cancel"]
    assert actions(order) == Counter({"order.created": 1, "order.activated": 1,
                                      "subscription.created": 1, "entitlement.created": 1,
                                      "invoice.issued": 1})  # fmt: skip

    # 3. Five more seats from June 11: 44.55 × 5 × 20/30 = 148.50, tax 12.25 -> 160.75
    change = {"assetChanges": [{"changeType": "UpdateQuantity", "assetNumber": sub["assetNumber"],
                                "quantity": 5, "startDate": "2025-06-11"}],
              "options": {"calculateTax": True}}  # fmt: skip
    change_id = post(day11, "/change-orders", change, 201)["order"]["id"]
    post(day11, f"/orders/{change_id}", {"options": options})
    order = view(day11, world, order_id)
    sub = subscription(order)
    assert (sub["assetVersion"], sub["quantity"], sub["totalPrice"]) == (2, 15, 5494.5)
    change_order = view(day11, world, change_id)
    assert [i["amount"] for i in change_order["invoices"]] == [160.75]
    assert actions(order)["subscription.quantity_changed"] == 1

    # 4. Renew for 12 months at 44.55 × 15 = 668.25 a month: 8,019.00, tax 661.5675 -> 661.57
    renew = {"assetChanges": [{"changeType": "Renew", "assetNumber": sub["assetNumber"],
                               "renewalTerm": 12}], "options": {"calculateTax": True}}  # fmt: skip
    day11 = at(world, DAY_11.replace(minute=5))  # a later moment of the same day
    renewal = post(day11, "/change-orders", renew, 201)["order"]
    assert (renewal["totalAmount"], renewal["taxAmount"]) == (8680.57, 661.57)
    post(day11, f"/orders/{renewal['id']}", {})
    order = view(day11, world, order_id)
    sub = subscription(order)
    assert (sub["assetVersion"], sub["endDate"], sub["term"]) == (3, "2027-05-31", 24)
    assert order["lifecycle"]["nextRenewalDate"] == "2027-05-31"
    assert actions(order)["subscription.renewed"] == 1

    # 5. Cancel from July 1: nothing prepaid after June 30, so no credit
    day11 = at(world, DAY_11.replace(minute=10))
    post(day11, f"/orders/{order_id}/cancel", {"cancellationDate": "2025-07-01",
                                                "reason": "Moving on"})  # fmt: skip
    order = view(day11, world, order_id)
    sub = subscription(order)
    assert (sub["assetVersion"], sub["status"], sub["cancellationDate"]) == (
        4, "Scheduled for Cancellation", "2025-07-01",
    )  # fmt: skip
    assert order["lifecycle"]["stage"] == "pending_cancellation"
    assert order["lifecycle"]["cancellation"]["reason"] == "Moving on"
    # nothing to change any more; only the cancellation can still be withdrawn
    assert order["actions"] == [{"name": "uncancel", "method": "POST",
                                 "href": f"/subscriptions/{sub['id']}/uncancel"}]  # fmt: skip
    assert len(order["invoices"]) == 1
    events = actions(order)
    assert events["order.cancellation_scheduled"] == 1
    assert events["subscription.cancellation_scheduled"] == 1
    versions = [e for e in order["history"] if e["assetNumber"] == sub["assetNumber"]
                and e["action"] != "subscription.created"]  # fmt: skip
    assert [c["to"] for e in versions for c in e["changes"] if c["field"] == "assetVersion"] == [
        2, 3, 4,
    ]  # fmt: skip
