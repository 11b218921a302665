"""Shared metadata and portable column types.

The schema runs unchanged on SQLite (the embedded default) and PostgreSQL. Three types differ
by dialect so that the raw SQL on the read path sees natural values on each engine:

* ``GUID``: native ``uuid`` on PostgreSQL, the canonical 36-character text on SQLite.
* ``UTCTimestamp``: ``timestamptz`` on PostgreSQL; on SQLite fixed-width ISO-8601 text
  (``2025-01-31T09:30:00.000000Z``) so that text order is time order and indexes work.
* ``CalendarDate``: ``date`` on PostgreSQL, ``YYYY-MM-DD`` text on SQLite.

Money is never a float: amounts are ``BigInteger`` minor units (cents, yen, fils); unit prices
are ``BigInteger`` micro-units of the major unit (six decimals) so that prices such as
``0.0125`` per call stay exact; percentages are ``Integer`` hundredths of a percent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CHAR,
    Column,
    Date,
    Dialect,
    Index,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GUID(TypeDecorator[str]):
    """A UUID: native on PostgreSQL, canonical text on SQLite."""

    impl = CHAR(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        return dialect.type_descriptor(CHAR(36))


class UTCTimestamp(TypeDecorator[str]):
    """An instant in UTC: ``timestamptz`` on PostgreSQL, fixed-width ISO text on SQLite."""

    impl = String(27)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(27))


class CalendarDate(TypeDecorator[str]):
    """A calendar date in the customer's time zone: ``date`` or ``YYYY-MM-DD`` text."""

    impl = String(10)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Date())
        return dialect.type_descriptor(String(10))


def stored_document(table: str, comment: str) -> tuple[Column[bytes], Index]:
    """A row's stored wire JSON (``orders.documents``), cleared by triggers on any change,
    and the partial index of the rows still without one (what the builders look for)."""
    return (
        Column("document", LargeBinary, nullable=True, comment=comment),
        Index(
            f"ix_{table}_document_pending",
            "id",
            postgresql_where=text("document IS NULL"),
            sqlite_where=text("document IS NULL"),
        ),
    )
