"""'Last used' times of API keys, remembered in memory and written in batches.

Writing on every request would turn every read into a write; instead each worker remembers
the latest use per key and a background task writes them every ``usage_flush_seconds`` (and
once more at shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from selfserve.auth import repository
from selfserve.db import Database

logger = logging.getLogger("selfserve.auth")


class KeyUsage:
    def __init__(self) -> None:
        self._seen: dict[str, datetime] = {}

    def saw(self, key_id: str, at: datetime) -> None:
        self._seen[key_id] = at

    async def flush(self, db: Database) -> int:
        """Write what was seen since the last flush; returns how many keys were written."""
        if not self._seen:
            return 0
        seen, self._seen = self._seen, {}
        try:
            async with db.write() as conn:
                await repository.record_usage(conn, [(at, key) for key, at in seen.items()])
        except Exception:  # a lost 'last used' time must never fail a request or the loop
            logger.warning("could not record API key usage; will retry", exc_info=True)
            for key, at in seen.items():
                self._seen.setdefault(key, at)
            return 0
        return len(seen)

    async def run(self, db: Database, every: float) -> None:
        """Flush forever, every ``every`` seconds (cancelled at shutdown)."""
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):
                await self.flush(db)
