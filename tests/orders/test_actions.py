"""The pure rules of what an order and a subscription offer (``orders.lifecycle``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from selfserve.assets.schemas import AssetRead
from selfserve.auth.scopes import ROLES
from selfserve.orders.lifecycle import ACTION_ROUTES, UNCANCEL, actions_for, subscription_actions

WRITER = ROLES["integration"]
READER = ROLES["read-only"]
TODAY = date(2025, 6, 1)


def sub(**over: Any) -> AssetRead:
    values: dict[str, Any] = {
        "id": "s1", "asset_type": "Subscription", "asset_number": "SUB-00000001",
        "status": "Active", "customer_id": "c1", "product_id": "p1", "product_name": "Platform",
        "quantity": 1, "start_date": date(2025, 1, 1), "end_date": date(2025, 12, 31),
        "term": 12, "renewal_term": 12, "auto_renew": True, "billing_period": "Month",
        "currency": "USD", "list_price": Decimal(1), "price": Decimal(1),
        "total_price": Decimal(12), "asset_version": 1, "last_versioned_asset_id": None,
        "cancellation_date": None, "order_id": "o1", "order_product_id": None,
        "product_category": "RecurringServices", "price_book_entry_id": None,
    } | over  # fmt: skip
    return AssetRead(**values)


def offered(subscription: AssetRead, today: date | None = TODAY, **kw: Any) -> list[str]:
    scopes = kw.get("scopes", WRITER)
    served = kw.get("served", ACTION_ROUTES)
    return [a.name for a in subscription_actions(subscription, today, scopes, served)]


def test_a_pending_cancellation_offers_uncancel_through_a_subscription() -> None:
    (action,) = actions_for("pending_cancellation", "o1", WRITER, ACTION_ROUTES,
                            scheduled_subscription="s9")  # fmt: skip
    assert (action.name, action.method, action.href) == (
        "uncancel", "POST", "/subscriptions/s9/uncancel",
    )  # fmt: skip
    assert actions_for("pending_cancellation", "o1", WRITER, ACTION_ROUTES) == []
    served = ACTION_ROUTES - {UNCANCEL}
    assert actions_for("pending_cancellation", "o1", WRITER, served,
                       scheduled_subscription="s9") == []  # fmt: skip
    assert actions_for("pending_cancellation", "o1", READER, ACTION_ROUTES,
                       scheduled_subscription="s9") == []  # fmt: skip


def test_a_live_subscription_offers_changes_and_no_uncancel() -> None:
    assert offered(sub()) == ["change", "renew", "cancel", "autoRenew"]
    assert offered(sub(status="Pending")) == ["change", "renew", "cancel", "autoRenew"]
    assert offered(sub(end_date=None)) == ["change", "cancel", "autoRenew"]  # nothing to renew
    hrefs = {a.name: a.href for a in subscription_actions(sub(), TODAY, WRITER, ACTION_ROUTES)}
    assert hrefs == {"change": "/change-orders", "renew": "/change-orders",
                     "cancel": "/change-orders", "autoRenew": "/subscriptions/s1"}  # fmt: skip
    assert offered(sub(), scopes=READER) == []


def test_a_scheduled_cancellation_can_be_undone_until_the_day_before() -> None:
    scheduled = sub(status="Scheduled for Cancellation", cancellation_date=date(2025, 6, 2))
    assert offered(scheduled) == ["uncancel"]
    assert offered(scheduled, date(2025, 6, 2)) == []  # the first day without service
    assert offered(scheduled, None) == []  # the customer's today is unknown
    assert offered(scheduled, served=ACTION_ROUTES - {UNCANCEL}) == []
    for status in ("Canceled", "Ended", "Expired"):
        assert offered(sub(status=status, cancellation_date=date(2025, 7, 1))) == []
