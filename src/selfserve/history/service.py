"""Views of change events. (Writes go through one function, added with the first writer.)"""

from __future__ import annotations

import msgspec

from selfserve.db import Conn, Row
from selfserve.history.schemas import FieldChange, HistoryEvent

_changes = msgspec.json.Decoder(list[FieldChange])


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
