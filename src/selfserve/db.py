"""Database access: one small async interface over asyncpg and the standard ``sqlite3``.

The read path runs hand-written SQL through :class:`Conn`; SQLAlchemy is used only for the
schema (``models/``) and migrations. Both engines see the same SQL text apart from the few
spots :class:`Sql` renders per dialect (placeholders, list membership, NULL ordering, packed
rows).

Transactions belong to the request: :meth:`Database.read` hands out a connection for
reads, :meth:`Database.write` one inside a transaction that commits when the block ends
without an exception and rolls back otherwise. Services never commit.

SQLite runs on the event loop on purpose: an indexed, bounded query takes well under a
millisecond, which is cheaper than any hop to a thread. Each worker process keeps one
read-only connection and one writer connection guarded by an ``asyncio.Lock`` (SQLite allows
one writer at a time, and interleaving two requests' statements on one connection would mix
their transactions).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec

_json_encode = msgspec.json.Encoder().encode
Dialect = Literal["postgresql", "sqlite"]
Row = Sequence[Any]

SQLITE_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class DatabaseUnavailable(Exception):
    """The database could not be reached; rendered as a 503."""


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy URL (used by Alembic) for a Selfserve database URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def dialect_of(url: str) -> Dialect:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    if url.startswith("sqlite:"):
        return "sqlite"
    raise ValueError(
        f"SELFSERVE_DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}"
    )


def sqlite_path(url: str) -> str:
    """``sqlite:///data/x.db`` -> ``data/x.db``; ``sqlite:////abs/x.db`` -> ``/abs/x.db``."""
    return url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else ":memory:"


def to_sqlite_ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime(SQLITE_TS_FORMAT)


class Sql:
    """Collects parameters while a statement is written, rendering placeholders per dialect."""

    __slots__ = ("dialect", "params")

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.params: list[Any] = []

    def p(self, value: Any) -> str:
        """A placeholder bound to ``value``."""
        if self.dialect == "sqlite":
            value = _sqlite_value(value)
        self.params.append(value)
        # Numbered on both engines, so one placeholder may appear twice in a statement.
        return f"${len(self.params)}" if self.dialect == "postgresql" else f"?{len(self.params)}"

    def in_(self, column: str, values: Sequence[Any], pg_type: str = "uuid") -> str:
        """``column`` is one of ``values``: a single parameter on both engines."""
        if self.dialect == "postgresql":
            self.params.append(list(values))
            return f"{column} = ANY(${len(self.params)}::{pg_type}[])"
        # msgspec, not json.dumps: a page binds two such lists, and the standard encoder's
        # Python wrapper cost more than encoding the 50 ids themselves.
        encoded = _json_encode([_sqlite_value(v) for v in values])
        self.params.append(encoded.decode())  # text: SQLite's JSON functions read no blobs
        return f"{column} IN (SELECT value FROM json_each(?{len(self.params)}))"

    def packed(self, expressions: Sequence[str], *, unless: str | None = None) -> str:
        """The values of ``expressions`` as one column, which :attr:`Conn.unpack` turns back
        into a sequence of them, each as its own column would have returned it; NULL instead
        where the column ``unless`` is not NULL (a row's stored document, which holds them).

        Each column a row carries costs the SQLite driver a GIL release and a library call, even
        when it is NULL; a read that needs a dozen columns only for the rare row without a
        stored document takes them as one value instead. PostgreSQL sends a record (a tuple
        of typed values); SQLite a JSON array, which holds its values exactly: the schema keeps
        text, integers and NULL there (no floats, no blobs among packed columns).
        """
        function = "ROW" if self.dialect == "postgresql" else "json_array"
        packed = f"{function}({', '.join(expressions)})"
        return packed if unless is None else f"CASE WHEN {unless} IS NULL THEN {packed} END"

    def sort_value(self, column: str, kind: str) -> str:
        """A sort column as a page row carries it, to order rows merged from several runs and
        to resume a walk after the last (``Conn.sort_ts`` reads a timestamp back). PostgreSQL
        sends a timestamp as microseconds since the epoch: an integer orders the same, and
        the driver decodes it several times faster than a timestamp."""
        if self.dialect == "postgresql" and kind == "timestamp":
            # date_part's double holds every microsecond up to the year 2255 (2^53 µs) exactly;
            # extract's numeric costs PostgreSQL several times more.
            return f"(date_part('epoch', {column}) * 1000000)::int8"
        return column

    def nulls_low(self, column: str, descending: bool) -> str:
        """An ORDER BY term in which NULL sorts below every value on both engines."""
        if self.dialect == "postgresql":
            return f"{column} DESC NULLS LAST" if descending else f"{column} ASC NULLS FIRST"
        return f"{column} DESC" if descending else f"{column} ASC"

    def ilike(self, column: str, needle: str) -> str:
        """Case-insensitive substring match with LIKE wildcards escaped."""
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        placeholder = self.p(f"%{escaped.lower()}%")
        return f"lower({column}) LIKE {placeholder} ESCAPE '\\'"


