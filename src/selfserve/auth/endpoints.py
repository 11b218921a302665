"""HTTP for customer tokens."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post

from selfserve.auth import customer_tokens
from selfserve.auth.schemas import (
    CustomerTokenCreate,
    CustomerTokenEnvelope,
    RevokedEnvelope,
    RevokedRead,
    TokenRevoke,
)
from selfserve.auth.scopes import TOKENS_CREATE
from selfserve.deps import Caller, WriteConn
from selfserve.idempotency import respond
from selfserve.kit.body import decode
from selfserve.kit.openapi import documented


@post(
    "/auth/customer-tokens",
    opt={"scope": TOKENS_CREATE, "action": "customer_token.created"},
    summary="Mint a customer token",
    operation_class=documented(body=CustomerTokenCreate),
)
async def create_customer_token(
    request: Request[Any, Any, Any], tx: WriteConn, principal: Caller
) -> Response[CustomerTokenEnvelope]:
    """A short-lived token for a customer's browser (the self-service portal).

    It is bound to this tenant, to the given customers (with ``includeChildren``, also every
    customer below them), to ``read`` or ``read`` + ``write`` scopes, and expires after
    ``expiresInSeconds`` (default 900, at most 86400). Send it as ``Authorization: Bearer``.
    """
    state = request.app.state
    body = decode(await request.body(), CustomerTokenCreate)
    created = await customer_tokens.create_token(
        tx, principal, state.signing_keys, body,
        now=state.clock(), max_ttl=state.settings.token_max_ttl_seconds,
    )  # fmt: skip
    envelope = CustomerTokenEnvelope(status="SUCCESS", data=created)
    return await respond(tx, request, envelope, status_code=201)


@post(
    "/auth/customer-tokens/revoke",
    opt={"scope": TOKENS_CREATE, "action": "customer_token.revoked"},
    status_code=200,
    summary="Revoke customer tokens",
    operation_class=documented(body=TokenRevoke),
)
async def revoke_customer_tokens(
    request: Request[Any, Any, Any], tx: WriteConn, principal: Caller
) -> Response[RevokedEnvelope]:
    """Revoke one token (``tokenId``) or every token of a customer issued so far
    (``customerId``). Takes effect on the next request in every worker."""
    body = decode(await request.body(), TokenRevoke)
    what = await customer_tokens.revoke(tx, principal, body, request.app.state.clock())
    envelope = RevokedEnvelope(status="SUCCESS", data=RevokedRead(revoked=what))
    return await respond(tx, request, envelope)


router = Router(
    path="/", route_handlers=[create_customer_token, revoke_customer_tokens], tags=["Auth"]
)
