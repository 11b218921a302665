"""HTTP for orders: declare inputs, call one service function, encode the result."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from selfserve.auth.scopes import ORDERS_READ, ORDERS_WRITE
from selfserve.deps import DbConn, Reading, WriteConn
from selfserve.idempotency import respond
from selfserve.kit.body import decode
from selfserve.kit.http import encoded_response, json_response
from selfserve.kit.openapi import QueryDoc, documented
from selfserve.kit.pagination import decode_cursor
from selfserve.kit.query import integer, plain_params
from selfserve.orders import activation, cancellation, changes, drafts, invoicing, service
from selfserve.orders.query import (
    FILTER_FIELDS,
    SORT_KEYS,
    from_body,
    from_query_string,
    includes_of,
)
from selfserve.orders.schemas import (
    ChangeOrderCreate,
    DraftResult,
    DraftResultEnvelope,
    HistoryList,
    OrderActivate,
    OrderCancel,
    OrderCreate,
    OrderEnvelope,
    OrderList,
    OrderQueryBody,
    OrderResult,
    OrderResultEnvelope,
)

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
    return encoded_response(request, await service.list_orders_encoded(conn, ctx, query))


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
    return encoded_response(request, await service.list_orders_encoded(conn, ctx, query))


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
    includes = includes_of(params.get("includes"))
    body = await service.get_order_encoded(conn, ctx, order_id, includes)
    return encoded_response(request, body)


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


async def _result(tx: DbConn, ctx: Reading, order_id: str) -> OrderResultEnvelope:
    order = (await service.get_order(tx, ctx, order_id, frozenset({"assets", "invoices"}))).data
    result = OrderResult(order=order, assets=order.assets, invoices=order.invoices)
    return OrderResultEnvelope(status="SUCCESS", data=result)


@post(
    "/orders",
    opt={"scope": ORDERS_WRITE, "action": "order.created"},
    summary="Create a draft order",
    operation_class=documented(body=OrderCreate),
)
async def create_order(
    request: Request[Any, Any, Any], tx: WriteConn, ctx: Reading
) -> Response[DraftResultEnvelope]:
    """A priced Draft from the price book. ``options.previewInvoice`` returns, in
    ``data.invoices``, the first invoice as activation would issue it (nothing is saved);
    ``options.calculateTax`` applies the tenant's tax rate for the customer's country."""
    body = decode(await request.body(), OrderCreate)
    draft = await drafts.create_draft(tx, ctx, body)
    result = DraftResult(order=(await service.get_order(tx, ctx, draft.order_id, frozenset())).data)
    if body.options.preview_invoice:
        result.invoices = await invoicing.preview_order(tx, ctx.principal.tenant_id, draft)
    envelope = DraftResultEnvelope(status="SUCCESS", data=result)
    return await respond(tx, request, envelope, status_code=201)


@post(
    "/orders/{order_id:str}",
    opt={"scope": ORDERS_WRITE, "action": "order.activated"},
    status_code=200,
    summary="Activate a draft order",
    operation_class=documented(body=OrderActivate),
)
async def activate_order(
    request: Request[Any, Any, Any], order_id: FromPath[str], tx: WriteConn, ctx: Reading
) -> Response[OrderResultEnvelope]:
    """Activate a Draft (new or change order): subscriptions, assets and entitlements are
    created or versioned by product category, ``orderPlacedDate`` and ``activatedDate`` set,
    and with ``options.generateInvoice`` the first invoice issued (``activateInvoice``: as
    Active rather than Draft). Any other status is a 409."""
    body = decode(await request.body(), OrderActivate)
    activated = await activation.activate(tx, ctx, order_id, body.options)
    return await respond(tx, request, await _result(tx, ctx, activated.order_id))


@post(
    "/orders/{order_id:str}/cancel",
    opt={"scope": ORDERS_WRITE, "action": "order.canceled"},
    status_code=200,
    summary="Cancel an order",
    operation_class=documented(body=OrderCancel),
)
async def cancel_order(
    request: Request[Any, Any, Any], order_id: FromPath[str], tx: WriteConn, ctx: Reading
) -> Response[OrderResultEnvelope]:
    """Cancel a Draft, or end every live subscription of an Activated order on
    ``cancellationDate`` (customer-local; today or later) with credit for unused prepaid time.
    The order records ``canceledDate``, the reason and who canceled it."""
    body = decode(await request.body(), OrderCancel)
    canonical = await service.visible_order_id(tx, ctx.principal, order_id)
    await cancellation.cancel(tx, ctx, canonical, body)
    return await respond(tx, request, await _result(tx, ctx, canonical))


@post(
    "/change-orders",
    opt={"scope": ORDERS_WRITE, "action": "change_order.created"},
    summary="Create a draft change order",
    operation_class=documented(body=ChangeOrderCreate),
)
async def create_change_order(
    request: Request[Any, Any, Any], tx: WriteConn, ctx: Reading
) -> Response[DraftResultEnvelope]:
    """A Draft change order against existing subscriptions (Nue's ``assetChanges``:
    UpdateQuantity, UpdateTerm, Renew, CoTerm, Cancel, ConvertFreeTrial, Upgrade, Downgrade,
    Swap; several in one order). Amounts are prorated by day within the current billing
    period; reductions are negative lines (credits). Activate it with ``POST /orders/{id}``."""
    body = decode(await request.body(), ChangeOrderCreate)
    order_id = await changes.create_change_order(tx, ctx, body)
    result = DraftResult(order=(await service.get_order(tx, ctx, order_id, frozenset())).data)
    if body.options.preview_invoice:
        result.invoices = await invoicing.preview_of(tx, ctx.principal.tenant_id, order_id)
    envelope = DraftResultEnvelope(status="SUCCESS", data=result)
    return await respond(tx, request, envelope, status_code=201)


router = Router(
    path="/",
    route_handlers=[
        list_orders,
        query_orders,
        get_order,
        order_history,
        create_order,
        activate_order,
        cancel_order,
        create_change_order,
    ],
    tags=["Orders"],
)
