"""Test wiring: every database test runs on SQLite and on PostgreSQL.

``CI=true`` turns a missing PostgreSQL server from a skip into a failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from selfserve.db import Conn
from tests.fixtures.database import (
    create_pg_database,
    create_sqlite_database,
    drop_pg_database,
    pg_available,
    rolled_back,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def event_loop_runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return create_sqlite_database(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_url(event_loop_runner: asyncio.Runner) -> Iterator[str]:
    if not event_loop_runner.run(pg_available()):
        if IN_CI:
            pytest.fail("PostgreSQL is not reachable and CI=true: PostgreSQL tests must run")
        pytest.skip("PostgreSQL is not reachable at SELFSERVE_TEST_PG_URL")
    url = event_loop_runner.run(create_pg_database())
    yield url
    event_loop_runner.run(drop_pg_database(url))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database, once per engine."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def run(event_loop_runner: asyncio.Runner) -> asyncio.Runner:
    """Runs coroutines on the session's event loop: ``run.run(coro)``."""
    return event_loop_runner


@pytest.fixture
def conn(db_url: str, event_loop_runner: asyncio.Runner) -> Iterator[Conn]:
    """A connection in a transaction that is rolled back after the test."""
    manager = rolled_back(db_url)
    connection = event_loop_runner.run(manager.__aenter__())
    try:
        yield connection
    finally:
        event_loop_runner.run(manager.__aexit__(None, None, None))


def pytest_configure(config: pytest.Config) -> None:
    Path(".pytest_cache").mkdir(exist_ok=True)


__all__ = ["AsyncIterator", "world"]

from tests.fixtures.world import world  # noqa: E402  (a fixture shared by many test modules)
