"""Human numbers never collide, even when many transactions take them at once."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from selfserve.db import Conn, create_database
from selfserve.numbering import format_number, next_number
from tests.fixtures import builders as b


def test_format() -> None:
    assert format_number("O", 1) == "O-00000001"
    assert format_number("SUB", 12345678) == "SUB-12345678"


def test_numbers_follow_each_other(conn: Conn, run: asyncio.Runner) -> None:
    async def go() -> list[str]:
        tenant_id = await b.tenant(conn)
        return [await next_number(conn, tenant_id, "INV") for _ in range(3)]

    assert run.run(go()) == ["INV-00000001", "INV-00000002", "INV-00000003"]


def test_concurrent_writers_never_share_a_number(db_url: str, run: asyncio.Runner) -> None:
    async def go() -> list[str]:
        db = create_database(db_url, pool_min=1, pool_max=12)
        await db.connect()
        try:
            async with db.write() as conn:
                tenant_id = await b.tenant(conn, f"seq-{uuid.uuid4().hex[:8]}")

            async def take() -> str:
                async with db.write() as conn:
                    number = await next_number(conn, tenant_id, "O")
                    await asyncio.sleep(0)  # let the others queue behind this transaction
                    return number

            return list(await asyncio.gather(*(take() for _ in range(20))))
        finally:
            await db.close()

    numbers = run.run(go())
    assert sorted(numbers) == [format_number("O", n) for n in range(1, 21)]


def test_unknown_tenant_has_no_sequence(conn: Conn, run: asyncio.Runner) -> None:
    with pytest.raises(LookupError):
        run.run(next_number(conn, str(uuid.uuid4()), "O"))
