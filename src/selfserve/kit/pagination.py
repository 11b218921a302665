"""Keyset pagination with opaque cursors and whitelisted sort keys.

A cursor records the sort key and the last row's ``(value, id)``; the next page continues
strictly after it. Every ordering ends with ``id``. NULL sorts below every value on both
engines. Under a sort key whose values never change, rows created or changed meanwhile never
make a page skip or repeat a row; a list whose sort values can change also records a *pin*
in its cursor (a revision of its rows, see ``orders.repository``) and orders every row by
the value it had at the pin.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import msgspec

from selfserve.db import Sql
from selfserve.errors import InvalidParameter

CURSOR_VERSION = 1


class Pagination(msgspec.Struct, rename="camel"):
    """Where this page sits in the whole result."""

    limit: int
    has_more: bool
    next_cursor: str | None
    total: int


@dataclass(frozen=True, slots=True)
class SortKey:
    """A sortable field: its wire name, its SQL column and how its values look."""

    name: str
    column: str
    kind: Literal["timestamp", "date", "int", "text"]
    nullable: bool = False
    immutable: bool = False  # set once when the row is created, never changed


@dataclass(frozen=True, slots=True)
class Sort:
    key: SortKey
    descending: bool

    @property
    def token(self) -> str:
        return ("-" if self.descending else "") + self.key.name


def parse_sort(value: str, keys: Mapping[str, SortKey]) -> Sort:
    descending = value.startswith("-")
    name = value[1:] if descending or value.startswith("+") else value
    key = keys.get(name)
    if key is None:
        allowed = sorted(keys) + sorted(f"-{k}" for k in keys)
        raise InvalidParameter(
            "sort", f"sort must be one of {', '.join(allowed)}; got {value!r}.", allowed=allowed
        )
    return Sort(key, descending)


@dataclass(frozen=True, slots=True)
class Cursor:
    sort: str
    value: Any
    last_id: str
    pin: int | None = None  # the revision the walk is pinned at, for lists that pin


def encode_cursor(sort: Sort, value: Any, last_id: str, pin: int | None = None) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    fields = [CURSOR_VERSION, sort.token, value, last_id]
    raw = msgspec.json.encode(fields if pin is None else [*fields, pin])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(token: str, sort: Sort) -> Cursor:
    bad = InvalidParameter(
        "cursor",
        "cursor must be a value of pagination.nextCursor from a previous page.",
        code="INVALID_CURSOR",
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, sort_token, value, last_id, *rest = msgspec.json.decode(raw)
    except (binascii.Error, ValueError, TypeError, msgspec.DecodeError):
        raise bad from None
    # A cursor issued before pins existed has none; its walk continues as it began.
    pin = rest[0] if len(rest) == 1 else None
    if version != CURSOR_VERSION or not isinstance(last_id, str) or len(rest) > 1:
        raise bad
    if rest and not (isinstance(pin, int) and not isinstance(pin, bool) and pin >= 0):
        raise bad
    if sort_token != sort.token:
        raise InvalidParameter(
            "cursor",
            f"This cursor belongs to sort={sort_token}; "
            "repeat that sort or start without a cursor.",
            code="INVALID_CURSOR",
        )
    return Cursor(sort_token, _typed(value, sort.key, bad), last_id, pin)


def _typed(value: Any, key: SortKey, bad: InvalidParameter) -> Any:
    if value is None:
        if not key.nullable:
            raise bad
        return None
    try:
        if key.kind == "timestamp":
            return datetime.fromisoformat(value)
        if key.kind == "date":
            return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad from None
    if key.kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
        raise bad
    if key.kind == "text" and not isinstance(value, str):
        raise bad
    return value


def order_by(sql: Sql, sort: Sort, alias: str, *, column: str = "", ident: str = "") -> str:
    """``ORDER BY`` terms; ``column`` and ``ident`` default to the alias's key column and id."""
    direction = "DESC" if sort.descending else "ASC"
    column = column or f"{alias}.{sort.key.column}"
    first = sql.nulls_low(column, sort.descending) if sort.key.nullable else f"{column} {direction}"
    return f"{first}, {ident or alias + '.id'} {direction}"


def after_cursor(
    sql: Sql, sort: Sort, cursor: Cursor, alias: str, *, column: str = "", ident: str = ""
) -> str:
    """The condition selecting rows strictly after ``cursor`` in ``sort`` order."""
    column, ident = column or f"{alias}.{sort.key.column}", ident or f"{alias}.id"
    beyond = "<" if sort.descending else ">"
    last_id = sql.p(cursor.last_id)
    if cursor.value is None:  # only nullable keys get here
        if sort.descending:
            return f"({column} IS NULL AND {ident} < {last_id})"
        return f"(({column} IS NULL AND {ident} > {last_id}) OR {column} IS NOT NULL)"
    value = sql.p(cursor.value)
    condition = f"({column} {beyond} {value} OR ({column} = {value} AND {ident} {beyond} {last_id})"
    if sort.key.nullable and sort.descending:
        condition += f" OR {column} IS NULL"
    return condition + ")"


def in_sort_order(
    rows: Iterable[Sequence[Any]], sort: Sort, value_at: int, id_at: int = 0
) -> list[Sequence[Any]]:
    """Rows gathered from several ordered runs, in the order ``order_by`` gives in SQL.

    The values are the driver's raw ones, which order as the database orders them: ISO text
    on SQLite, ``datetime``/``date``/``int`` and UUIDs (byte order) on PostgreSQL.
    """

    def key(row: Sequence[Any]) -> tuple[bool, Any, Any]:
        value = row[value_at]
        return (value is not None, value, row[id_at])  # NULL lowest, never compared

    return sorted(rows, key=key, reverse=sort.descending)
