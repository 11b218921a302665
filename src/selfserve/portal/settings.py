"""Each tenant's portal settings: stored as validated JSON, defaults when never set."""

from __future__ import annotations

from datetime import datetime

import msgspec

from selfserve.db import Conn
from selfserve.portal import repository
from selfserve.portal.schemas import PortalSettings

_encoder = msgspec.json.Encoder()


async def load(conn: Conn, tenant_id: str) -> PortalSettings:
    stored = await repository.settings(conn, tenant_id)
    if stored is None:
        return PortalSettings()
    return msgspec.json.decode(stored, type=PortalSettings)


async def store(conn: Conn, tenant_id: str, settings: PortalSettings, now: datetime) -> None:
    await repository.store_settings(conn, tenant_id, _encoder.encode(settings).decode(), now)
