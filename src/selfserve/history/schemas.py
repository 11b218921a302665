"""Wire contract of change events."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from selfserve.kit.schemas import Id, Instant, doc


class FieldChange(msgspec.Struct, rename={"from_": "from"}):
    """One field's value before and after a change."""

    field: Annotated[str, doc("Wire name of the changed field", "quantity")]
    from_: Annotated[Any, doc("Value before the change (null when created)", 5)]
    to: Annotated[Any, doc("Value after the change (null when removed)", 8)]


class HistoryEvent(msgspec.Struct, rename="camel"):
    """A change to the order or to one of the assets it touches."""

    id: Id
    at: Instant
    action: Annotated[
        str, doc("What happened, resource.past_tense", "subscription.quantity_changed")
    ]
    entity_type: Annotated[str, doc("order | asset | invoice", "asset")]
    entity_id: Id
    asset_number: Annotated[str | None, doc("For asset events", "SUB-00000001")]
    actor_type: Annotated[str, doc("api_key | customer | system", "api_key")]
    actor_id: Annotated[str | None, doc("Key id, customer id or job name", "9f2c1d0e4b5a6c7d")]
    reason: Annotated[str | None, doc("Why, when given", "Customer request")]
    changes: list[FieldChange]
