"""The portal's actions end to end through a browser-like client, on both databases: form,
preview (which leaves nothing behind), confirmation, result notice, and what the JSON API
then shows; refusals for read sessions, disabled actions and missing CSRF; double submits."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest

from tests.fixtures import builders as b
from tests.fixtures.world import World, ids_param
from tests.portal.helpers import Browser, open_portal

KEY = re.compile(r'name="_key" value="([^"]+)"')
TOTAL = re.compile(r"<dd data-total>([^<]+)</dd>")


@dataclass
class Sub:
    id: str
    number: str
    order_id: str


@pytest.fixture
def sub(world: World) -> Sub:
    """Alice's subscription: 10 seats at USD 49.50 a month for 12 months from May 15, 2025,
    billed monthly, taxed 8.25 %; May 15 – Jun 14 invoiced. Today is Jun 1 (New York)."""
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    product = run(b.product(conn, tenant, name="Platform", product_category="RecurringServices"))
    run(b.tax_rate(conn, tenant, "US", 825))
    entry = run(b.price_book_entry(conn, tenant, product, list_price=49_500_000))
    body = {
        "customer": {"id": world.alice}, "effectiveDate": "2025-05-15",
        "orderProducts": [{"priceBookEntryId": entry, "quantity": 10, "subscriptionTerm": 12}],
        "options": {"calculateTax": True},
    }  # fmt: skip
    created = world.api.post("/orders", json=body)
    assert created.status_code == 201, created.text
    order_id = created.json()["data"]["order"]["id"]
    activate = {"options": {"generateInvoice": True, "activateInvoice": True}}
    activated = world.api.post(f"/orders/{order_id}", json=activate)
    assert activated.status_code == 200, activated.text
    (asset,) = activated.json()["data"]["assets"]
    return Sub(asset["id"], asset["assetNumber"], order_id)


def writer(world: World) -> Browser:
    return open_portal(world, scopes=["read", "write"])


def api_subscription(world: World, number: str) -> dict[str, Any]:
    page = world.api.get(f"/subscriptions?customerIds={ids_param(world.alice)}&limit=100")
    assert page.status_code == 200, page.text
    found: dict[str, Any] = next(s for s in page.json()["data"] if s["assetNumber"] == number)
    return found


def counts(world: World) -> tuple[int, ...]:
    """Orders, invoices, history events, taken numbers and idempotency keys of the tenant."""

    async def count() -> tuple[int, ...]:
        sql = world.conn.sql()
        tenant = sql.p(world.tenant_id)
        row = await world.conn.fetchrow(
            f"SELECT (SELECT count(*) FROM orders WHERE tenant_id = {tenant}), "
            f"(SELECT count(*) FROM invoices WHERE tenant_id = {tenant}), "
            f"(SELECT count(*) FROM change_events WHERE tenant_id = {tenant}), "
            f"(SELECT coalesce(sum(last_value), 0) FROM number_sequences "
            f"WHERE tenant_id = {tenant}), "
            f"(SELECT count(*) FROM assets WHERE tenant_id = {tenant})",
            sql.params,
        )
        assert row is not None
        return tuple(int(v) for v in row)

    return world.run.run(count())


def confirm_key(page: httpx.Response) -> str:
    found = KEY.search(page.text)
    assert found, page.text
    return found[1]


def confirm(browser: Browser, path: str, fields: dict[str, str], key: str) -> httpx.Response:
    return browser.submit(path, {**fields, "_key": key})


def follow(browser: Browser, response: httpx.Response) -> httpx.Response:
    assert response.status_code == 303, response.text
    return browser.get(response.headers["location"])


def order_of(world: World, sub_id: str, number: str) -> dict[str, Any]:
    current = api_subscription(world, number)
    assert current["id"] == sub_id
    order = world.api.get(f"/orders/{current['orderId']}?includes=invoices")
    assert order.status_code == 200, order.text
    data: dict[str, Any] = order.json()["data"]
    return data


class TestCancel:
    def test_end_of_term_with_reason(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        form = browser.get(f"/portal/subscriptions/{sub.id}/cancel")
        assert form.status_code == 200, form.text
        assert 'value="endOfTerm"' in form.text and 'name="reason"' in form.text
        before = counts(world)
        fields = {"timing": "endOfTerm", "reason": "too_expensive", "comment": "Budget cut"}
        preview = browser.submit(f"/portal/subscriptions/{sub.id}/cancel/preview", fields)
        assert preview.status_code == 200, preview.text
        assert "May 14, 2026" in preview.text  # the last day of service
        assert counts(world) == before  # no order, number, invoice, event or version left
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/cancel", fields,
                       confirm_key(preview))  # fmt: skip
        assert done.headers["location"].endswith("?done=canceled")
        page = follow(browser, done)
        assert page.status_code == 200 and "The cancellation is scheduled." in page.text
        new_id = done.headers["location"].split("/")[-1].split("?")[0]
        current = api_subscription(world, sub.number)
        assert current["id"] == new_id
        assert current["status"] == "Scheduled for Cancellation"
        assert current["cancellationDate"] == "2026-05-15"
        order = order_of(world, new_id, sub.number)
        assert order["orderType"] == "Change" and order["status"] == "Activated"
        assert order["orderProducts"][0]["changeType"] == "Cancel"
        history = world.api.get(f"/orders/{order['id']}/history").json()["data"]
        scheduled = [e for e in history if e["action"] == "subscription.cancellation_scheduled"]
        assert scheduled and scheduled[0]["reason"] == "too_expensive: Budget cut"
        assert scheduled[0]["actorType"] == "customer"

    def test_on_a_date_credits_the_unused_time(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        fields = {"timing": "date", "date": "2025-06-10", "reason": "", "comment": ""}
        preview = browser.submit(f"/portal/subscriptions/{sub.id}/cancel/preview", fields)
        assert preview.status_code == 200, preview.text
        previewed = TOTAL.search(preview.text)
        assert previewed and "-" in previewed[1]  # a credit
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/cancel", fields,
                       confirm_key(preview))  # fmt: skip
        new_id = follow(browser, done).url.path.split("/")[-1]
        order = order_of(world, new_id, sub.number)
        (invoice,) = order["invoices"]
        assert invoice["amount"] < 0
        assert Decimal(str(invoice["amount"])) == _money(previewed[1])

    def test_undo_restores_the_subscription_and_voids_the_credit(
        self, world: World, sub: Sub
    ) -> None:
        browser = writer(world)
        fields = {"timing": "date", "date": "2025-06-10", "reason": "", "comment": ""}
        preview = browser.submit(f"/portal/subscriptions/{sub.id}/cancel/preview", fields)
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/cancel", fields,
                       confirm_key(preview))  # fmt: skip
        scheduled = follow(browser, done)
        canceled_id = scheduled.url.path.split("/")[-1]
        assert f"/portal/subscriptions/{canceled_id}/uncancel" in scheduled.text
        page = browser.get(f"/portal/subscriptions/{canceled_id}/uncancel")
        assert page.status_code == 200, page.text
        assert "Jun 10, 2025" in page.text  # the withdrawn cancellation's date
        before = counts(world)
        undone = confirm(browser, f"/portal/subscriptions/{canceled_id}/uncancel", {},
                         confirm_key(page))  # fmt: skip
        assert undone.headers["location"].endswith("?done=uncanceled")
        result = follow(browser, undone)
        assert "The cancellation was withdrawn" in result.text
        current = api_subscription(world, sub.number)
        assert current["status"] == "Active"
        assert current["cancellationDate"] is None
        assert current["endDate"] == "2026-05-14"
        assert counts(world) != before  # a new version and its events were written
        path = f"/portal/subscriptions/{canceled_id}/uncancel"
        again = confirm(browser, path, {}, confirm_key(page))  # a double submit
        assert again.headers["location"] == undone.headers["location"]
        fresh = f"/portal/subscriptions/{current['id']}/uncancel"
        assert confirm(browser, fresh, {}, str(uuid.uuid4())).status_code == 409  # nothing left

    def test_refuses_a_past_date_and_a_missing_required_reason(
        self, world: World, sub: Sub
    ) -> None:
        browser = writer(world)
        path = f"/portal/subscriptions/{sub.id}/cancel/preview"
        past = browser.submit(path, {"timing": "date", "date": "2025-05-31"})
        assert past.status_code == 422 and 'role="alert"' in past.text
        settings = {"cancellation": {"timing": ["endOfTerm"], "requireReason": True}}
        assert world.api.request("PUT", "/portal/settings", json=settings).status_code == 200
        missing = browser.submit(path, {"timing": "endOfTerm"})
        assert missing.status_code == 422 and "Choose a reason." in missing.text
        by_date = browser.submit(path, {"timing": "date", "date": "2025-07-01", "reason": "other"})
        assert by_date.status_code == 422


class TestQuantity:
    def test_live_preview_equals_the_invoice(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        form = browser.get(f"/portal/subscriptions/{sub.id}/quantity")
        assert form.status_code == 200
        assert 'hx-trigger="input changed delay:300ms"' in form.text
        assert 'aria-live="polite"' in form.text
        path = f"/portal/subscriptions/{sub.id}/quantity/preview"
        before = counts(world)
        live = browser.post(path, {"quantity": "15"}, headers={
            "HX-Request": "true", "X-CSRF-Token": browser.csrf()})  # fmt: skip
        assert live.status_code == 200, live.text
        assert "<html" not in live.text  # a fragment for the live region
        live_total = TOTAL.search(live.text)
        assert live_total
        assert counts(world) == before
        preview = browser.submit(path, {"quantity": "15"})
        assert preview.status_code == 200
        page_total = TOTAL.search(preview.text)
        assert page_total and page_total[1] == live_total[1]
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/quantity", {"quantity": "15"},
                       confirm_key(preview))  # fmt: skip
        page = follow(browser, done)
        assert "The quantity was changed." in page.text
        new_id = page.url.path.split("/")[-1]
        assert api_subscription(world, sub.number)["quantity"] == 15
        order = order_of(world, new_id, sub.number)
        assert order["orderProducts"][0]["quantity"] == 5  # the API's delta
        (invoice,) = order["invoices"]
        assert Decimal(str(invoice["amount"])) == _money(live_total[1]) > 0

    def test_live_preview_explains_a_wrong_number(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        path = f"/portal/subscriptions/{sub.id}/quantity/preview"
        headers = {"HX-Request": "true", "X-CSRF-Token": browser.csrf()}
        same = browser.post(path, {"quantity": "10"}, headers=headers)
        assert same.status_code == 200 and "different from the current" in same.text
        nojs = browser.submit(path, {"quantity": "0"})
        assert nojs.status_code == 422 and 'aria-invalid="true"' in nojs.text


class TestRenew:
    def test_renews_for_the_chosen_term(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        form = browser.get(f"/portal/subscriptions/{sub.id}/renew")
        assert form.status_code == 200 and 'name="term"' in form.text
        before = counts(world)
        preview = browser.submit(f"/portal/subscriptions/{sub.id}/renew/preview", {"term": "12"})
        assert preview.status_code == 200, preview.text
        assert "May 15, 2026" in preview.text and "May 14, 2027" in preview.text
        assert counts(world) == before
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/renew", {"term": "12"},
                       confirm_key(preview))  # fmt: skip
        page = follow(browser, done)
        assert "The subscription was renewed." in page.text
        current = api_subscription(world, sub.number)
        assert current["endDate"] == "2027-05-14" and current["term"] == 24


class TestAutoRenew:
    def test_turns_off_and_on(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        page = browser.get(f"/portal/subscriptions/{sub.id}/auto-renew")
        assert page.status_code == 200
        assert "will not renew" in page.text and "May 14, 2026" in page.text
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/auto-renew",
                       {"autoRenew": "off"}, confirm_key(page))  # fmt: skip
        assert "Automatic renewal was updated." in follow(browser, done).text
        assert api_subscription(world, sub.number)["autoRenew"] is False
        again = browser.get(f"/portal/subscriptions/{sub.id}/auto-renew")
        assert "will renew on May 15, 2026 for" in again.text
        on = confirm(browser, f"/portal/subscriptions/{sub.id}/auto-renew", {"autoRenew": "on"},
                     confirm_key(again))  # fmt: skip
        assert on.status_code == 303
        assert api_subscription(world, sub.number)["autoRenew"] is True
        events = world.api.get(f"/orders/{sub.order_id}/history").json()["data"]
        changed = [e for e in events if e["action"] == "subscription.auto_renew_changed"]
        assert len(changed) == 2


class TestRefusals:
    def test_a_double_submit_changes_once(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        preview = browser.submit(f"/portal/subscriptions/{sub.id}/quantity/preview",
                                 {"quantity": "12"})  # fmt: skip
        key = confirm_key(preview)
        first = confirm(browser, f"/portal/subscriptions/{sub.id}/quantity", {"quantity": "12"},
                        key)  # fmt: skip
        after_first = counts(world)
        second = confirm(browser, f"/portal/subscriptions/{sub.id}/quantity", {"quantity": "12"},
                         key)  # fmt: skip
        assert second.status_code == 303
        assert second.headers["location"] == first.headers["location"]
        assert counts(world) == after_first
        assert api_subscription(world, sub.number)["quantity"] == 12

    def test_a_read_session_cannot_act(self, world: World, sub: Sub) -> None:
        browser = open_portal(world, scopes=["read"])
        assert browser.get(f"/portal/subscriptions/{sub.id}/cancel").status_code == 403
        before = counts(world)
        for path, fields in [
            ("cancel/preview", {"timing": "endOfTerm"}),
            ("cancel", {"timing": "endOfTerm", "_key": "k1"}),
            ("quantity", {"quantity": "12", "_key": "k2"}),
            ("renew", {"term": "12", "_key": "k3"}),
            ("auto-renew", {"autoRenew": "off", "_key": "k4"}),
        ]:
            response = browser.submit(f"/portal/subscriptions/{sub.id}/{path}", fields)
            assert response.status_code == 403, path
        assert counts(world) == before
        page = browser.get(f"/portal/subscriptions/{sub.id}")
        assert page.status_code == 200 and "Manage this subscription" not in page.text

    def test_disabled_actions_are_neither_offered_nor_done(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        offered = browser.get(f"/portal/subscriptions/{sub.id}")
        for action in ("cancel", "quantity", "renew", "auto-renew"):
            assert f"/portal/subscriptions/{sub.id}/{action}" in offered.text
        settings = {"actions": {"cancel": False, "changeQuantity": False}}
        assert world.api.request("PUT", "/portal/settings", json=settings).status_code == 200
        page = browser.get(f"/portal/subscriptions/{sub.id}")
        assert f"/portal/subscriptions/{sub.id}/cancel" not in page.text
        assert f"/portal/subscriptions/{sub.id}/quantity" not in page.text
        assert f"/portal/subscriptions/{sub.id}/renew" in page.text
        assert browser.get(f"/portal/subscriptions/{sub.id}/cancel").status_code == 403
        before = counts(world)
        forced = browser.submit(f"/portal/subscriptions/{sub.id}/cancel",
                                {"timing": "endOfTerm", "_key": "forced"})  # fmt: skip
        assert forced.status_code == 403 and "<h1>" in forced.text
        assert counts(world) == before

    def test_a_state_that_does_not_allow_it_is_a_409(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        fields = {"timing": "endOfTerm"}
        preview = browser.submit(f"/portal/subscriptions/{sub.id}/cancel/preview", fields)
        done = confirm(browser, f"/portal/subscriptions/{sub.id}/cancel", fields,
                       confirm_key(preview))  # fmt: skip
        new_id = done.headers["location"].split("/")[-1].split("?")[0]
        assert browser.get(f"/portal/subscriptions/{new_id}/cancel").status_code == 409
        again = browser.submit(f"/portal/subscriptions/{new_id}/quantity",
                               {"quantity": "12", "_key": "late"})  # fmt: skip
        assert again.status_code == 409

    def test_csrf_is_required(self, world: World, sub: Sub) -> None:
        browser = writer(world)
        before = counts(world)
        response = browser.post(f"/portal/subscriptions/{sub.id}/quantity",
                                {"quantity": "12", "_key": "x"})  # fmt: skip
        assert response.status_code == 403
        assert counts(world) == before

    def test_another_customers_subscription_is_a_404(self, world: World, sub: Sub) -> None:
        browser = open_portal(world, [world.bob], scopes=["read", "write"])
        assert browser.get(f"/portal/subscriptions/{sub.id}/cancel").status_code == 404
        response = browser.submit(f"/portal/subscriptions/{sub.id}/renew",
                                  {"term": "12", "_key": "b"}, page="/portal")  # fmt: skip
        assert response.status_code == 404


def _money(text: str) -> Decimal:
    """``-$203.57`` or ``$111.77`` (the English page) as a number."""
    cleaned = text.replace("$", "").replace(",", "").replace("\u2212", "-").strip()
    return Decimal(cleaned)


def test_what_the_state_allows() -> None:
    """The pure rule: live subscriptions get the order's actions; a scheduled cancellation
    only its undo; an open-ended one cannot end "at the end of its term"."""
    from selfserve.assets.schemas import AssetRead
    from selfserve.portal.previews import possible_actions

    base = AssetRead(
        id="a", asset_type="Subscription", asset_number="SUB-1", status="Active",
        customer_id="c", product_id="p", product_name="P", quantity=1, start_date=None,
        end_date=None, term=None, renewal_term=None, auto_renew=True, billing_period="Month",
        currency="USD", list_price=Decimal(1), price=Decimal(1), total_price=Decimal(1),
        asset_version=1, last_versioned_asset_id=None, cancellation_date=None, order_id="o",
        order_product_id=None, product_category="RecurringServices", price_book_entry_id=None,
    )  # fmt: skip
    everything = frozenset({"change", "renew", "cancel"})
    assert possible_actions(base, everything, True, ["endOfTerm"]) == {"quantity"}
    assert possible_actions(base, everything, True, ["date"]) == {"quantity", "cancel"}
    scheduled = msgspec.structs.replace(base, status="Scheduled for Cancellation")
    assert possible_actions(scheduled, everything, True, ["date"]) == {"uncancel"}
    assert possible_actions(scheduled, everything, False, ["date"]) == frozenset()
    assert possible_actions(base, frozenset(), True, ["date"]) == frozenset()


def test_a_form_post_with_a_null_origin_works(world: World) -> None:
    """Browsers send ``Origin: null`` for form posts under ``Referrer-Policy: no-referrer``;
    the CSRF token protects those, and a foreign origin is still refused."""
    browser = writer(world)
    fields = {"_csrf": browser.csrf()}
    foreign = browser.post("/portal/logout", fields, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    signed_out = browser.post("/portal/logout", fields, headers={"Origin": "null"})
    assert signed_out.status_code == 303
