"""The authenticated caller, as every service sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Principal:
    """An API key of a tenant (``customer_ids is None``: every customer of the tenant), a
    customer token bound to a set of customers, or a portal session (its current customer)."""

    tenant_id: str
    kind: Literal["api_key", "customer_token", "portal_session"]
    subject: str
    role: str
    scopes: frozenset[str]
    customer_ids: frozenset[str] | None
    renewal_notice_days: int = 30

    @property
    def actor_type(self) -> str:
        return "api_key" if self.kind == "api_key" else "customer"

    def may(self, scope: str) -> bool:
        return scope in self.scopes
