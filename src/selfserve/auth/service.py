"""Authentication and API key management. Never commits; never logs a secret."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from selfserve.auth import repository
from selfserve.auth.keys import hash_secret, new_key, parse_key, secret_matches
from selfserve.auth.principal import Principal
from selfserve.auth.scopes import ROLES
from selfserve.db import Conn
from selfserve.errors import InvalidParameter, NotAuthenticated

UNAUTHENTICATED_MESSAGE = (
    "Missing, unknown or revoked API key: send a valid key in the nue-api-key header."
)


async def authenticate_api_key(
    conn: Conn, presented: str | None, now: datetime | None = None
) -> Principal:
    """The principal behind a ``nue-api-key`` value; one identical 401 for every failure."""
    material = parse_key(presented) if presented else None
    row = await repository.key_with_tenant(conn, material.key_id) if material else None
    if material is None or row is None:
        raise NotAuthenticated(UNAUTHENTICATED_MESSAGE)
    tenant_id, secret_hash, role, revoked_at, expires_at, notice_days = row
    expired = expires_at is not None and conn.to_ts(expires_at) <= (now or datetime.now(UTC))
    if not secret_matches(material.secret, secret_hash) or revoked_at is not None or expired:
        raise NotAuthenticated(UNAUTHENTICATED_MESSAGE)
    return Principal(
        tenant_id=conn.to_id(tenant_id),
        kind="api_key",
        subject=material.key_id,
        role=role,
        scopes=ROLES.get(role, frozenset()),
        customer_ids=None,
        renewal_notice_days=notice_days,
    )


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: str
    key_id: str
    tenant: str
    tenant_id: str
    role: str


async def ensure_tenant(conn: Conn, slug: str, name: str, now: datetime) -> str:
    tenant_id = await repository.tenant_id_by_slug(conn, slug)
    if tenant_id is None:
        tenant_id = str(uuid.uuid4())
        await repository.insert_tenant(conn, tenant_id, slug, name, now)
    return tenant_id


async def create_key(
    conn: Conn, *, tenant: str, role: str, now: datetime, name: str = ""
) -> CreatedKey:
    """A new key for ``tenant`` (created when missing); the secret is shown only here."""
    if role not in ROLES:
        raise InvalidParameter(
            "role",
            f"role must be one of {', '.join(sorted(ROLES))}; got {role!r}.",
            allowed=sorted(ROLES),
        )
    tenant_id = await ensure_tenant(conn, tenant, tenant, now)
    created = await create_key_for_tenant(conn, tenant_id=tenant_id, role=role, name=name, now=now)
    return CreatedKey(created.key, created.key_id, tenant, tenant_id, role)


async def create_key_for_tenant(
    conn: Conn, *, tenant_id: str, role: str, name: str, now: datetime
) -> CreatedKey:
    material = new_key()
    await repository.insert_key(
        conn,
        {
            "id": str(uuid.uuid4()),
            "tenant_id": tenant_id,
            "key_id": material.key_id,
            "secret_hash": hash_secret(material.secret),
            "role": role,
            "name": name,
            "created_at": now,
        },
    )
    return CreatedKey(material.token, material.key_id, "", tenant_id, role)
