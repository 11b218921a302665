"""API key material: ``ssk_<key id>_<secret>``; only SHA-256 of the secret is stored.

The secret is 256 random bits, so a fast hash is the right tool (a slow password hash only
protects low-entropy secrets) and the comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "ssk"
_SHAPE = re.compile(r"^ssk_([0-9a-f]{16})_([A-Za-z0-9_\-]{43})$")


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        return f"{PREFIX}_{self.key_id}_{self.secret}"


def new_key() -> KeyMaterial:
    return KeyMaterial(secrets.token_hex(8), secrets.token_urlsafe(32))


def parse_key(value: str) -> KeyMaterial | None:
    match = _SHAPE.match(value.strip())
    return KeyMaterial(match[1], match[2]) if match else None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
