"""HTTP for customers."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from selfserve.auth.scopes import CUSTOMERS_READ
from selfserve.customers import service
from selfserve.customers.schemas import CustomerEnvelope, CustomerList
from selfserve.deps import Caller, DbConn
from selfserve.errors import InvalidParameter
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


router = Router(path="/", route_handlers=[list_customers, get_customer], tags=["Customers"])
