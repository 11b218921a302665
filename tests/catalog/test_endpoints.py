"""GET /catalog/products over HTTP, on both databases."""

from __future__ import annotations

from typing import Any

import pytest

from tests.auth.test_customer_tokens import api, bearer, token_for
from tests.fixtures import builders as b
from tests.fixtures.world import World


@pytest.fixture
def catalog(world: World) -> dict[str, str]:
    """The world's product ("Product n") plus three named ones with prices; another tenant's."""
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    pro = run(b.product(conn, tenant, name="Pro plan", sku="PRO"))
    kit = run(
        b.product(conn, tenant, name="Camera kit", sku="CAM", product_category="PhysicalGoods")
    )
    help_desk = run(
        b.product(conn, tenant, name="Help desk", sku="HELP", product_category="CustomerSupport")
    )
    entries = {
        "pro_usd_month": run(b.price_book_entry(conn, tenant, pro, list_price=49_500000)),
        "pro_usd_year": run(
            b.price_book_entry(conn, tenant, pro, price_period="Year", list_price=495_000000)
        ),
        "pro_eur": run(b.price_book_entry(conn, tenant, pro, currency="EUR", list_price=45_125000)),
        "pro_jpy": run(
            b.price_book_entry(conn, tenant, pro, currency="JPY", list_price=5000_000000)
        ),
        "kit_usd": run(
            b.price_book_entry(
                conn, tenant, kit, price_period="OneTime", list_price=250_000000, active=False
            )
        ),
        "help_usd": run(b.price_book_entry(conn, tenant, help_desk, list_price=12_345600)),
    }
    other = run(b.tenant(conn, "other"))
    run(b.product(conn, other, name="Alien plan", sku="ALIEN"))
    return {"pro": pro, "kit": kit, "help": help_desk, **entries}


def names(world: World, query: str = "") -> list[str]:
    response = world.api.get("/catalog/products" + query)
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["data"]]


class TestProducts:
    def test_products_by_name_with_their_prices(
        self, world: World, catalog: dict[str, str]
    ) -> None:
        response = world.api.get("/catalog/products")
        body = response.json()
        assert [p["name"] for p in body["data"]][:3] == ["Camera kit", "Help desk", "Pro plan"]
        assert body["pagination"]["total"] == 4  # and never another tenant's product
        pro = next(p for p in body["data"] if p["id"] == catalog["pro"])
        assert pro["sku"] == "PRO" and pro["productCategory"] == "RecurringServices"
        assert [(e["currency"], e["pricePeriod"]) for e in pro["priceBookEntries"]] == [
            ("EUR", "Month"),
            ("JPY", "Month"),
            ("USD", "Month"),
            ("USD", "Year"),
        ]
        assert pro["priceBookEntries"][2]["id"] == catalog["pro_usd_month"]
        assert b'"listPrice":49.50' in response.content and b'"listPrice":5000,' in response.content
        assert b'"listPrice":45.125' in response.content  # sub-cent prices stay exact
        kit = next(p for p in body["data"] if p["id"] == catalog["kit"])
        assert kit["priceBookEntries"][0]["active"] is False
        plain = next(p for p in body["data"] if p["id"] == world.product)
        assert plain["priceBookEntries"] == []

    def test_currency_filter_narrows_products_and_prices(
        self, world: World, catalog: dict[str, str]
    ) -> None:
        body = world.api.get("/catalog/products?currency=eur").json()
        assert [p["id"] for p in body["data"]] == [catalog["pro"]]
        assert [e["id"] for e in body["data"][0]["priceBookEntries"]] == [catalog["pro_eur"]]
        assert names(world, "?currency=JPY,EUR") == ["Pro plan"]
        assert names(world, "?currency=USD") == ["Camera kit", "Help desk", "Pro plan"]

    def test_category_filter(self, world: World, catalog: dict[str, str]) -> None:
        assert names(world, "?productCategory=physicalgoods,CustomerSupport") == [
            "Camera kit",
            "Help desk",
        ]
        assert names(world, "?productCategory=RecurringServices&currency=USD") == ["Pro plan"]

    @pytest.mark.parametrize("sort", ["name", "-name", "sku", "-sku"])
    def test_walk_covers_every_product_once(
        self, world: World, catalog: dict[str, str], sort: str
    ) -> None:
        whole = names(world, f"?sort={sort}")
        seen: list[str] = []
        cursor = None
        for _ in range(10):
            query = f"?sort={sort}&limit=1" + (f"&cursor={cursor}" if cursor else "")
            page = world.api.get("/catalog/products" + query).json()
            assert page["pagination"]["total"] == 4
            seen += [p["name"] for p in page["data"]]
            cursor = page["pagination"]["nextCursor"]
            if cursor is None:
                break
        assert seen == whole and len(seen) == 4


class TestAccess:
    def test_a_customer_token_may_read_the_catalog(
        self, world: World, catalog: dict[str, str]
    ) -> None:
        client = api(world)
        token = token_for(world, world.alice, client=client)
        response = bearer(client, token, "/catalog/products")
        assert response.status_code == 200 and len(response.json()["data"]) == 4

    def test_needs_orders_read(self, world: World) -> None:
        minter = world.run.run(b.api_key(world.conn, "acme", role="token-minter"))
        response = world.api.get("/catalog/products", key=minter)
        assert response.status_code == 403 and "orders:read" in response.json()["message"]
        assert world.api.get("/catalog/products", key="").status_code == 401

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("currency=XXX", "currency"),
            ("productCategory=Hardware", "productCategory"),
            ("sort=price", "sort"),
            ("limit=0", "limit"),
            ("cursor=nope", "cursor"),
            ("customerIds=x", "customerIds"),
            ("currency=USD&currency=EUR", "currency"),
        ],
    )
    def test_bad_parameters_are_400s(self, world: World, query: str, parameter: str) -> None:
        response = world.api.get(f"/catalog/products?{query}")
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["parameter"] == parameter


@pytest.mark.parametrize("limit", [1, 3, 500])
def test_statement_count_does_not_grow_with_page_size(
    world: World, catalog: dict[str, Any], limit: int
) -> None:
    world.conn.statements.clear()
    assert world.api.get(f"/catalog/products?limit={limit}").status_code == 200
    assert len(world.conn.statements) == 3  # authentication, the page, its prices
