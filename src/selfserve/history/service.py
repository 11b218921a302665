"""Change events: the one writer (:func:`record`) and the read views.

Every state change in every service records its event through :func:`record`, in the same
transaction as the change, with the actor and the field diffs (:func:`diff`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from selfserve.auth.principal import Principal
from selfserve.db import Conn, Row
from selfserve.history import repository
from selfserve.history.schemas import FieldChange, HistoryEvent

_changes = msgspec.json.Decoder(list[FieldChange])
_encoder = msgspec.json.Encoder(decimal_format="number")


def event_from_row(conn: Conn, r: Row, offset: int = 0) -> HistoryEvent:
    """Build the wire view of a row laid out as ``history.repository.EVENT_COLUMNS``."""
    return HistoryEvent(
        id=conn.to_id(r[offset]),
        at=conn.to_ts(r[offset + 1]),
        action=r[offset + 2],
        entity_type=r[offset + 3],
        entity_id=conn.to_id(r[offset + 4]),
        asset_number=r[offset + 5],
        actor_type=r[offset + 6],
        actor_id=r[offset + 7],
        reason=r[offset + 8],
        changes=_changes.decode(r[offset + 9]),
    )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: an API key, a customer (token) or the system (a scheduled run)."""

    type: str  # api_key | customer | system
    id: str | None


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.actor_type, principal.subject)


SYSTEM = Actor("system", None)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """The fields whose value differs, as wire-ready ``{field, from, to}`` changes."""
    changes = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes.append(FieldChange(field=name, from_=_plain(old), to=_plain(new)))
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return str(value)
    return value


async def record(
    conn: Conn,
    *,
    tenant_id: str,
    customer_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    actor: Actor,
    at: datetime,
    changes: list[FieldChange],
    order_id: str | None = None,
    asset_number: str | None = None,
    reason: str | None = None,
) -> str:
    """The one way to write a change event; call it inside the writing transaction."""
    event_id = str(uuid.uuid4())
    await repository.insert_event(
        conn,
        {
            "id": event_id, "tenant_id": tenant_id, "customer_id": customer_id,
            "order_id": order_id, "asset_number": asset_number, "entity_type": entity_type,
            "entity_id": entity_id, "action": action, "actor_type": actor.type,
            "actor_id": actor.id, "reason": reason,
            "changes": _encoder.encode(changes).decode(), "at": at,
        },
    )  # fmt: skip
    return event_id
