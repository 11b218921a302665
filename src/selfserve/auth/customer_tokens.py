"""Customer tokens for the portal: minting, verifying and revoking. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from selfserve.auth import repository
from selfserve.auth.principal import Principal
from selfserve.auth.schemas import CustomerTokenCreate, CustomerTokenRead, TokenRevoke
from selfserve.auth.scopes import TOKEN_SCOPE_GRANTS
from selfserve.auth.tokens import SigningKeys, mint, verify
from selfserve.db import Conn
from selfserve.errors import InvalidParameter, NotAuthenticated, ResourceNotFound, SelfserveError

TOKEN_MESSAGE = "Missing, expired, revoked or invalid customer token."  # noqa: S105


class TokensNotConfigured(SelfserveError):
    status_code = 503
    error_code = "TOKENS_NOT_CONFIGURED"

    def __init__(self) -> None:
        super().__init__(
            "Customer tokens are not configured on this server (SELFSERVE_TOKEN_SIGNING_KEYS)."
        )


async def authenticate_token(
    conn: Conn, keys: SigningKeys | None, token: str, now: datetime
) -> Principal:
    """The principal of a genuine, unexpired, unrevoked token; one identical 401 otherwise."""
    claims = verify(keys, token, now) if keys is not None else None
    if claims is None:
        raise NotAuthenticated(TOKEN_MESSAGE, error_code="INVALID_TOKEN")
    state = await repository.token_state(
        conn, claims.tenant_id, claims.token_id, sorted(claims.customer_ids), claims.issued_at
    )
    if state is None or state[1]:
        raise NotAuthenticated(TOKEN_MESSAGE, error_code="INVALID_TOKEN")
    scopes: frozenset[str] = frozenset().union(*(TOKEN_SCOPE_GRANTS[s] for s in claims.scopes))
    return Principal(
        tenant_id=claims.tenant_id,
        kind="customer_token",
        subject=f"tok_{claims.token_id}",
        role="customer",
        scopes=scopes,
        customer_ids=claims.customer_ids,
        renewal_notice_days=state[0],
    )


async def create_token(
    conn: Conn,
    principal: Principal,
    keys: SigningKeys | None,
    body: CustomerTokenCreate,
    *,
    now: datetime,
    max_ttl: int,
) -> CustomerTokenRead:
    """Mint a token for customers of the caller's tenant (optionally with their children)."""
    if keys is None:
        raise TokensNotConfigured()
    if not 60 <= body.expires_in_seconds <= max_ttl:
        raise InvalidParameter(
            "expiresInSeconds", f"expiresInSeconds must be from 60 to {max_ttl}."
        )
    found = await repository.customers_in_tenant(
        conn, principal.tenant_id, body.customer_ids, body.include_children
    )
    missing = [cid for cid in body.customer_ids if cid not in found]
    if missing:
        raise ResourceNotFound(
            f"customerIds[{body.customer_ids.index(missing[0])}] names a customer that was not "
            "found.",
            error_code="CUSTOMER_NOT_FOUND",
        )
    ids = sorted(set(found))
    scopes: list[str] = sorted(set(body.scopes))
    token, claims = mint(
        keys, tenant_id=principal.tenant_id, customer_ids=ids, scopes=scopes, now=now,
        ttl=timedelta(seconds=body.expires_in_seconds),
    )  # fmt: skip
    return CustomerTokenRead(
        token=token, token_id=claims.token_id, expires_at=claims.expires_at,
        customer_ids=ids, scopes=scopes,
    )  # fmt: skip


async def revoke(conn: Conn, principal: Principal, body: TokenRevoke, now: datetime) -> str:
    """Revoke one token (by id) or every token of a customer issued until now."""
    if (body.token_id is None) == (body.customer_id is None):
        raise InvalidParameter("tokenId", "Give exactly one of tokenId or customerId.")
    if body.customer_id is not None:
        found = await repository.customers_in_tenant(
            conn, principal.tenant_id, [body.customer_id], False
        )
        if not found:
            raise ResourceNotFound(
                "customerId names a customer that was not found.", error_code="CUSTOMER_NOT_FOUND"
            )
    await repository.insert_revocation(
        conn,
        {"id": str(uuid.uuid4()), "tenant_id": principal.tenant_id, "token_id": body.token_id,
         "customer_id": body.customer_id, "revoked_at": now, "revoked_by": principal.subject},
    )  # fmt: skip
    return "token" if body.token_id is not None else "customer"
