"""HTTP for the catalog: declare inputs, call one service function, encode the result."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.spec.enums import OpenAPIType

from selfserve.auth.scopes import ORDERS_READ
from selfserve.catalog import service
from selfserve.catalog.schemas import ProductList
from selfserve.deps import Caller, DbConn
from selfserve.kit.http import json_response
from selfserve.kit.openapi import QueryDoc, documented
from selfserve.kit.query import plain_params

_DOCS = documented(
    QueryDoc(
        "currency",
        "Comma list of ISO 4217 codes: only products priced in one of them, with only those "
        "prices embedded",
        example="USD",
    ),
    QueryDoc(
        "productCategory",
        "Comma list, case-insensitive: RecurringServices, PhysicalGoods, ProfessionalServices, "
        "CustomerSupport",
        example="RecurringServices",
    ),
    QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER, example=50),
    QueryDoc("cursor", "pagination.nextCursor of the previous page"),
    QueryDoc("sort", "name (default) or sku, each optionally prefixed with '-'; ties by id"),
)


@get(
    "/catalog/products",
    opt={"scope": ORDERS_READ},
    operation_class=_DOCS,
    summary="List catalog products",
)
async def list_products(
    request: Request[Any, Any, Any], conn: DbConn, principal: Caller
) -> Response[ProductList]:
    """The tenant's products with their price book entries (``priceBookEntries[]``), whose
    ids are the ``priceBookEntryId`` of order lines. Needs ``orders:read``: building an order
    starts from the catalog, so every caller that may read orders may read it."""
    query = service.product_query(plain_params(request.scope["query_string"], service.PARAMETERS))
    return json_response(request, await service.list_products(conn, principal, query))


router = Router(path="/", route_handlers=[list_products], tags=["Catalog"])
