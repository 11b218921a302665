"""Importing a catalog file (``selfserve catalog import``): products, prices and tax rates.

Two steps. :func:`parse_catalog` is pure: it decodes the JSON strictly and validates every
field, converting prices to micro-units and tax rates to hundredths of a percent exactly
(JSON numbers are decoded straight into ``Decimal`` from their text, never through a float),
and reports every problem with its JSON path. :func:`import_catalog` then upserts the result
inside the caller's transaction: products by SKU, price book entries by (product, currency,
price period), tax rates by country. A row that already says what the file says is left
alone, so importing the same file twice changes nothing the second time.

The format is documented in ``docs/catalog.md``; ``examples/catalog.json`` is a sample.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from selfserve.catalog import repository
from selfserve.db import Conn, insert_row
from selfserve.errors import ErrorDetail, SelfserveError
from selfserve.kit.money import PRICE_DECIMALS, SUPPORTED_CURRENCIES

MAX_PRICE = Decimal(10) ** 12  # major units; micro-units stay well inside a 64-bit integer
_AT = re.compile(r"^(.*?)(?: - at `(\$[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"(?:unknown|required) field `([^`]*)`")

Category = Literal["RecurringServices", "PhysicalGoods", "ProfessionalServices", "CustomerSupport"]
PricePeriod = Literal["Month", "Year", "OneTime"]


class PriceIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    currency: str
    price_period: PricePeriod
    list_price: Decimal
    active: bool = True


class ProductIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    sku: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,79}$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    product_category: Category
    description: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    price_book_entries: list[PriceIn] = msgspec.field(default_factory=list)


class TaxRateIn(msgspec.Struct, forbid_unknown_fields=True):
    country: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")]
    rate: Decimal


class CatalogFile(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    products: list[ProductIn] = msgspec.field(default_factory=list)
    tax_rates: list[TaxRateIn] = msgspec.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Price:
    currency: str
    price_period: str
    micros: int
    active: bool


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    description: str | None
    category: str
    prices: tuple[Price, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    """A validated catalog in storage units."""

    products: tuple[Product, ...]
    tax_rates: dict[str, int]  # country -> hundredths of a percent


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ImportReport:
    products: Counts = field(default_factory=Counts)
    price_book_entries: Counts = field(default_factory=Counts)
    tax_rates: Counts = field(default_factory=Counts)

    def as_json(self) -> dict[str, dict[str, int]]:
        return {
            "products": asdict(self.products),
            "priceBookEntries": asdict(self.price_book_entries),
            "taxRates": asdict(self.tax_rates),
        }

    def summary(self) -> str:
        return "; ".join(
            f"{name}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for name, c in zip(
                ("products", "prices", "tax rates"), self.as_json().values(), strict=True
            )
        )


class InvalidCatalog(SelfserveError):
    """The file is not a valid catalog; ``details`` names every problem by its JSON path."""

    error_code = "INVALID_CATALOG"

    def __init__(self, details: list[ErrorDetail]) -> None:
        lines = "\n".join(f"  {d.parameter}: {d.message}" for d in details)
        super().__init__(f"the catalog is invalid, nothing was imported:\n{lines}", details=details)


def _problem(path: str, message: str) -> ErrorDetail:
    return ErrorDetail(parameter=path, message=message)


def _decode(raw: bytes) -> CatalogFile:
    try:
        return msgspec.json.decode(raw, type=CatalogFile)
    except msgspec.ValidationError as exc:
        matched = _AT.match(str(exc))
        assert matched is not None  # the pattern matches any text
        message, path = matched[1], matched[2] or "$"
        name = _FIELD.search(message)
        raise InvalidCatalog([_problem(f"{path}.{name[1]}" if name else path, message)]) from None
    except msgspec.DecodeError as exc:
        raise InvalidCatalog([_problem("$", f"not valid JSON ({exc})")]) from None


def scaled(value: Decimal, decimals: int) -> int | None:
    """``value`` × 10^decimals when that is a whole number, else None. Exact integer
    arithmetic on the decimal digits: no float and no rounding to a context's precision."""
    if not value.is_finite():
        return None
    sign, digits, exponent = value.as_tuple()
    number = int("".join(map(str, digits)) or "0")
    shift = int(exponent) + decimals
    if number == 0:
        return 0
    if shift < 0 and number % 10**-shift:
        return None
    result = int(number * 10**shift if shift >= 0 else number // 10**-shift)
    return -result if sign else result


def _price(path: str, price: PriceIn, problems: list[ErrorDetail]) -> Price | None:
    if price.currency not in SUPPORTED_CURRENCIES:
        supported = ", ".join(sorted(SUPPORTED_CURRENCIES))
        message = f"{price.currency!r} is not a supported currency ({supported})"
        problems.append(_problem(f"{path}.currency", message))
    in_range = price.list_price.is_finite() and 0 <= price.list_price < MAX_PRICE
    micros = scaled(price.list_price, PRICE_DECIMALS) if in_range else None
    if micros is None:
        message = (
            f"must be a price from 0 to under {MAX_PRICE:,} in the major unit with at most "
            f"{PRICE_DECIMALS} decimals; got {price.list_price}"
        )
        problems.append(_problem(f"{path}.listPrice", message))
        return None
    return Price(price.currency, price.price_period, micros, price.active)


def _product(path: str, product: ProductIn, problems: list[ErrorDetail]) -> Product:
    if not product.name.strip():
        problems.append(_problem(f"{path}.name", "must not be blank"))
    prices: list[Price] = []
    seen: dict[tuple[str, str], str] = {}
    for j, entry in enumerate(product.price_book_entries):
        at = f"{path}.priceBookEntries[{j}]"
        first = seen.setdefault((entry.currency, entry.price_period), at)
        if first != at:
            repeated = f"repeats the {entry.currency} {entry.price_period} price of {first}"
            problems.append(_problem(at, repeated))
        price = _price(at, entry, problems)
        if price is not None:
            prices.append(price)
    category, description = product.product_category, product.description
    return Product(product.sku, product.name, description, category, tuple(prices))


def _tax_rates(rates: list[TaxRateIn], problems: list[ErrorDetail]) -> dict[str, int]:
    found: dict[str, int] = {}
    seen: set[str] = set()
    for i, rate in enumerate(rates):
        path = f"$.taxRates[{i}]"
        in_range = rate.rate.is_finite() and 0 <= rate.rate <= 100
        hundredths = scaled(rate.rate, 2) if in_range else None
        if rate.country in seen:
            problems.append(_problem(f"{path}.country", f"repeats {rate.country}"))
        elif hundredths is None:
            message = f"must be a percentage from 0 to 100 with at most 2 decimals; got {rate.rate}"
            problems.append(_problem(f"{path}.rate", message))
        else:
            found[rate.country] = hundredths
        seen.add(rate.country)
    return found


def parse_catalog(raw: bytes) -> Catalog:
    """The validated catalog of a JSON file; :class:`InvalidCatalog` lists every problem."""
    decoded = _decode(raw)
    problems: list[ErrorDetail] = []
    products: list[Product] = []
    skus: dict[str, str] = {}
    for i, item in enumerate(decoded.products):
        path = f"$.products[{i}]"
        first = skus.setdefault(item.sku, path)
        if first != path:
            problems.append(_problem(f"{path}.sku", f"repeats {item.sku!r} of {first}"))
        products.append(_product(path, item, problems))
    tax_rates = _tax_rates(decoded.tax_rates, problems)
    if problems:
        raise InvalidCatalog(problems)
    return Catalog(tuple(products), tax_rates)


async def import_catalog(
    conn: Conn, tenant_id: str, catalog: Catalog, now: datetime
) -> ImportReport:
    """Upsert the catalog into the tenant, inside the caller's transaction (never commits)."""
    report = ImportReport()
    ids = await _upsert_products(conn, tenant_id, catalog.products, now, report.products)
    await _upsert_prices(conn, tenant_id, catalog.products, ids, now, report.price_book_entries)
    await _upsert_tax_rates(conn, tenant_id, catalog.tax_rates, report.tax_rates)
    return report


async def _upsert_products(
    conn: Conn, tenant_id: str, products: tuple[Product, ...], now: datetime, counts: Counts
) -> dict[str, str]:
    """Each product's id by SKU, creating or updating the products that differ."""
    existing = {
        r[1]: r
        for r in await repository.products_by_sku(conn, tenant_id, [p.sku for p in products])
    }
    ids = {}
    for product in products:
        row = existing.get(product.sku)
        wanted = (product.name, product.description, product.category)
        if row is None:
            ids[product.sku] = str(uuid.uuid4())
            await insert_row(
                conn,
                "products",
                {
                    "id": ids[product.sku],
                    "tenant_id": tenant_id,
                    "sku": product.sku,
                    "name": product.name,
                    "description": product.description,
                    "product_category": product.category,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            counts.created += 1
            continue
        ids[product.sku] = conn.to_id(row[0])
        if tuple(row[2:5]) == wanted:
            counts.unchanged += 1
        else:
            await repository.update_product(conn, ids[product.sku], *wanted, now)
            counts.updated += 1
    return ids


async def _upsert_prices(
    conn: Conn,
    tenant_id: str,
    products: tuple[Product, ...],
    ids: dict[str, str],
    now: datetime,
    counts: Counts,
) -> None:
    existing: dict[tuple[str, str, str], Any] = {}
    for r in await repository.entries_by_key(conn, tenant_id, list(ids.values())):
        existing.setdefault((conn.to_id(r[1]), r[2], r[3]), r)  # the first is the one used
    for product in products:
        for price in product.prices:
            row = existing.get((ids[product.sku], price.currency, price.price_period))
            if row is None:
                await insert_row(
                    conn,
                    "price_book_entries",
                    {
                        "id": str(uuid.uuid4()),
                        "tenant_id": tenant_id,
                        "product_id": ids[product.sku],
                        "currency": price.currency,
                        "list_price": price.micros,
                        "price_period": price.price_period,
                        "active": price.active,
                        "created_at": now,
                    },
                )
                counts.created += 1
            elif (int(row[4]), bool(row[5])) == (price.micros, price.active):
                counts.unchanged += 1
            else:
                await repository.update_entry(conn, conn.to_id(row[0]), price.micros, price.active)
                counts.updated += 1


async def _upsert_tax_rates(
    conn: Conn, tenant_id: str, rates: dict[str, int], counts: Counts
) -> None:
    existing = {r[0]: int(r[1]) for r in await repository.tax_rates(conn, tenant_id)}
    for country, rate in rates.items():
        if country not in existing:
            await insert_row(
                conn, "tax_rates", {"tenant_id": tenant_id, "country": country, "rate": rate}
            )
            counts.created += 1
        elif existing[country] == rate:
            counts.unchanged += 1
        else:
            await repository.update_tax_rate(conn, tenant_id, country, rate)
            counts.updated += 1
