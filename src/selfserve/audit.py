"""The audit log: one JSON line per write and per authentication or authorization failure.

Lines go to the ``selfserve.audit`` logger with time, request id, tenant, principal (a key id
or token subject, never a secret), action, target and outcome. They are written after the
response is sent, from what the request left in its ASGI scope.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from selfserve.auth.keys import parse_key

logger = logging.getLogger("selfserve.audit")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _principal(scope: Scope) -> tuple[str | None, str]:
    principal = scope.get("state", {}).get("principal")
    if principal is not None:
        prefix = "key" if principal.kind == "api_key" else "token"
        return principal.tenant_id, f"{prefix}:{principal.subject}"
    for name, value in scope.get("headers", []):
        if name == b"nue-api-key":
            material = parse_key(value.decode("latin-1"))
            return None, f"key:{material.key_id}" if material else "malformed-key"
        if name == b"authorization":
            return None, "bearer-token"
    return None, "anonymous"


def _action(scope: Scope) -> str:
    handler = scope.get("route_handler")
    opt = getattr(handler, "opt", {}) or {}
    if "action" in opt:
        return str(opt["action"])
    name = getattr(handler, "handler_name", None) or "unknown"
    return f"{scope.get('method', '')} {name}".strip()


def audit_line(scope: Scope, status: int) -> dict[str, Any]:
    tenant, principal = _principal(scope)
    params = scope.get("path_params") or {}
    outcome = "success" if status < 400 else ("denied" if status in (401, 403) else "failure")
    return {
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "requestId": scope.get("state", {}).get("request_id"),
        "tenant": tenant,
        "principal": principal,
        "action": _action(scope),
        "method": scope.get("method"),
        "path": scope.get("path"),
        "target": {k: str(v) for k, v in params.items()} or None,
        "outcome": outcome,
        "status": status,
    }


class AuditMiddleware:
    """Writes the audit line of every write and every 401/403, once the response is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            handler = scope.get("route_handler")
            reads_only = bool(getattr(handler, "opt", {}).get("read_only"))
            is_write = scope.get("method") not in SAFE_METHODS and not reads_only
            if is_write or status in (401, 403):
                logger.info(json.dumps(audit_line(scope, status), separators=(",", ":")))
