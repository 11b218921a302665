"""Keyset pagination with opaque cursors and whitelisted sort keys.

A cursor records the sort key and the last row's ``(value, id)``; the next page continues
strictly after it, so rows created or changed meanwhile never make a page skip or repeat a
row. Every ordering ends with ``id``. NULL sorts below every value on both engines.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
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


def encode_cursor(sort: Sort, value: Any, last_id: str) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = msgspec.json.encode([CURSOR_VERSION, sort.token, value, last_id])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(token: str, sort: Sort) -> Cursor:
    bad = InvalidParameter(
        "cursor",
        "cursor must be a value of pagination.nextCursor from a previous page.",
        code="INVALID_CURSOR",
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, sort_token, value, last_id = msgspec.json.decode(raw)
    except (binascii.Error, ValueError, TypeError, msgspec.DecodeError):
        raise bad from None
    if version != CURSOR_VERSION or not isinstance(last_id, str):
        raise bad
    if sort_token != sort.token:
        raise InvalidParameter(
            "cursor",
            f"This cursor belongs to sort={sort_token}; "
            "repeat that sort or start without a cursor.",
            code="INVALID_CURSOR",
        )
    return Cursor(sort_token, _typed(value, sort.key, bad), last_id)


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


def order_by(sql: Sql, sort: Sort, alias: str) -> str:
    direction = "DESC" if sort.descending else "ASC"
    column = f"{alias}.{sort.key.column}"
    first = sql.nulls_low(column, sort.descending) if sort.key.nullable else f"{column} {direction}"
    return f"{first}, {alias}.id {direction}"


def after_cursor(sql: Sql, sort: Sort, cursor: Cursor, alias: str) -> str:
    """The condition selecting rows strictly after ``cursor`` in ``sort`` order."""
    column, ident = f"{alias}.{sort.key.column}", f"{alias}.id"
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