async def insert_row(conn: Conn, table: str, values: dict[str, Any]) -> None:
    """``INSERT INTO table (names) VALUES (...)`` for one row; ``table`` is a trusted name."""
    sql = conn.sql()
    placeholders = ", ".join(sql.p(v) for v in values.values())
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders})", sql.params
    )


def _sqlite_value(value: Any) -> Any:
    if type(value) is str:  # most values (every id in an id list): skip the checks below
        return value
    if isinstance(value, datetime):
        return to_sqlite_ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


class Conn(ABC):
    """A connection as the repositories see it, with per-dialect value decoders."""

    dialect: Dialect
    to_id: Callable[[Any], str]
    to_date: Callable[[Any], date]
    to_ts: Callable[[Any], datetime]
    sort_ts: Callable[[Any], datetime]  # a timestamp read as Sql.sort_value gives it
    unpack: Callable[[Any], Row]  # a value of Sql.packed, as the row of its expressions

    def sql(self) -> Sql:
        return Sql(self.dialect)

    def decode_like(self, other: Conn) -> None:
        """Takes ``other``'s dialect and decoders (for connections that wrap another)."""
        self.dialect = other.dialect
        self.to_id, self.to_date, self.to_ts = other.to_id, other.to_date, other.to_ts
        self.sort_ts = other.sort_ts
        self.unpack = other.unpack

    @abstractmethod
    async def fetch(self, query: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    async def execute(self, query: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    async def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def fetchrow(self, query: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch(query, params)
        return rows[0] if rows else None

    async def fetchval(self, query: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchrow(query, params)
        return None if row is None else row[0]


def _pg_ts(value: datetime) -> datetime:
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _pg_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


class PgConn(Conn):
    dialect: Dialect = "postgresql"
    to_id = staticmethod(str)
    to_date = staticmethod(lambda v: v)
    to_ts = staticmethod(_pg_ts)
    sort_ts = staticmethod(_pg_micros)
    unpack = staticmethod(tuple)  # asyncpg returns a record as a tuple already

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw

    async def fetch(self, query: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self.raw.fetch(query, *params)  # type: ignore[no-any-return]

    async def execute(self, query: str, params: Sequence[Any] = ()) -> None:
        await self.raw.execute(query, *params)

    async def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.raw.executemany(query, rows)


def _sqlite_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


class SqliteConn(Conn):
    dialect: Dialect = "sqlite"
    # Ids are stored as canonical text already; str() returns them as they are, and as a C
    # function it costs less than a Python identity function on the read path.
    to_id = staticmethod(str)
    to_date = staticmethod(date.fromisoformat)
    to_ts = staticmethod(_sqlite_ts)
    sort_ts = staticmethod(_sqlite_ts)
    unpack = staticmethod(json.loads)

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def fetch(self, query: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.raw.execute(query, params).fetchall()

    async def execute(self, query: str, params: Sequence[Any] = ()) -> None:
        self.raw.execute(query, params)

    async def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(query, rows)


class Database(ABC):
    """The process's database handle; created at startup, closed at shutdown."""

    dialect: Dialect

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def read(self) -> AbstractAsyncContextManager[Conn]:
        """``async with db.read() as conn``: a connection for reads."""

    @abstractmethod
    def write(self) -> AbstractAsyncContextManager[Conn]:
        """``async with db.write() as conn``: a connection in a transaction."""

    def write_on(self, conn: Conn) -> AbstractAsyncContextManager[Conn]:
        """A transaction on a connection the request already holds (see :class:`Lease`);
        engines without a pool simply use :meth:`write`."""
        return self.write()

    async def ping(self) -> bool:
        try:
            async with self.read() as conn:
                return bool(await conn.fetchval("SELECT 1"))
        except Exception:  # any failure means "not reachable" for the health check
            return False


class PostgresDatabase(Database):
    dialect: Dialect = "postgresql"

    def __init__(self, url: str, min_size: int = 2, max_size: int = 10) -> None:
        self.url = url
        self.min_size, self.max_size = min_size, max_size
        self.pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        try:
            self.pool = await asyncpg.create_pool(
                self.url, min_size=self.min_size, max_size=self.max_size, reset=_keep_session
            )
        except (OSError, asyncpg.PostgresError) as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[asyncpg.Connection]:
        if self.pool is None:
            await self.connect()
        assert self.pool is not None
        try:
            raw = await self.pool.acquire()
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError) as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        try:
            yield raw
        finally:
            await self.pool.release(raw)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        async with self._acquire() as raw:
            yield PgConn(raw)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        async with self._acquire() as raw, raw.transaction():
            yield PgConn(raw)

    @asynccontextmanager
    async def write_on(self, conn: Conn) -> AsyncIterator[Conn]:
        assert isinstance(conn, PgConn)
        async with conn.raw.transaction():
            yield conn


def open_sqlite(path: str, *, cache_mb: int = 64, read_only: bool = False) -> sqlite3.Connection:
    """A tuned connection: WAL, foreign keys, a page cache of ``cache_mb`` and mmap."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("PRAGMA foreign_keys=ON")
    raw.execute("PRAGMA busy_timeout=5000")
    raw.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
    raw.execute("PRAGMA mmap_size=268435456")
    # Planner statistics: a bounded ANALYZE sample keeps PRAGMA optimize cheap; without any
    # statistics SQLite reads a whole tenant where one customer's index would do.
    raw.execute("PRAGMA analysis_limit=1000")
    if (
        not read_only
        and raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        is None
        and raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'orders'").fetchone() is not None
    ):
        raw.execute("ANALYZE")
    if read_only:
        raw.execute("PRAGMA query_only=1")
    return raw


class SqliteDatabase(Database):
    dialect: Dialect = "sqlite"

    def __init__(self, path: str, cache_mb: int = 64) -> None:
        self.path, self.cache_mb = path, cache_mb
        self._reader: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def connect(self) -> None:
        try:
            self._writer = open_sqlite(self.path, cache_mb=self.cache_mb)
            self._reader = open_sqlite(self.path, cache_mb=self.cache_mb, read_only=True)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def close(self) -> None:
        if self._writer is not None:
            # SQLite's advice for long-lived connections: refresh what went stale on close.
            self._writer.execute("PRAGMA optimize")
        for raw in (self._reader, self._writer):
            if raw is not None:
                raw.close()
        self._reader = self._writer = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        if self._reader is None:
            await self.connect()
        assert self._reader is not None
        yield SqliteConn(self._reader)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        if self._writer is None:
            await self.connect()
        assert self._writer is not None
        async with self._write_lock:
            raw = self._writer
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteConn(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")


class Lease:
    """A request's read connection: checked out on first use, returned when the request ends.

    The guard (authentication) and the handler share it, so a read request costs one pool
    checkout instead of two.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._manager: AbstractAsyncContextManager[Conn] | None = None
        self._conn: Conn | None = None

    async def read(self) -> Conn:
        if self._conn is None:
            self._manager = self.db.read()
            self._conn = await self._manager.__aenter__()
        return self._conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        """A transaction on the request's connection: a request never holds two pooled
        connections at once, so concurrent requests cannot starve the pool."""
        async with self.db.write_on(await self.read()) as conn:
            yield conn

    async def release(self) -> None:
        if self._manager is not None:
            manager, self._manager, self._conn = self._manager, None, None
            await manager.__aexit__(None, None, None)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Connections go back to the pool as they are: the app keeps no session state (no
    LISTEN, advisory locks, cursors or SET outside a transaction), so asyncpg's reset
    statement would only cost a round trip per request."""


def create_database(
    url: str, *, pool_min: int = 2, pool_max: int = 10, cache_mb: int = 64
) -> Database:
    """The :class:`Database` for a ``SELFSERVE_DATABASE_URL``."""
    if dialect_of(url) == "postgresql":
        return PostgresDatabase(url, pool_min, pool_max)
    return SqliteDatabase(sqlite_path(url), cache_mb)


def request_lease(scope: Any) -> Lease:
    """The lease :class:`LeaseMiddleware` put in the request's scope."""
    lease: Lease = scope["state"]["db_lease"]
    return lease


class LeaseMiddleware:
    """Gives each HTTP request a :class:`Lease` and returns its connection at the end."""

    def __init__(self, app: Any, db: Database) -> None:
        self.app, self.db = app, db

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lease = Lease(self.db)
        scope.setdefault("state", {})["db_lease"] = lease
        try:
            await self.app(scope, receive, send)
        finally:
            await lease.release()
