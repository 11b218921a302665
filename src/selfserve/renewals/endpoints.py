"""HTTP for renewals and subscription settings: declare inputs, call one service function,
encode the result."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, patch, post
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from selfserve.auth.scopes import ORDERS_READ, ORDERS_WRITE
from selfserve.deps import DbConn, Reading, WriteConn
from selfserve.idempotency import respond
from selfserve.kit.body import decode
from selfserve.kit.http import json_response
from selfserve.kit.openapi import QueryDoc, documented
from selfserve.kit.query import plain_params
from selfserve.renewals import service
from selfserve.renewals.query import DEFAULT_WITHIN_DAYS, MAX_WITHIN_DAYS, from_query_string
from selfserve.renewals.schemas import (
    RenewalList,
    SubscriptionPatch,
    SubscriptionPatchResult,
    SubscriptionUncancel,
)

_LIST_DOCS = documented(
    QueryDoc(
        "customerIds",
        "JSON array (URL-encoded) or comma list of customer ids, at most 100. "
        "Required with an API key.",
        example='["3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"]',
    ),
    QueryDoc(
        "withinDays",
        f"Terms ending from the customer's today to today + N days, 0-{MAX_WITHIN_DAYS} "
        f"(default {DEFAULT_WITHIN_DAYS})",
        OpenAPIType.INTEGER,
        example=60,
    ),
    QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER, example=50),
    QueryDoc("cursor", "pagination.nextCursor of the previous page"),
)


@get("/renewals", opt={"scope": ORDERS_READ}, operation_class=_LIST_DOCS, summary="Renewals")
async def list_renewals(
    request: Request[Any, Any, Any], conn: DbConn, ctx: Reading
) -> Response[RenewalList]:
    """The customers' Active and Pending subscriptions (current versions) whose term ends
    within ``withinDays`` of each customer's own today, the soonest first, each with
    ``autoRenew``, ``renewalTerm`` and the next term projected at the current price."""
    query = from_query_string(request.scope["query_string"])
    return json_response(request, await service.list_renewals(conn, ctx, query))


@patch(
    "/subscriptions/{subscription_id:str}",
    opt={"scope": ORDERS_WRITE, "action": "subscription.auto_renew_changed"},
    status_code=200,
    summary="Change a subscription's autoRenew",
    operation_class=documented(body=SubscriptionPatch),
)
async def update_subscription(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], tx: WriteConn, ctx: Reading
) -> Response[SubscriptionPatchResult]:
    """Turn automatic renewal on or off (``{"autoRenew": false}``). The id is the current
    version's (``id`` in ``GET /subscriptions``); the setting changes without a new version.
    As in Nue, ``data`` is an array holding the subscription."""
    plain_params(request.scope["query_string"], set())
    body = decode(await request.body(), SubscriptionPatch)
    result = await service.set_auto_renew(tx, ctx, subscription_id, body)
    return await respond(tx, request, result)


@post(
    "/subscriptions/{subscription_id:str}/uncancel",
    opt={"scope": ORDERS_WRITE, "action": "subscription.uncanceled"},
    status_code=200,
    summary="Undo a subscription's scheduled cancellation",
    operation_class=documented(body=SubscriptionUncancel, body_required=False),
)
async def uncancel_subscription(
    request: Request[Any, Any, Any], subscription_id: FromPath[str], tx: WriteConn, ctx: Reading
) -> Response[SubscriptionPatchResult]:
    """Keep a subscription whose cancellation is scheduled for a later day (the customer's
    calendar): the cancellation is withdrawn as a whole. Every subscription it scheduled gets
    a new version equal to the one before it (end date, status, ``autoRenew``); the credit
    for the prepaid time is voided, or reversed by a new invoice when it shares its invoice
    or was already settled; an order canceled with ``POST /orders/{id}/cancel`` loses its
    cancellation. The body is optional: ``{"reason": "..."}`` goes on the change events.
    As with ``PATCH``, ``data`` is an array: the restored subscriptions, this one first.
    From the cancellation date on the answer is a 409 ``CANCELLATION_IN_EFFECT``."""
    plain_params(request.scope["query_string"], set())
    body = decode(await request.body(), SubscriptionUncancel)
    result = await service.uncancel(tx, ctx, subscription_id, body)
    return await respond(tx, request, result)


router = Router(
    path="/",
    route_handlers=[list_renewals, update_subscription, uncancel_subscription],
    tags=["Renewals"],
)
