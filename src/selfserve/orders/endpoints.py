"""HTTP for orders: declare inputs, call one service function, encode the result."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from selfserve.auth.scopes import ORDERS_READ
from selfserve.deps import DbConn, Reading
from selfserve.kit.http import json_response
from selfserve.kit.openapi import QueryDoc, documented
from selfserve.kit.pagination import decode_cursor
from selfserve.kit.query import integer, plain_params
from selfserve.orders import service
from selfserve.orders.query import (
    FILTER_FIELDS,
    SORT_KEYS,
    from_body,
    from_query_string,
    includes_of,
)
from selfserve.orders.schemas import HistoryList, OrderEnvelope, OrderList, OrderQueryBody

_INCLUDES_DOC = QueryDoc(
    "includes", "Comma list of assets, invoices, history", example="assets,invoices"
)
_LIST_DOCS = documented(
    QueryDoc(
        "customerIds",
        "JSON array (URL-encoded) or comma list of customer ids, at most 100. "
        "Required with an API key.",
        example='["3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"]',
    ),
    _INCLUDES_DOC,
    QueryDoc(
        "status",
        "Comma list, case-insensitive: draft, active (= Activated), canceled",
        example="active",
    ),
    QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER, example=50),
    QueryDoc("cursor", "pagination.nextCursor of the previous page"),
    QueryDoc(
        "sort",
        f"One of {', '.join(SORT_KEYS)}, each optionally prefixed with '-' "
        "(default -createdDate); ties broken by id",
        example="-orderPlacedDate",
    ),
    QueryDoc("q", "Search in orderNumber and name (case-insensitive substring)"),
    QueryDoc(
        "renewalWithinDays",
        "Activated orders with a live subscription ending within N days (customer-local dates)",
        OpenAPIType.INTEGER,
        example=30,
    ),
    QueryDoc(
        "<field><op><value>",
        "Field filters with operators = != > >= < <= on "
        f"{', '.join(FILTER_FIELDS)}; e.g. orderPlacedDate>=2025-01-01, totalAmount>1000",
    ),
)


@get(
    "/orders",
    opt={"scope": ORDERS_READ},
    operation_class=_LIST_DOCS,
    summary="List orders",
)
async def list_orders(
    request: Request[Any, Any, Any], conn: DbConn, ctx: Reading
) -> Response[OrderList]:
    """A page of the customers' orders, newest first unless ``sort`` says otherwise.

    Nue's parameters (``customerIds``, ``includes``, ``status``) work unchanged; every other
    parameter is optional and strictly validated: an unknown name, field, operator or value
    is a 400 that lists what is allowed. Pages are keyset-paginated and stable under writes.
    """
    query = from_query_string(request.scope["query_string"])
    return json_response(request, await service.list_orders(conn, ctx, query))


@post(
    "/orders/query",
    opt={"scope": ORDERS_READ, "read_only": True},
    status_code=200,
    summary="Query orders",
    operation_class=documented(body=OrderQueryBody),
)
async def query_orders(
    request: Request[Any, Any, Any], conn: DbConn, ctx: Reading
) -> Response[OrderList]:
    """``GET /orders`` with its parameters as a JSON body, for long customer id lists.

    Field filters go in ``filters`` in their inline form, e.g. ``["totalAmount>1000"]``.
    """
    query = from_body(await request.body())
    return json_response(request, await service.list_orders(conn, ctx, query))


@get(
    "/orders/{order_id:str}",
    opt={"scope": ORDERS_READ},
    operation_class=documented(_INCLUDES_DOC),
    summary="Get an order",
)
async def get_order(
    request: Request[Any, Any, Any], order_id: FromPath[str], conn: DbConn, ctx: Reading
) -> Response[OrderEnvelope]:
    """One order with the same ``includes`` as the list. Unknown or invisible: 404."""
    params = plain_params(request.scope["query_string"], {"includes"})
    result = await service.get_order(conn, ctx, order_id, includes_of(params.get("includes")))
    return json_response(request, result)


@get(
    "/orders/{order_id:str}/history",
    opt={"scope": ORDERS_READ},
    operation_class=documented(
        QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER),
        QueryDoc("cursor", "pagination.nextCursor of the previous page"),
    ),
    summary="Order history",
)
async def order_history(
    request: Request[Any, Any, Any], order_id: FromPath[str], conn: DbConn, ctx: Reading
) -> Response[HistoryList]:
    """The change events of the order and of every asset it created or changed, oldest
    first, each with actor and field diffs (``from``, ``to``)."""
    params = plain_params(request.scope["query_string"], {"limit", "cursor"})
    limit = integer("limit", params.get("limit", "100"), 1, 500)
    cursor = decode_cursor(params["cursor"], service.HISTORY_SORT) if "cursor" in params else None
    after = (cursor.value, cursor.last_id) if cursor else None
    return json_response(request, await service.order_history(conn, ctx, order_id, limit, after))


router = Router(
    path="/", route_handlers=[list_orders, query_orders, get_order, order_history], tags=["Orders"]
)
