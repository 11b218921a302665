"""HTTP for subscriptions, physical assets and entitlements: declare inputs, call one service
function, encode the result."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.spec.enums import OpenAPIType

from selfserve.assets import service
from selfserve.assets.query import FILTER_FIELDS, SORT_KEYS, from_query_string
from selfserve.assets.schemas import AssetList, SubscriptionList
from selfserve.auth.scopes import ORDERS_READ
from selfserve.deps import Caller, DbConn, Reading
from selfserve.kit.http import json_response
from selfserve.kit.openapi import QueryDoc, documented

_LIST_DOCS = documented(
    QueryDoc(
        "customerIds",
        "JSON array (URL-encoded) or comma list of customer ids, at most 100. "
        "Required with an API key.",
        example='["3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"]',
    ),
    QueryDoc(
        "status",
        "Comma list, case-insensitive: Active, Pending, Scheduled for Cancellation "
        "(also scheduledForCancellation), Canceled, Ended, Expired",
        example="active,scheduled for cancellation",
    ),
    QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER, example=50),
    QueryDoc("cursor", "pagination.nextCursor of the previous page"),
    QueryDoc(
        "sort",
        f"One of {', '.join(SORT_KEYS)}, each optionally prefixed with '-' "
        "(default assetNumber); ties broken by id",
        example="endDate",
    ),
    QueryDoc(
        "<field><op><value>",
        "Date filters with operators = != > >= < <= on "
        f"{', '.join(FILTER_FIELDS)}; e.g. endDate<2026-01-01",
    ),
)


@get(
    "/subscriptions",
    opt={"scope": ORDERS_READ},
    operation_class=_LIST_DOCS,
    summary="List subscriptions",
)
async def list_subscriptions(
    request: Request[Any, Any, Any], conn: DbConn, ctx: Reading
) -> Response[SubscriptionList]:
    """The customers' subscriptions (``SUB-``) at their current version, by number.

    Each carries the asset fields, Nue's subscription names (``subscriptionStartDate``,
    ``subscriptionEndDate``, ``subscriptionTerm``, ``subscriptionVersion``, ...) and the
    ``actions`` this caller may take on it now (``uncancel`` while a cancellation is scheduled).
    """
    query = from_query_string(request.scope["query_string"])
    result = await service.list_subscriptions(conn, ctx.principal, query, ctx)
    return json_response(request, result)


@get("/assets", opt={"scope": ORDERS_READ}, operation_class=_LIST_DOCS, summary="List assets")
async def list_assets(
    request: Request[Any, Any, Any], conn: DbConn, principal: Caller
) -> Response[AssetList]:
    """The customers' physical assets (``AST-``) at their current version, by number."""
    query = from_query_string(request.scope["query_string"])
    return json_response(request, await service.list_assets(conn, principal, "Asset", query))


@get(
    "/entitlements",
    opt={"scope": ORDERS_READ},
    operation_class=_LIST_DOCS,
    summary="List entitlements",
)
async def list_entitlements(
    request: Request[Any, Any, Any], conn: DbConn, principal: Caller
) -> Response[AssetList]:
    """The customers' entitlements (``ENT-``) at their current version, by number."""
    query = from_query_string(request.scope["query_string"])
    result = await service.list_assets(conn, principal, "Entitlement", query)
    return json_response(request, result)


router = Router(
    path="/",
    route_handlers=[list_subscriptions, list_assets, list_entitlements],
    tags=["Subscriptions and assets"],
)
