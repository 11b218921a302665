"""Reading the catalog: products with their price book entries embedded. Never commits.

A request runs the page of products (with its total) and one statement for the page's
price book entries, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from selfserve.auth.principal import Principal
from selfserve.catalog import repository
from selfserve.catalog.schemas import PriceBookEntryRead, ProductList, ProductRead
from selfserve.db import Conn, Row
from selfserve.kit import query as q
from selfserve.kit.money import SUPPORTED_CURRENCIES, price_to_decimal
from selfserve.kit.pagination import (
    Cursor,
    Pagination,
    Sort,
    SortKey,
    decode_cursor,
    encode_cursor,
    parse_sort,
)

PARAMETERS = {"currency", "productCategory", "limit", "cursor", "sort"}
CATEGORIES = {
    c.lower(): c
    for c in ("RecurringServices", "PhysicalGoods", "ProfessionalServices", "CustomerSupport")
}
CURRENCIES = {c.lower(): c for c in SUPPORTED_CURRENCIES}
# Sort columns share their names with ProductRead's attributes (the cursor value's source).
SORT_KEYS = {k.name: k for k in (SortKey("name", "name", "text"), SortKey("sku", "sku", "text"))}
DEFAULT_SORT = "name"


@dataclass(frozen=True, slots=True)
class ProductQuery:
    categories: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    limit: int = 100
    sort: Sort = field(default_factory=lambda: parse_sort(DEFAULT_SORT, SORT_KEYS))
    cursor: Cursor | None = None


def product_query(params: Mapping[str, str]) -> ProductQuery:
    """The typed query of ``GET /catalog/products``; a value outside the lists is a 400."""
    category, currency, cursor = (
        params.get("productCategory"),
        params.get("currency"),
        params.get("cursor"),
    )
    sort = parse_sort(params.get("sort") or DEFAULT_SORT, SORT_KEYS)
    return ProductQuery(
        categories=q.csv_of("productCategory", category, CATEGORIES) if category else [],
        currencies=q.csv_of("currency", currency, CURRENCIES) if currency else [],
        limit=q.integer("limit", params.get("limit", "100"), 1, 500),
        sort=sort,
        cursor=decode_cursor(cursor, sort) if cursor else None,
    )


def entry_from_row(conn: Conn, r: Row) -> PriceBookEntryRead:
    """A row laid out as ``catalog.repository.ENTRY_COLUMNS`` (product_id first)."""
    return PriceBookEntryRead(
        id=conn.to_id(r[1]),
        currency=r[2],
        list_price=price_to_decimal(r[3], r[2]),
        price_period=r[4],
        active=bool(r[5]),
    )


def product_from_row(conn: Conn, r: Row, entries: list[PriceBookEntryRead]) -> ProductRead:
    """A row laid out as ``catalog.repository.PRODUCT_COLUMNS``."""
    return ProductRead(
        id=conn.to_id(r[0]),
        sku=r[1],
        name=r[2],
        description=r[3],
        product_category=r[4],
        created_date=conn.to_ts(r[5]),
        last_modified_date=conn.to_ts(r[6]),
        price_book_entries=entries,
    )


async def list_products(conn: Conn, principal: Principal, query: ProductQuery) -> ProductList:
    """The tenant's products, by name unless ``sort`` says otherwise, each with its prices
    (only those in the ``currency`` filter's currencies when it is given)."""
    rows, has_more, total = await _page(conn, principal.tenant_id, query)
    entries = await _entries(conn, principal.tenant_id, rows, query.currencies)
    products = [product_from_row(conn, r, entries.get(r[0], [])) for r in rows]
    pagination = _pagination(query, products, has_more, total)
    return ProductList(status="SUCCESS", data=products, pagination=pagination)


async def _page(conn: Conn, tenant_id: str, query: ProductQuery) -> tuple[list[Row], bool, int]:
    categories, currencies = query.categories, query.currencies
    rows, total = await repository.list_products(
        conn, tenant_id, categories=categories, currencies=currencies, sort=query.sort,
        limit=query.limit, cursor=query.cursor,
    )  # fmt: skip
    if total is None:  # an empty page: only a continued one can have matches before it
        total = (
            await repository.count_products(
                conn, tenant_id, categories=categories, currencies=currencies
            )
            if query.cursor
            else 0
        )
    return rows[: query.limit], len(rows) > query.limit, total


async def _entries(
    conn: Conn, tenant_id: str, rows: list[Row], currencies: list[str]
) -> dict[Any, list[PriceBookEntryRead]]:
    """The page's price book entries, grouped by product id (one statement)."""
    grouped: dict[Any, list[PriceBookEntryRead]] = {}
    if rows:
        found = await repository.entries_for(conn, tenant_id, [r[0] for r in rows], currencies)
        for e in found:
            grouped.setdefault(e[0], []).append(entry_from_row(conn, e))
    return grouped


def _pagination(
    query: ProductQuery, products: list[ProductRead], has_more: bool, total: int
) -> Pagination:
    next_cursor = None
    if has_more:
        last = products[-1]
        next_cursor = encode_cursor(query.sort, getattr(last, query.sort.key.column), last.id)
    return Pagination(limit=query.limit, has_more=has_more, next_cursor=next_cursor, total=total)
