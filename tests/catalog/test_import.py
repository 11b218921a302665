"""``selfserve catalog import``: parsing (pure), upserting (both databases), the command."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from selfserve.catalog.importer import (
    Catalog,
    ImportReport,
    InvalidCatalog,
    import_catalog,
    parse_catalog,
)
from selfserve.db import Conn
from tests.fixtures import builders as b
from tests.fixtures.app import NOW
from tests.fixtures.world import World
from tests.test_cli import selfserve

SAMPLE = Path(__file__).parents[2] / "examples" / "catalog.json"


def catalog(*products: dict[str, Any], tax_rates: list[Any] | None = None) -> bytes:
    return json.dumps({"products": list(products), "taxRates": tax_rates or []}).encode()


def product(sku: str = "P-1", **over: Any) -> dict[str, Any]:
    price = {"currency": "USD", "pricePeriod": "Month", "listPrice": "10.00"}
    return {"sku": sku, "name": "Plan", "productCategory": "RecurringServices",
            "priceBookEntries": [price]} | over  # fmt: skip


def price(value: Any, **over: Any) -> dict[str, Any]:
    return {"currency": "USD", "pricePeriod": "Month", "listPrice": value} | over


def problem_paths(raw: bytes) -> list[str | None]:
    with pytest.raises(InvalidCatalog) as caught:
        parse_catalog(raw)
    assert caught.value.details
    return [d.parameter for d in caught.value.details]


def load(run: asyncio.Runner, conn: Conn, tenant_id: str, parsed: Catalog) -> ImportReport:
    return run.run(import_catalog(conn, tenant_id, parsed, NOW))


def rows(run: asyncio.Runner, conn: Conn, tenant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the import writes, as comparable tuples."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    queries = {
        "products": "SELECT sku, name, description, product_category, updated_at FROM products "
        f"WHERE tenant_id = {tenant} ORDER BY sku",
        "prices": "SELECT p.sku, e.currency, e.price_period, e.list_price, e.active "
        "FROM price_book_entries e JOIN products p ON p.id = e.product_id "
        f"WHERE e.tenant_id = {tenant} ORDER BY 1, 2, 3",
        "taxes": f"SELECT country, rate FROM tax_rates WHERE tenant_id = {tenant} ORDER BY 1",
    }
    return {
        name: [tuple(r) for r in run.run(conn.fetch(query, sql.params))]
        for name, query in queries.items()
    }


class TestParse:
    def test_the_sample_file_is_valid(self) -> None:
        parsed = parse_catalog(SAMPLE.read_bytes())
        categories = {p.category for p in parsed.products}
        assert categories == {"RecurringServices", "PhysicalGoods", "ProfessionalServices",
                              "CustomerSupport"}  # fmt: skip
        prices = [x for p in parsed.products for x in p.prices]
        assert {x.currency for x in prices} >= {"USD", "EUR", "JPY", "KWD"}
        assert {x.price_period for x in prices} == {"Month", "Year", "OneTime"}

    @pytest.mark.parametrize(
        ("raw", "micros"),
        [('"0.0125"', 12_500), ("0.0125", 12_500), ('"49.00"', 49_000_000), ("49", 49_000_000),
         ("0.1", 100_000), ('"1E+3"', 1_000_000_000), ('"15.250"', 15_250_000), ("0", 0),
         ("0.000001", 1), ("999999999999.999999", 999_999_999_999_999_999)],
    )  # fmt: skip
    def test_prices_convert_exactly_to_micro_units(self, raw: str, micros: int) -> None:
        body = (
            b'{"products": [{"sku": "S", "name": "N", "productCategory": "PhysicalGoods", '
            b'"priceBookEntries": [{"currency": "USD", "pricePeriod": "OneTime", "listPrice": '
            + raw.encode()
            + b"}]}]}"
        )
        assert parse_catalog(body).products[0].prices[0].micros == micros

    @pytest.mark.parametrize(
        "value",
        ["0.0000001", "-1", -0.5, "abc", "NaN", "Infinity", "1000000000000", True, None,
         0.30000000000000004441, "1.0000000000000000000000000001"],
    )  # fmt: skip
    def test_a_bad_price_is_rejected_with_its_path(self, value: Any) -> None:
        raw = catalog(product("A"), product("B", priceBookEntries=[price("1"), price(value,
                      pricePeriod="Year")]))  # fmt: skip
        if isinstance(value, float):  # keep the literal's digits, not the float's
            raw = raw.replace(repr(value).encode(), b"0.30000000000000004441")
        assert problem_paths(raw) == ["$.products[1].priceBookEntries[1].listPrice"]

    def test_a_bad_currency_names_its_path(self) -> None:
        raw = catalog(product(priceBookEntries=[price("1"), price("2", currency="XXX")]))
        assert problem_paths(raw) == ["$.products[0].priceBookEntries[1].currency"]

    def test_tax_rates_are_exact_hundredths(self) -> None:
        rates = [{"country": "US", "rate": "8.25"}, {"country": "DE", "rate": 19},
                 {"country": "KW", "rate": 0}, {"country": "HU", "rate": 27.0}]  # fmt: skip
        assert parse_catalog(catalog(tax_rates=rates)).tax_rates == {
            "US": 825, "DE": 1900, "KW": 0, "HU": 2700,
        }  # fmt: skip
        for bad in ("8.255", "101", "-1"):
            raw = catalog(tax_rates=[{"country": "US", "rate": bad}])
            assert problem_paths(raw) == ["$.taxRates[0].rate"]
        assert problem_paths(catalog(tax_rates=[{"country": "us", "rate": 1}])) == [
            "$.taxRates[0].country"
        ]

    def test_every_problem_is_reported(self) -> None:
        raw = catalog(
            product("A", name=" "),
            product("A", priceBookEntries=[price("1"), price("2")]),
            tax_rates=[{"country": "US", "rate": 1}, {"country": "US", "rate": 2}],
        )
        assert problem_paths(raw) == [
            "$.products[0].name", "$.products[1].sku", "$.products[1].priceBookEntries[1]",
            "$.taxRates[1].country",
        ]  # fmt: skip

    @pytest.mark.parametrize(
        ("raw", "path"),
        [
            (catalog(product(colour="red")), "$.products[0].colour"),
            (catalog({"name": "No SKU", "productCategory": "PhysicalGoods"}), "$.products[0].sku"),
            (catalog(product(productCategory="Gadgets")), "$.products[0].productCategory"),
            (catalog(product(sku="has space")), "$.products[0].sku"),
            (catalog(product(priceBookEntries=[price("1", pricePeriod="Week")])),
             "$.products[0].priceBookEntries[0].pricePeriod"),
            (b'{"products": [], "prices": []}', "$.prices"),
            (b"[]", "$"),
            (b"{", "$"),
        ],
    )  # fmt: skip
    def test_the_format_is_strict(self, raw: bytes, path: str) -> None:
        assert problem_paths(raw) == [path]


class TestImport:
    def test_the_sample_imports(self, conn: Conn, run: asyncio.Runner) -> None:
        tenant = run.run(b.tenant(conn))
        report = load(run, conn, tenant, parse_catalog(SAMPLE.read_bytes()))
        assert report.as_json() == {
            "products": {"created": 5, "updated": 0, "unchanged": 0},
            "priceBookEntries": {"created": 21, "updated": 0, "unchanged": 0},
            "taxRates": {"created": 4, "updated": 0, "unchanged": 0},
        }
        written = rows(run, conn, tenant)
        prices = {(r[0], r[1], r[2]): (int(r[3]), bool(r[4])) for r in written["prices"]}
        assert prices["API-CALLS", "USD", "Month"] == (12_500, True)
        assert prices["PLAT-STD", "KWD", "Month"] == (15_250_000, True)
        assert prices["HW-GW100", "JPY", "OneTime"] == (119_900_000_000, True)
        assert prices["CS-PREMIUM", "USD", "Month"] == (160_000_000, False)
        assert written["taxes"] == [("DE", 1900), ("JP", 1000), ("KW", 0), ("US", 825)]

    def test_importing_twice_changes_nothing(self, conn: Conn, run: asyncio.Runner) -> None:
        tenant = run.run(b.tenant(conn))
        parsed = parse_catalog(SAMPLE.read_bytes())
        load(run, conn, tenant, parsed)
        before = rows(run, conn, tenant)
        again = run.run(import_catalog(conn, tenant, parsed, NOW.replace(year=2026)))
        assert again.as_json() == {
            "products": {"created": 0, "updated": 0, "unchanged": 5},
            "priceBookEntries": {"created": 0, "updated": 0, "unchanged": 21},
            "taxRates": {"created": 0, "updated": 0, "unchanged": 4},
        }
        assert rows(run, conn, tenant) == before

    def test_changes_update_in_place_and_leave_the_rest(
        self, conn: Conn, run: asyncio.Runner
    ) -> None:
        tenant = run.run(b.tenant(conn))
        load(run, conn, tenant, parse_catalog(catalog(
            product("A", priceBookEntries=[price("10"), price("100", pricePeriod="Year")]),
            product("B"), tax_rates=[{"country": "US", "rate": 8}],
        )))  # fmt: skip
        changed = [price("12.5"), price("9", currency="EUR")]
        report = load(run, conn, tenant, parse_catalog(catalog(
            product("A", name="Plan v2", priceBookEntries=changed),
            tax_rates=[{"country": "US", "rate": "8.5"}, {"country": "FR", "rate": 20}],
        )))  # fmt: skip
        assert report.as_json() == {
            "products": {"created": 0, "updated": 1, "unchanged": 0},
            "priceBookEntries": {"created": 1, "updated": 1, "unchanged": 0},
            "taxRates": {"created": 1, "updated": 1, "unchanged": 0},
        }
        written = rows(run, conn, tenant)
        assert [(r[0], r[1]) for r in written["products"]] == [("A", "Plan v2"), ("B", "Plan")]
        assert [(r[0], r[1], r[2], int(r[3])) for r in written["prices"]] == [
            ("A", "EUR", "Month", 9_000_000), ("A", "USD", "Month", 12_500_000),
            ("A", "USD", "Year", 100_000_000), ("B", "USD", "Month", 10_000_000),
        ]  # fmt: skip
        assert written["taxes"] == [("FR", 2000), ("US", 850)]

    def test_another_tenants_catalog_is_untouched(self, conn: Conn, run: asyncio.Runner) -> None:
        mine, theirs = run.run(b.tenant(conn)), run.run(b.tenant(conn))
        load(run, conn, theirs, parse_catalog(catalog(product("A"))))
        before = rows(run, conn, theirs)
        report = load(run, conn, mine, parse_catalog(catalog(product("A", name="Mine"))))
        assert report.products.created == 1 and rows(run, conn, theirs) == before

    def test_imported_prices_show_in_the_catalog(self, world: World) -> None:
        raw = catalog(
            product("CALLS", priceBookEntries=[price("0.0125"), price(0.5, currency="KWD")])
        )
        load(world.run, world.conn, world.tenant_id, parse_catalog(raw))
        listed = world.api.get("/catalog/products?sort=sku").json()["data"]
        calls = next(p for p in listed if p["sku"] == "CALLS")
        assert {(e["currency"], e["listPrice"]) for e in calls["priceBookEntries"]} == {
            ("USD", 0.0125), ("KWD", 0.5),
        }  # fmt: skip


class TestCommand:
    def test_import_twice_then_a_bad_file(self, db_url: str, tmp_path: Path) -> None:
        tenant = f"cat-{uuid.uuid4().hex[:8]}"
        made = selfserve(db_url, "keys", "create", "--tenant", tenant, "--role", "admin")
        assert made.returncode == 0, made.stderr
        first = selfserve(db_url, "catalog", "import", str(SAMPLE), "--tenant", tenant, "--json")
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["priceBookEntries"]["created"] == 21
        second = selfserve(db_url, "catalog", "import", str(SAMPLE), "--tenant", tenant)
        assert second.returncode == 0, second.stderr
        assert "products: 0 created, 0 updated, 5 unchanged" in second.stdout
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"products": [product("NEW"), product(
            "PLAT-STD", priceBookEntries=[price("1.0000001")])]}))  # fmt: skip
        refused = selfserve(db_url, "catalog", "import", str(bad), "--tenant", tenant)
        assert refused.returncode == 1
        assert "$.products[1].priceBookEntries[0].listPrice" in refused.stderr
        bad.write_text(json.dumps({"products": [product("NEW")]}))  # now valid: NEW is new
        third = selfserve(db_url, "catalog", "import", str(bad), "--tenant", tenant, "--json")
        assert json.loads(third.stdout)["products"] == {"created": 1, "updated": 0, "unchanged": 0}

    def test_unknown_tenant_and_missing_file(self, db_url: str, tmp_path: Path) -> None:
        unknown = selfserve(db_url, "catalog", "import", str(SAMPLE), "--tenant", "nobody-here")
        assert unknown.returncode == 1 and "no tenant 'nobody-here'" in unknown.stderr
        missing = selfserve(db_url, "catalog", "import", str(tmp_path / "none.json"))
        assert missing.returncode == 1 and "cannot read" in missing.stderr
