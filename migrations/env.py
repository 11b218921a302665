"""Alembic environment: one code path for SQLite and PostgreSQL (through asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool
from sqlalchemy.ext.asyncio import create_async_engine

from selfserve.config import get_settings
from selfserve.db import sqlalchemy_url
from selfserve.models import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or sqlalchemy_url(get_settings().database_url)


def _for_dialect(dialect: str) -> Callable[..., bool]:
    """Leave out of comparisons the indexes declared for the other engine (``ddl_if``)."""

    def include_object(obj: Any, name: str | None, type_: str, *args: Any) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        return ddl_if is None or ddl_if.dialect in (None, dialect)

    return include_object


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=_for_dialect(connection.dialect.name),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif url.startswith("sqlite"):
    with create_engine(url, poolclass=pool.NullPool).connect() as sqlite_connection:
        _configure(sqlite_connection)
else:
    asyncio.run(_run_async())
