"""Idempotency-Key on every write (POST): a retry gets the first response back.

* The guard reserves ``(tenant, principal, key)`` in its own short transaction before the
  handler runs (:func:`reserve`); the reservation is visible to every worker at once, so a
  concurrent retry of a request still in flight gets 409 instead of running twice.
* The handler's transaction stores the response next to its own writes (:func:`respond`):
  either both commit or neither does, so a stored response always describes committed work.
* A request that fails before storing its response gives the key back (:class:`ReleaseMiddleware`)
  so that a retry runs again; nothing it wrote was committed.
* The same key with another body is a 422; a stored response is replayed for 24 hours with
  ``Idempotent-Replayed: true``. Keys are scoped to the caller: two keys' equal strings never
  meet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send

from selfserve.auth.principal import Principal
from selfserve.db import Conn, Lease, request_lease
from selfserve.errors import Conflict, InvalidParameter, SelfserveError
from selfserve.kit.http import encoder

HEADER = "idempotency-key"
REPLAY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Reservation:
    tenant_id: str
    principal: str
    key: str


class IdempotencyKeyReused(SelfserveError):
    status_code = 422
    error_code = "IDEMPOTENCY_KEY_REUSED"


class IdempotentReplay(Exception):
    """Carries the stored first response of a retried request."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__("idempotent replay")
        self.status_code, self.body = status_code, body


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def valid_key(value: str) -> str:
    if not 1 <= len(value) <= 255 or not value.isprintable() or not value.isascii():
        raise InvalidParameter(
            "Idempotency-Key", "Idempotency-Key must be 1 to 255 printable ASCII characters."
        )
    return value


async def reserve(
    lease: Lease, principal: Principal, key: str, request_hash: str, now: datetime
) -> Reservation:
    """Claim the key for this request, or raise: replay (done), 409 (in flight), 422 (reused)."""
    reservation = Reservation(principal.tenant_id, principal.subject, valid_key(key))
    async with lease.write() as conn:
        if await _claim(conn, reservation, request_hash, now):
            return reservation
        row = await _existing(conn, reservation)
        if row is not None and conn.to_ts(row[2]) < now - REPLAY_WINDOW:
            await _delete(conn, reservation)
            if await _claim(conn, reservation, request_hash, now):
                return reservation
    if row is None:  # given back by a failing first request a moment ago
        raise Conflict("Retry this request.", error_code="IDEMPOTENCY_IN_FLIGHT")
    stored_hash, status, _, body = row
    if stored_hash != request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request; use a new key."
        )
    if status is None:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry shortly.",
            error_code="IDEMPOTENCY_IN_FLIGHT",
            headers={"Retry-After": "1"},
        )
    raise IdempotentReplay(int(status), str(body).encode())


async def respond(
    tx: Conn, request: Request[Any, Any, Any], payload: Any, *, status_code: int = 200
) -> Response[Any]:
    """The write's response, stored for its Idempotency-Key in the same transaction."""
    body = encoder.encode(payload)
    await store(tx, request, status_code, body.decode())
    headers = {"Cache-Control": "no-store"}
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


async def store(tx: Conn, request: Request[Any, Any, Any], status_code: int, body: str) -> None:
    """Store a result for the request's reserved key (if any) in the same transaction as its
    writes: a JSON body, or for a page's form post the location it redirects to."""
    reservation: Reservation | None = request.scope.get("state", {}).get("idempotency")
    if reservation is None:
        return
    sql = tx.sql()
    await tx.execute(
        f"UPDATE idempotency_keys SET status_code = {sql.p(status_code)}, "
        f"response_body = {sql.p(body)} WHERE {_match(sql, reservation)}",
        sql.params,
    )
    request.scope["state"]["idempotency_stored"] = True


def replay_response(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, IdempotentReplay)
    headers = {"Idempotent-Replayed": "true", "Cache-Control": "no-store"}
    return Response(
        exc.body, status_code=exc.status_code, media_type="application/json", headers=headers
    )


class ReleaseMiddleware:
    """Gives the key back when the request ended without storing a response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            state = scope.get("state", {})
            reservation = state.get("idempotency")
            if reservation is not None and not state.get("idempotency_stored"):
                async with request_lease(scope).write() as conn:
                    await _delete(conn, reservation)


def _match(sql: Any, r: Reservation) -> str:
    return (
        f"tenant_id = {sql.p(r.tenant_id)} AND principal = {sql.p(r.principal)} "
        f"AND key = {sql.p(r.key)}"
    )


async def _claim(conn: Conn, r: Reservation, request_hash: str, now: datetime) -> bool:
    """Insert the reservation unless the key exists (a concurrent insert waits, then yields)."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, created_at) "
        f"VALUES ({sql.p(r.tenant_id)}, {sql.p(r.principal)}, {sql.p(r.key)}, "
        f"{sql.p(request_hash)}, {sql.p(now)}) "
        "ON CONFLICT (tenant_id, principal, key) DO NOTHING RETURNING key",
        sql.params,
    )
    return row is not None


async def _existing(conn: Conn, r: Reservation) -> Any:
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT request_hash, status_code, created_at, response_body FROM idempotency_keys "
        f"WHERE {_match(sql, r)}",
        sql.params,
    )


async def _delete(conn: Conn, r: Reservation) -> None:
    sql = conn.sql()
    await conn.execute(f"DELETE FROM idempotency_keys WHERE {_match(sql, r)}", sql.params)
