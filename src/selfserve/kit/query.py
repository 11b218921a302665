"""Strict query-string parsing, including Nue's inline-operator field filters.

``?orderPlacedDate>=2025-01-01&totalAmount>1000&currency=EUR`` cannot be parsed as plain
``name=value`` pairs (``totalAmount>1000`` has no ``=`` at all), so the raw query string is
split here into :class:`Term` objects of ``(name, operator, value)``. Every parser raises
:class:`~selfserve.errors.InvalidParameter` naming the parameter and what was expected;
nothing is silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import unquote_plus
from uuid import UUID

import msgspec

from selfserve.errors import InvalidParameter, SelfserveError

Operator = Literal["=", "!=", ">", ">=", "<", "<="]
OPERATORS: tuple[Operator, ...] = ("=", "!=", ">", ">=", "<", "<=")
_TERM = re.compile(r"^([A-Za-z][A-Za-z0-9_.\[\]]*)(>=|<=|!=|<>|=|>|<)(.*)$", re.DOTALL)

MAX_QUERY_LENGTH = 8192


class QueryTooLong(SelfserveError):
    status_code = 414
    error_code = "QUERY_TOO_LONG"


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    op: Operator
    value: str


def split_query(raw: bytes | str) -> list[Term]:
    """Split a raw query string into terms, decoding each piece once."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(
            f"The query string is longer than {MAX_QUERY_LENGTH} characters; "
            "use POST /orders/query for long customer lists."
        )
    terms: list[Term] = []
    for piece in text.split("&"):
        if not piece:
            continue
        decoded = unquote_plus(piece, encoding="utf-8", errors="strict")
        match = _TERM.match(decoded)
        if match is None:
            name = decoded.split("=", 1)[0]
            raise InvalidParameter(
                name or "query",
                f"Cannot read {decoded!r}: expected name=value or a field filter such as "
                "totalAmount>1000.",
            )
        name, op, value = match.groups()
        terms.append(Term(name, "!=" if op == "<>" else op, value))  # type: ignore[arg-type]
    return terms


def one_of(parameter: str, value: str, allowed: Mapping[str, str]) -> str:
    """Map a case-insensitive value through ``allowed`` (lower-case key -> canonical)."""
    found = allowed.get(value.strip().lower())
    if found is None:
        raise InvalidParameter(
            parameter,
            f"{parameter} must be one of {', '.join(sorted(set(allowed.values())))}; "
            f"got {value!r}.",
            allowed=sorted(set(allowed.values())),
        )
    return found


def csv_of(parameter: str, value: str | list[Any], allowed: Mapping[str, str]) -> list[str]:
    """A comma list (or JSON array) of allowed values, de-duplicated, order kept."""
    items = value if isinstance(value, list) else value.split(",")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidParameter(
                parameter,
                f"{parameter} must be a comma-separated list of "
                f"{', '.join(sorted(set(allowed.values())))}.",
                allowed=sorted(set(allowed.values())),
            )
        canonical = one_of(parameter, item, allowed)
        if canonical not in out:
            out.append(canonical)
    return out


def integer(parameter: str, value: str | int, low: int, high: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,12}", value.strip()):
        number = int(value)
    else:
        raise InvalidParameter(
            parameter, f"{parameter} must be a whole number from {low} to {high}; got {value!r}."
        )
    if not low <= number <= high:
        raise InvalidParameter(
            parameter, f"{parameter} must be from {low} to {high}; got {number}."
        )
    return number


def uuid_list(parameter: str, value: str | list[Any], *, maximum: int) -> list[str]:
    """A JSON array of UUID strings, or a plain comma list of them."""
    example = f'{parameter} must be a JSON array of customer ids, e.g. ["c1","c2"], or a comma list'
    items: Any = value
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("{", '"')):
            raise InvalidParameter(parameter, f"{example}; got a JSON {stripped[0]!r} value.")
        if stripped.startswith("["):
            try:
                items = msgspec.json.decode(stripped)
            except msgspec.DecodeError:
                raise InvalidParameter(parameter, f"{example}; it is not valid JSON.") from None
        else:
            items = [part.strip() for part in stripped.split(",")]
    if not isinstance(items, list) or not items:
        raise InvalidParameter(parameter, f"{example}; got {value!r}.")
    if len(items) > maximum:
        raise InvalidParameter(
            parameter, f"{parameter} holds at most {maximum} ids; got {len(items)}."
        )
    ids: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidParameter(parameter, f"{example}; item {index} is not a string.")
        ids.append(canonical_uuid(f"{parameter}[{index}]", item))
    return list(dict.fromkeys(ids))


