"""Portal sessions: minted by the business's back end, opened once from a link, then carried
by an HttpOnly cookie. Only hashes of the link code and the cookie secret are stored.

Never commits: the request owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from selfserve.auth import repository as auth_repository
from selfserve.auth.principal import Principal
from selfserve.auth.scopes import TOKEN_SCOPE_GRANTS
from selfserve.db import Conn
from selfserve.errors import InvalidParameter, ResourceNotFound
from selfserve.portal import repository
from selfserve.portal.schemas import PortalSessionCreate, PortalSessionRead, PortalSessionRevoked

LINK_TTL = timedelta(seconds=60)
COOKIE = "selfserve_portal"


@dataclass(frozen=True, slots=True)
class PortalSession:
    """An opened, live session as the portal's pages see it."""

    id: str
    tenant_id: str
    tenant_name: str
    customer_ids: tuple[str, ...]
    current_customer_id: str
    can_write: bool
    locale: str | None
    return_url: str | None
    csrf_token: str
    expires_at: datetime
    renewal_notice_days: int

    def principal(self) -> Principal:
        """The caller every service sees: this session, scoped to the current customer only."""
        scopes = {"read", "write"} if self.can_write else {"read"}
        return Principal(
            tenant_id=self.tenant_id,
            kind="portal_session",
            subject=f"ps_{self.id}",
            role="customer",
            scopes=frozenset().union(*(TOKEN_SCOPE_GRANTS[s] for s in scopes)),
            customer_ids=frozenset({self.current_customer_id}),
            renewal_notice_days=self.renewal_notice_days,
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create(
    conn: Conn, principal: Principal, body: PortalSessionCreate, *, now: datetime, base_url: str
) -> PortalSessionRead:
    """A session for customers of the caller's tenant and its single-use link."""
    if not 300 <= body.expires_in_seconds <= 86400:
        raise InvalidParameter("expiresInSeconds", "expiresInSeconds must be from 300 to 86400.")
    found = await auth_repository.customers_in_tenant(
        conn, principal.tenant_id, body.customer_ids, body.include_children
    )
    missing = [cid for cid in body.customer_ids if cid not in found]
    if missing:
        raise ResourceNotFound(
            f"customerIds[{body.customer_ids.index(missing[0])}] names a customer that was not "
            "found.",
            error_code="CUSTOMER_NOT_FOUND",
        )
    # The customers asked for first, in their order, then the children found below them.
    ordered = list(dict.fromkeys([*body.customer_ids, *sorted(found)]))
    code, session_id = secrets.token_urlsafe(32), str(uuid.uuid4())
    scopes = sorted(set(body.scopes) | {"read"})
    expires_at = now + timedelta(seconds=body.expires_in_seconds)
    await repository.insert_session(
        conn,
        {"id": session_id, "tenant_id": principal.tenant_id, "customer_ids": json.dumps(ordered),
         "scopes": " ".join(scopes), "locale": body.locale, "return_url": body.return_url,
         "launch_hash": _digest(code), "launch_expires_at": now + LINK_TTL,
         "expires_at": expires_at, "created_at": now, "created_by": principal.subject},
    )  # fmt: skip
    return PortalSessionRead(
        id=session_id, url=f"{base_url.rstrip('/')}/portal/launch/{code}",
        url_expires_at=now + LINK_TTL, expires_at=expires_at, customer_ids=ordered,
        scopes=scopes, locale=body.locale, return_url=body.return_url,
    )  # fmt: skip


async def launch(conn: Conn, code: str, now: datetime) -> str | None:
    """Open a link: the cookie secret for the session, or None when the link is used,
    expired, revoked or unknown (one answer for all four)."""
    secret = secrets.token_urlsafe(32)
    row = await repository.launch(
        conn, _digest(code), _digest(secret), secrets.token_urlsafe(24), now
    )
    if row is None:
        return None
    first = json.loads(row[1])[0]
    await repository.set_current_customer(conn, conn.to_id(row[0]), first)
    return secret


async def authenticate(conn: Conn, cookie: str | None, now: datetime) -> PortalSession | None:
    if not cookie or len(cookie) > 128:
        return None
    row = await repository.live_session(conn, _digest(cookie), now)
    if row is None:
        return None
    customers = tuple(json.loads(row[2]))
    current = conn.to_id(row[7]) if row[7] is not None else customers[0]
    return PortalSession(
        id=conn.to_id(row[0]), tenant_id=conn.to_id(row[1]), tenant_name=row[10],
        customer_ids=customers, current_customer_id=current, can_write="write" in row[3].split(),
        locale=row[4], return_url=row[5], csrf_token=row[6] or "",
        expires_at=conn.to_ts(row[8]), renewal_notice_days=row[9],
    )  # fmt: skip


async def switch_customer(conn: Conn, session: PortalSession, customer_id: str) -> None:
    if customer_id not in session.customer_ids:
        raise ResourceNotFound("This customer is not part of this session.")
    await repository.set_current_customer(conn, session.id, customer_id)


async def revoke(
    conn: Conn, principal: Principal, session_id: str, now: datetime
) -> PortalSessionRevoked:
    try:
        uuid.UUID(session_id)
    except ValueError:
        raise ResourceNotFound(
            "Portal session not found.", error_code="SESSION_NOT_FOUND"
        ) from None
    row = await repository.revoke(conn, principal.tenant_id, session_id, now)
    if row is None:
        raise ResourceNotFound("Portal session not found.", error_code="SESSION_NOT_FOUND")
    return PortalSessionRevoked(id=conn.to_id(row[0]), revoked_at=conn.to_ts(row[1]))


async def end(conn: Conn, session: PortalSession, now: datetime) -> None:
    """The customer signs out: the session is revoked, so the cookie is worthless."""
    await repository.revoke(conn, session.tenant_id, session.id, now)


async def demo_link(conn: Conn, customer_id: str, *, now: datetime) -> str:
    """A fresh read-write session of the demo customer; its launch path."""
    tenant_id = await repository.tenant_of_customer(conn, customer_id)
    if tenant_id is None:
        raise ResourceNotFound("Not found.")
    principal = Principal(
        tenant_id=tenant_id, kind="api_key", subject="demo", role="integration",
        scopes=frozenset(), customer_ids=None,
    )  # fmt: skip
    body = PortalSessionCreate(customer_ids=[customer_id], scopes=["read", "write"])
    created = await create(conn, principal, body, now=now, base_url="")
    return created.url
