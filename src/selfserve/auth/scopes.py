"""Scopes and the roles that bundle them.

Every route declares the one scope it needs (``opt={"scope": ...}``) or that it is public;
the app refuses to start when a route declares neither.
"""

from __future__ import annotations

from typing import Final

ORDERS_READ: Final = "orders:read"
ORDERS_WRITE: Final = "orders:write"
CUSTOMERS_READ: Final = "customers:read"
CUSTOMERS_WRITE: Final = "customers:write"
INVOICES_READ: Final = "invoices:read"
TOKENS_CREATE: Final = "tokens:create"
METRICS_READ: Final = "metrics:read"
PORTAL_MANAGE: Final = "portal:manage"

ALL_SCOPES: Final = frozenset(
    {
        ORDERS_READ,
        ORDERS_WRITE,
        CUSTOMERS_READ,
        CUSTOMERS_WRITE,
        INVOICES_READ,
        TOKENS_CREATE,
        PORTAL_MANAGE,
    }
)

ROLES: Final[dict[str, frozenset[str]]] = {
    "admin": ALL_SCOPES | {METRICS_READ},
    "integration": ALL_SCOPES,
    "read-only": frozenset({ORDERS_READ, CUSTOMERS_READ, INVOICES_READ}),
    "token-minter": frozenset({TOKENS_CREATE}),
}
"""Roles of API keys. ``admin`` equals ``integration`` over HTTP (key management is a
command-line task); ``token-minter`` suits a portal back end that only mints customer tokens."""

TOKEN_SCOPE_GRANTS: Final[dict[str, frozenset[str]]] = {
    "read": frozenset({ORDERS_READ, CUSTOMERS_READ, INVOICES_READ}),
    "write": frozenset({ORDERS_WRITE}),
}
"""What a customer token's ``read`` and ``write`` scopes allow, within its customers only."""
