"""HTTP for customers."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from selfserve.auth.scopes import CUSTOMERS_READ, CUSTOMERS_WRITE
from selfserve.customers import creation, service
from selfserve.customers.schemas import (
    CustomerBatch,
    CustomerCreate,
    CustomerEnvelope,
    CustomerList,
    CustomersCreated,
)
from selfserve.deps import Caller, DbConn, Reading, WriteConn
from selfserve.errors import InvalidParameter
from selfserve.idempotency import respond
from selfserve.kit.body import decode
from selfserve.kit.http import json_response
from selfserve.kit.openapi import QueryDoc, documented
from selfserve.kit.pagination import decode_cursor
from selfserve.kit.query import integer, plain_params

_ALLOWED = {"limit", "cursor", "q"}


@get(
    "/customers",
    opt={"scope": CUSTOMERS_READ},
    summary="List customers",
    operation_class=documented(
        QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER),
        QueryDoc("cursor", "pagination.nextCursor of the previous page"),
        QueryDoc("q", "Search in name and accountNumber"),
    ),
)
async def list_customers(
    request: Request[Any, Any, Any], conn: DbConn, principal: Caller
) -> Response[CustomerList]:
    """The tenant's customers, oldest first, so a client can find customer ids."""
    params = plain_params(request.scope["query_string"], _ALLOWED)
    limit = integer("limit", params.get("limit", "100"), 1, 500)
    token = params.get("cursor")
    cursor = decode_cursor(token, service.CUSTOMER_SORT) if token else None
    search = params.get("q")
    if search is not None and not 1 <= len(search) <= 100:
        raise InvalidParameter("q", "q must be 1 to 100 characters.")
    result = await service.list_customers(
        conn, principal, limit=limit, cursor=cursor, search=search
    )
    return json_response(request, result)


@get("/customers/{customer_id:str}", opt={"scope": CUSTOMERS_READ}, summary="Get a customer")
async def get_customer(
    request: Request[Any, Any, Any], customer_id: FromPath[str], conn: DbConn, principal: Caller
) -> Response[CustomerEnvelope]:
    """One customer of the tenant; a customer token sees only its own. Otherwise: 404."""
    plain_params(request.scope["query_string"], set())
    return json_response(request, await service.get_customer(conn, principal, customer_id))


@post(
    "/customers",
    opt={"scope": CUSTOMERS_WRITE, "action": "customer.created"},
    summary="Create customers",
    operation_class=documented(body=CustomerBatch),
)
async def create_customers(
    request: Request[Any, Any, Any], tx: WriteConn, ctx: Reading
) -> Response[CustomersCreated]:
    """Create 1 to 200 customers (a JSON array, Nue's shape), all or nothing: any invalid
    item (400), unknown ``parentCustomerId`` (404) or taken ``accountNumber`` (409) fails the
    whole batch, naming the item (``[3].timeZone``), and nothing is written. The created
    customers come back in request order; ``accountNumber`` defaults to the next ``ACC-``
    number of the tenant."""
    plain_params(request.scope["query_string"], set())
    items = decode(await request.body(), list[CustomerCreate])
    created = await creation.create_customers(tx, ctx.principal, ctx.now, items)
    envelope = CustomersCreated(status="SUCCESS", data=created)
    return await respond(tx, request, envelope, status_code=201)


router = Router(
    path="/", route_handlers=[list_customers, get_customer, create_customers], tags=["Customers"]
)
