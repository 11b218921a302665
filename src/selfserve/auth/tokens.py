"""Customer tokens: short-lived HS256 JWTs bound to a tenant, customers and scopes.

The signing keys come from configuration as ``kid:secret`` pairs. The first key signs; every
listed key verifies (chosen by the token's ``kid`` header), so rotating means putting a new
key first and removing the old one once its tokens have expired. Secrets never leave this
module: not in logs, errors or responses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

ISSUER = "selfserve"
ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32
TOKEN_SCOPES = frozenset({"read", "write"})


class SigningKeyError(ValueError):
    """The configured signing keys are unusable (the message never contains a secret)."""


@dataclass(frozen=True, slots=True)
class SigningKeys:
    current_kid: str
    secrets: dict[str, str]

    def __repr__(self) -> str:  # keeps secrets out of logs and tracebacks
        return f"SigningKeys(kids={list(self.secrets)})"


def parse_signing_keys(value: str) -> SigningKeys | None:
    """``"k2:secret2,k1:secret1"`` -> keys (k2 signs); empty -> None (tokens disabled)."""
    pairs: dict[str, str] = {}
    for index, item in enumerate(part.strip() for part in value.split(",") if part.strip()):
        kid, sep, secret = item.partition(":")
        if not sep or not kid or len(secret) < MIN_SECRET_LENGTH:
            raise SigningKeyError(
                f"signing key #{index + 1} must look like 'kid:secret' with a secret of at "
                f"least {MIN_SECRET_LENGTH} characters"
            )
        pairs[kid] = secret
    if not pairs:
        return None
    return SigningKeys(next(iter(pairs)), pairs)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    token_id: str
    tenant_id: str
    customer_ids: frozenset[str]
    scopes: frozenset[str]
    issued_at: datetime
    expires_at: datetime


def mint(
    keys: SigningKeys,
    *,
    tenant_id: str,
    customer_ids: list[str],
    scopes: list[str],
    now: datetime,
    ttl: timedelta,
) -> tuple[str, TokenClaims]:
    token_id = secrets.token_hex(12)
    expires = now + ttl
    payload = {
        "iss": ISSUER,
        "sub": f"tok_{token_id}",
        "jti": token_id,
        "tid": tenant_id,
        "cids": customer_ids,
        "scp": scopes,
        "iat": now.timestamp(),
        "exp": int(expires.timestamp()),
    }
    token = jwt.encode(
        payload, keys.secrets[keys.current_kid], algorithm=ALGORITHM,
        headers={"kid": keys.current_kid},
    )  # fmt: skip
    claims = TokenClaims(
        token_id,
        tenant_id,
        frozenset(customer_ids),
        frozenset(scopes),
        now,
        datetime.fromtimestamp(int(expires.timestamp()), UTC),
    )
    return token, claims


def verify(keys: SigningKeys, token: str, now: datetime) -> TokenClaims | None:
    """The claims of a genuine, unexpired token; None for anything else."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        secret = keys.secrets.get(kid) if isinstance(kid, str) else None
        if secret is None:
            return None
        payload: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
            options={"require": ["exp", "iat", "jti", "tid", "cids", "scp"], "verify_exp": False,
                     "verify_iat": False, "verify_nbf": False},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None
    return _claims(payload, now)


def _claims(payload: dict[str, Any], now: datetime) -> TokenClaims | None:
    expires = datetime.fromtimestamp(int(payload["exp"]), UTC)
    cids, scopes = payload["cids"], payload["scp"]
    if expires <= now or not isinstance(cids, list) or not isinstance(scopes, list):
        return None
    if not set(scopes) <= TOKEN_SCOPES or not all(isinstance(c, str) for c in cids):
        return None
    return TokenClaims(
        token_id=str(payload["jti"]),
        tenant_id=str(payload["tid"]),
        customer_ids=frozenset(cids),
        scopes=frozenset(scopes),
        issued_at=datetime.fromtimestamp(float(payload["iat"]), UTC),
        expires_at=expires,
    )
