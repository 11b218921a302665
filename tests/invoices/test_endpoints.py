"""GET /invoices and GET /invoices/{id} over HTTP, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.auth.test_customer_tokens import api, bearer, token_for
from tests.fixtures import builders as b
from tests.fixtures.app import Api
from tests.fixtures.world import World, ids_param


def add_invoice(world: World, customer: str | None = None, **over: Any) -> str:
    return world.run.run(
        b.invoice(world.conn, world.tenant_id, customer or world.alice, world.orders[0], **over)
    )


@pytest.fixture
def invoices(world: World) -> dict[str, str]:
    """Alice (New York): overdue, paid, draft, due today; Bob (Tokyo, JPY): due on June 1st."""
    return {
        "overdue": add_invoice(world, invoice_date=date(2025, 1, 15), due_date=date(2025, 2, 14)),
        "paid": add_invoice(
            world,
            invoice_date=date(2025, 2, 15),
            due_date=date(2025, 3, 14),
            payment_status="Paid",
            balance=0,
        ),
        "draft": add_invoice(
            world, status="Draft", invoice_date=date(2025, 5, 15), due_date=date(2025, 5, 31)
        ),
        "due_today": add_invoice(
            world,
            invoice_date=date(2025, 5, 2),
            due_date=date(2025, 6, 1),
            payment_status="PartiallyPaid",
            balance=5000,
        ),
        "bob": add_invoice(
            world,
            world.bob,
            currency="JPY",
            invoice_date=date(2025, 5, 1),
            due_date=date(2025, 6, 1),
            amount_without_tax=5000,
            tax_amount=500,
            amount=5500,
            balance=5500,
        ),
    }


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["data"]]


class TestList:
    def test_newest_first_with_total(self, world: World, invoices: dict[str, str]) -> None:
        body = world.api.get(f"/invoices?customerIds={ids_param(world.alice)}").json()
        assert [i["id"] for i in body["data"]] == [
            invoices["draft"],
            invoices["due_today"],
            invoices["paid"],
            invoices["overdue"],
        ]
        assert body["pagination"] == {
            "limit": 100,
            "hasMore": False,
            "nextCursor": None,
            "total": 4,
        }
        first = body["data"][3]
        assert first["amount"] == 108.25 and first["isOverdue"] is True
        assert "invoiceLines" not in first

    def test_customer_id_is_nues_single_customer_form(
        self, world: World, invoices: dict[str, str]
    ) -> None:
        assert ids(world.api.get(f"/invoices?customerId={world.bob}")) == [invoices["bob"]]
        both = world.api.get(f"/invoices?customerId={world.bob}&customerIds={world.alice}")
        assert both.status_code == 400

    def test_status_and_payment_status(self, world: World, invoices: dict[str, str]) -> None:
        base = f"/invoices?customerIds={world.alice},{world.bob}&"
        assert ids(world.api.get(base + "status=draft")) == [invoices["draft"]]
        assert ids(world.api.get(base + "paymentStatus=paid,PARTIALLYPAID")) == [
            invoices["due_today"],
            invoices["paid"],
        ]
        assert ids(world.api.get(base + "status=active&paymentStatus=writtenoff")) == []

    def test_inline_date_and_amount_filters(self, world: World, invoices: dict[str, str]) -> None:
        base = f"/invoices?customerIds={world.alice},{world.bob}&"
        assert ids(world.api.get(base + "invoiceDate>=2025-05-01&dueDate<2025-06-01")) == [
            invoices["draft"]
        ]
        # Amounts compare in each invoice's own currency: 108.25 USD, 5500 JPY.
        assert ids(world.api.get(base + "amount>108.25")) == [invoices["bob"]]
        assert invoices["overdue"] in ids(world.api.get(base + "amount>=108.25"))
        assert ids(world.api.get(base + "balance=50&status=active")) == [invoices["due_today"]]
        assert ids(world.api.get(base + "balance<=0")) == [invoices["paid"]]

    def test_is_overdue(self, world: World, invoices: dict[str, str]) -> None:
        base = f"/invoices?customerIds={world.alice},{world.bob}&isOverdue="
        assert ids(world.api.get(base + "true")) == [invoices["overdue"]]
        assert invoices["overdue"] not in ids(world.api.get(base + "FALSE"))
        assert len(ids(world.api.get(base + "false"))) == 4

    def test_is_overdue_uses_each_customers_local_date(
        self, world: World, invoices: dict[str, str]
    ) -> None:
        # 2025-06-01T20:00Z is June 2nd in Tokyo but still June 1st in New York: Bob's invoice
        # due June 1st is overdue, Alice's is not.
        late = Api(world.conn, world.run, now=datetime(2025, 6, 1, 20, 0, tzinfo=UTC))
        late.key = world.key
        url = f"/invoices?customerIds={world.alice},{world.bob}&isOverdue=true"
        assert ids(late.get(url)) == [invoices["bob"], invoices["overdue"]]
        rendered = {i["id"]: i["isOverdue"] for i in late.get(url[: url.index("&")]).json()["data"]}
        assert rendered[invoices["bob"]] is True and rendered[invoices["due_today"]] is False

    def test_jpy_money_has_no_decimals(self, world: World, invoices: dict[str, str]) -> None:
        response = world.api.get(f"/invoices?customerIds={world.bob}")
        assert b'"amount":5500,' in response.content


class TestPagination:
    @pytest.mark.parametrize("sort", ["-invoiceDate", "invoiceDate"])
    def test_walk_covers_every_invoice_once(
        self, world: World, invoices: dict[str, str], sort: str
    ) -> None:
        url = f"/invoices?customerIds={world.alice},{world.bob}&sort={sort}"
        whole = ids(world.api.get(url))
        seen: list[str] = []
        cursor = None
        for _ in range(10):
            page = world.api.get(url + "&limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
            assert page["pagination"]["total"] == 5
            seen += [i["id"] for i in page["data"]]
            cursor = page["pagination"]["nextCursor"]
            if cursor is None:
                break
        assert seen == whole and len(seen) == 5

    def test_same_day_invoices_tie_on_id(self, world: World) -> None:
        made = {add_invoice(world, invoice_date=date(2025, 3, 1)) for _ in range(3)}
        url = f"/invoices?customerIds={world.alice}&limit=1"
        seen = []
        cursor = None
        for _ in range(5):
            page = world.api.get(url + (f"&cursor={cursor}" if cursor else "")).json()
            seen += [i["id"] for i in page["data"]]
            cursor = page["pagination"]["nextCursor"]
            if cursor is None:
                break
        assert set(seen) == made and seen == sorted(made, reverse=True)


class TestGetInvoice:
    def test_one_invoice_with_its_lines(self, world: World, invoices: dict[str, str]) -> None:
        conn, tenant, invoice = world.conn, world.tenant_id, invoices["overdue"]
        line = world.run.run(b.order_line(conn, tenant, world.orders[0], world.product))
        world.run.run(
            b.invoice_line(conn, tenant, invoice, line_number=2, amount=4000, tax_amount=330)
        )
        world.run.run(
            b.invoice_line(
                conn, tenant, invoice, amount=6000, tax_amount=495, order_product_id=line
            )
        )
        response = world.api.get(f"/invoices/{invoice}")
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["id"] == invoice and data["isOverdue"] is True
        lines = data["invoiceLines"]
        assert [(x["amount"], x["taxAmount"]) for x in lines] == [(60.0, 4.95), (40.0, 3.3)]
        assert lines[0]["orderProductId"] == line and lines[1]["orderProductId"] is None
        assert lines[0]["startDate"] == "2025-01-15" and lines[0]["description"]
        assert b'"amount":60.00' in response.content
        assert sum(x["amount"] for x in lines) == data["amountWithoutTax"]

    def test_an_invoice_without_lines(self, world: World, invoices: dict[str, str]) -> None:
        data = world.api.get(f"/invoices/{invoices['bob']}").json()["data"]
        assert data["invoiceLines"] == [] and data["currency"] == "JPY"

    def test_invisible_unknown_and_malformed_ids_are_the_same_404(
        self, world: World, invoices: dict[str, str]
    ) -> None:
        run, conn = world.run.run, world.conn
        stranger_tenant = run(b.tenant(conn, "third"))
        stranger = run(b.customer(conn, stranger_tenant))
        foreign = run(
            b.invoice(
                conn, stranger_tenant, stranger, run(b.order(conn, stranger_tenant, stranger))
            )
        )
        paths = [f"/invoices/{foreign}", f"/invoices/{b.new_id()}", "/invoices/not-a-uuid"]
        bodies = []
        for path in paths:
            response = world.api.get(path)
            assert response.status_code == 404, path
            body = response.json()
            assert body["errorCode"] == "INVOICE_NOT_FOUND" and foreign not in response.text
            bodies.append(body["message"])
        assert len(set(bodies)) == 1
        assert world.api.get(f"/invoices/{invoices['bob']}", key=world.other_key).status_code == 404

    def test_a_token_sees_only_its_customers_invoices(
        self, world: World, invoices: dict[str, str]
    ) -> None:
        client = api(world)
        token = token_for(world, world.alice, client=client)
        assert bearer(client, token, f"/invoices/{invoices['overdue']}").status_code == 200
        hidden = bearer(client, token, f"/invoices/{invoices['bob']}")
        assert hidden.status_code == 404 and world.bob not in hidden.text

    def test_takes_no_parameters(self, world: World, invoices: dict[str, str]) -> None:
        response = world.api.get(f"/invoices/{invoices['bob']}?includes=assets")
        assert response.status_code == 400
        assert response.json()["errorCode"] == "UNKNOWN_PARAMETER"


class TestAccessAndStrictness:
    def test_api_key_must_name_customers(self, world: World) -> None:
        response = world.api.get("/invoices")
        assert response.status_code == 400 and response.json()["errorCode"] == "MISSING_PARAMETER"

    def test_token_defaults_to_its_customers_and_cannot_name_others(
        self, world: World, invoices: dict[str, str]
    ) -> None:
        client = api(world)
        token = token_for(world, world.bob, client=client)
        assert ids(bearer(client, token, "/invoices")) == [invoices["bob"]]
        response = bearer(client, token, f"/invoices?customerIds={ids_param(world.alice)}")
        assert response.status_code == 403
        assert response.json()["errorCode"] == "CUSTOMER_NOT_ALLOWED"

    def test_read_only_key_may_list_but_token_minter_may_not(self, world: World) -> None:
        minter = world.run.run(b.api_key(world.conn, "acme", role="token-minter"))
        response = world.api.get(f"/invoices?customerIds={world.alice}", key=minter)
        assert response.status_code == 403 and response.json()["errorCode"] == "MISSING_SCOPE"

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("status=paid", "status"),
            ("paymentStatus=open", "paymentStatus"),
            ("isOverdue=yes", "isOverdue"),
            ("amount>1.0001", "amount"),
            ("amount>lots", "amount"),
            ("dueDate>=tomorrow", "dueDate"),
            ("currency=USD", "currency"),
            ("page=2", "page"),
            ("sort=dueDate", "sort"),
            ("limit=501", "limit"),
            ("isOverdue>true", "isOverdue"),
        ],
    )
    def test_bad_parameters_are_400s_naming_them(
        self, world: World, query: str, parameter: str
    ) -> None:
        response = world.api.get(f"/invoices?customerIds={world.alice}&{query}")
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["parameter"] == parameter

    def test_unknown_parameter_lists_the_allowed_ones(self, world: World) -> None:
        body = world.api.get(f"/invoices?customerIds={world.alice}&predicate=or").json()
        assert body["errorCode"] == "UNKNOWN_PARAMETER"
        allowed = set(body["details"][0]["allowed"])
        assert {"paymentStatus", "isOverdue", "amount", "balance", "invoiceDate"} <= allowed
