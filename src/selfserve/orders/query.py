"""The GET /orders list query: whitelisted parameters, includes, sort keys and filters.

The same parameters arrive as a query string (``GET /orders``) or as JSON
(``POST /orders/query``); both end in one typed :class:`OrderListQuery`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selfserve.errors import InvalidParameter
from selfserve.kit import query as q
from selfserve.kit.body import decode
from selfserve.kit.pagination import Cursor, Sort, SortKey, decode_cursor, parse_sort
from selfserve.orders.schemas import OrderQueryBody

MAX_CUSTOMER_IDS = 100
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_RENEWAL_DAYS = 3660

INCLUDES = {"assets": "assets", "invoices": "invoices", "history": "history"}
STATUSES = {
    "draft": "Draft",
    "active": "Activated",
    "activated": "Activated",
    "canceled": "Canceled",
    "cancelled": "Canceled",
}
# A mutable key's column must be one order_sort_history keeps (and its triggers watch).
SORT_KEYS = {
    key.name: key
    for key in (
        SortKey("createdDate", "created_at", "timestamp", immutable=True),
        SortKey("orderPlacedDate", "order_placed_date", "date", nullable=True),
        SortKey("totalAmount", "total_amount", "int"),
        SortKey("orderNumber", "order_number", "text", immutable=True),
        SortKey("lastModifiedDate", "updated_at", "timestamp"),
    )
}
DEFAULT_SORT = "-createdDate"

_EQUALITY: tuple[q.Operator, ...] = ("=", "!=")
FILTER_FIELDS = {
    f.name: f
    for f in (
        q.FilterField("orderNumber", "string"),
        q.FilterField(
            "orderType", "string", _EQUALITY, {k.lower(): k for k in ("New", "Change", "Renewal")}
        ),
        q.FilterField("currency", "string", _EQUALITY),
        q.FilterField("createdDate", "timestamp"),
        q.FilterField("lastModifiedDate", "timestamp"),
        q.FilterField("activatedDate", "timestamp"),
        q.FilterField("orderPlacedDate", "date"),
        q.FilterField("effectiveDate", "date"),
        q.FilterField("subscriptionStartDate", "date"),
        q.FilterField("subscriptionEndDate", "date"),
        q.FilterField("totalAmount", "decimal"),
        q.FilterField("listTotal", "decimal"),
    )
}
PARAMETERS = (
    "customerIds",
    "includes",
    "status",
    "limit",
    "cursor",
    "sort",
    "q",
    "renewalWithinDays",
)


@dataclass(frozen=True, slots=True)
class OrderListQuery:
    customer_ids: list[str] | None
    includes: frozenset[str] = frozenset()
    statuses: list[str] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    sort: Sort = field(default_factory=lambda: parse_sort(DEFAULT_SORT, SORT_KEYS))
    cursor: Cursor | None = None
    search: str | None = None
    renewal_within_days: int | None = None
    filters: list[q.Filter[Any]] = field(default_factory=list)


def includes_of(value: str | list[Any] | None) -> frozenset[str]:
    return frozenset(q.csv_of("includes", value, INCLUDES)) if value else frozenset()


def from_query_string(raw: bytes | str) -> OrderListQuery:
    """Read ``GET /orders`` parameters; every unknown name or operator is a 400."""
    params, filters = q.split_parameters(raw, PARAMETERS, FILTER_FIELDS)
    return _build(params, filters)


def from_body(body: bytes) -> OrderListQuery:
    """Read ``POST /orders/query``: the same parameters as a JSON object."""
    parsed = decode(body, OrderQueryBody)
    params: dict[str, Any] = {
        name: value
        for name, value in (
            ("customerIds", parsed.customer_ids),
            ("includes", parsed.includes),
            ("status", parsed.status),
            ("limit", parsed.limit),
            ("cursor", parsed.cursor),
            ("sort", parsed.sort),
            ("q", parsed.q),
            ("renewalWithinDays", parsed.renewal_within_days),
        )
        if value is not None
    }
    filters = [_body_filter(text) for text in parsed.filters or []]
    return _build(params, filters)


def _body_filter(text: str) -> q.Filter[Any]:
    terms = q.split_query(text.replace("&", "%26"))
    if len(terms) != 1 or terms[0].name not in FILTER_FIELDS:
        name = terms[0].name if terms else "filters"
        raise InvalidParameter(
            "filters",
            "filters items look like 'totalAmount>1000' on one of "
            f"{', '.join(sorted(FILTER_FIELDS))}; got {text!r} ({name}).",
            allowed=sorted(FILTER_FIELDS),
        )
    return q.parse_filter(terms[0], FILTER_FIELDS)


def _check_money(filters: list[q.Filter[Any]]) -> None:
    for flt in filters:
        if flt.field in ("totalAmount", "listTotal") and flt.value.as_tuple().exponent < -3:
            raise InvalidParameter(flt.field, f"{flt.field} takes at most 3 decimals.")


def _build(params: dict[str, Any], filters: list[q.Filter[Any]]) -> OrderListQuery:
    _check_money(filters)
    sort = parse_sort(params.get("sort") or DEFAULT_SORT, SORT_KEYS)
    cursor_token = params.get("cursor")
    search = params.get("q")
    if search is not None and not 1 <= len(search) <= 100:
        raise InvalidParameter("q", "q must be 1 to 100 characters.")
    ids = params.get("customerIds")
    renewal = params.get("renewalWithinDays")
    return OrderListQuery(
        customer_ids=q.uuid_list("customerIds", ids, maximum=MAX_CUSTOMER_IDS) if ids else None,
        includes=includes_of(params.get("includes")),
        statuses=q.csv_of("status", params["status"], STATUSES) if params.get("status") else [],
        limit=q.integer("limit", params.get("limit", DEFAULT_LIMIT), 1, MAX_LIMIT),
        sort=sort,
        cursor=decode_cursor(cursor_token, sort) if cursor_token else None,
        search=search,
        renewal_within_days=(
            q.integer("renewalWithinDays", renewal, 0, MAX_RENEWAL_DAYS)
            if renewal is not None
            else None
        ),
        filters=filters,
    )