def canonical_uuid(parameter: str, value: str) -> str:
    try:
        return str(UUID(value.strip()))
    except ValueError:
        raise InvalidParameter(
            parameter,
            f"{parameter} must be a UUID such as 3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f; "
            f"got {value!r}.",
        ) from None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Filter(Generic[T]):
    field: str
    op: Operator
    value: T


@dataclass(frozen=True, slots=True)
class FilterField:
    """A field that may be filtered, the operators it takes and how to read its value."""

    name: str
    kind: Literal["date", "timestamp", "decimal", "string"]
    operators: tuple[Operator, ...] = OPERATORS
    choices: Mapping[str, str] | None = None


def parse_filter(term: Term, fields: Mapping[str, FilterField]) -> Filter[Any]:
    spec = fields[term.name]
    if term.op not in spec.operators:
        raise InvalidParameter(
            term.name,
            f"{term.name} takes the operators {' '.join(spec.operators)}; got {term.op!r}.",
            allowed=list(spec.operators),
        )
    return Filter(term.name, term.op, _READERS[spec.kind](spec, term.value))


def _read_date(spec: FilterField, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(
            spec.name, f"{spec.name} must be a date YYYY-MM-DD; got {value!r}."
        ) from None


def _read_timestamp(spec: FilterField, value: str) -> datetime | date:
    if len(value) == 10:
        return _read_date(spec, value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidParameter(
            spec.name,
            f"{spec.name} must be a UTC timestamp such as 2025-06-01T00:00:00Z "
            f"(or a date); got {value!r}.",
        )
    return parsed


def _read_decimal(spec: FilterField, value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise InvalidParameter(
            spec.name, f"{spec.name} must be a decimal number such as 1000 or 99.50; got {value!r}."
        )
    return number


def _read_string(spec: FilterField, value: str) -> str:
    if spec.choices is not None:
        return one_of(spec.name, value, spec.choices)
    if not value or len(value) > 200:
        raise InvalidParameter(spec.name, f"{spec.name} must be 1 to 200 characters.")
    return value


_READERS: dict[str, Callable[[FilterField, str], Any]] = {
    "date": _read_date,
    "timestamp": _read_timestamp,
    "decimal": _read_decimal,
    "string": _read_string,
}


def unknown_parameter(name: str, allowed: Iterable[str]) -> InvalidParameter:
    names = sorted(allowed)
    return InvalidParameter(
        name,
        f"Unknown parameter {name!r}. Allowed: {', '.join(names)}.",
        allowed=names,
        code="UNKNOWN_PARAMETER",
    )


def plain_params(raw: bytes | str, allowed: set[str]) -> dict[str, str]:
    """``name=value`` parameters from ``allowed`` only, each at most once."""
    params: dict[str, str] = {}
    for term in split_query(raw):
        if term.name not in allowed:
            raise unknown_parameter(term.name, allowed)
        if term.op != "=" or term.name in params:
            raise InvalidParameter(term.name, f"Give {term.name} once, as {term.name}=value.")
        params[term.name] = term.value
    return params


def split_parameters(
    raw: bytes | str, parameters: Collection[str], fields: Mapping[str, FilterField]
) -> tuple[dict[str, str], list[Filter[Any]]]:
    """``name=value`` parameters (each at most once) and inline field filters; anything else
    is a 400 that lists what is allowed."""
    params: dict[str, str] = {}
    filters: list[Filter[Any]] = []
    for term in split_query(raw):
        if term.name in fields:
            filters.append(parse_filter(term, fields))
        elif term.name in parameters:
            if term.op != "=":
                raise InvalidParameter(term.name, f"{term.name} takes '=', not {term.op!r}.")
            if term.name in params:
                raise InvalidParameter(
                    term.name, f"{term.name} is given twice; give it once (comma lists allowed)."
                )
            params[term.name] = term.value
        else:
            raise unknown_parameter(term.name, [*parameters, *fields])
    return params, filters
