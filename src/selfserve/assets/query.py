"""The list query of GET /subscriptions, /assets and /entitlements: whitelisted parameters,
statuses, sort keys and date filters, read strictly from the raw query string."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selfserve.kit import query as q
from selfserve.kit.pagination import Cursor, Sort, SortKey, decode_cursor, parse_sort

MAX_CUSTOMER_IDS = 100
MAX_LIMIT = 500
DEFAULT_LIMIT = 100

STATUSES = {
    "active": "Active",
    "pending": "Pending",
    "scheduled for cancellation": "Scheduled for Cancellation",
    "scheduledforcancellation": "Scheduled for Cancellation",
    "scheduled_for_cancellation": "Scheduled for Cancellation",
    "canceled": "Canceled",
    "cancelled": "Canceled",
    "ended": "Ended",
    "expired": "Expired",
}
# Sort columns share their names with AssetRead's attributes (the service reads the cursor
# value from the last item by that name).
SORT_KEYS = {
    key.name: key
    for key in (
        SortKey("assetNumber", "asset_number", "text"),
        SortKey("startDate", "start_date", "date", nullable=True),
        SortKey("endDate", "end_date", "date", nullable=True),
    )
}
DEFAULT_SORT = "assetNumber"
FILTER_FIELDS = {
    f.name: f for f in (q.FilterField("startDate", "date"), q.FilterField("endDate", "date"))
}
PARAMETERS = ("customerIds", "status", "limit", "cursor", "sort")


@dataclass(frozen=True, slots=True)
class AssetListQuery:
    customer_ids: list[str] | None
    statuses: list[str] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    sort: Sort = field(default_factory=lambda: parse_sort(DEFAULT_SORT, SORT_KEYS))
    cursor: Cursor | None = None
    filters: list[q.Filter[Any]] = field(default_factory=list)


def from_query_string(raw: bytes | str) -> AssetListQuery:
    """Read a list request's parameters; every unknown name, value or operator is a 400."""
    params, filters = q.split_parameters(raw, PARAMETERS, FILTER_FIELDS)
    sort = parse_sort(params.get("sort") or DEFAULT_SORT, SORT_KEYS)
    ids, status, cursor = params.get("customerIds"), params.get("status"), params.get("cursor")
    return AssetListQuery(
        customer_ids=q.uuid_list("customerIds", ids, maximum=MAX_CUSTOMER_IDS) if ids else None,
        statuses=q.csv_of("status", status, STATUSES) if status else [],
        limit=q.integer("limit", params.get("limit", DEFAULT_LIMIT), 1, MAX_LIMIT),
        sort=sort,
        cursor=decode_cursor(cursor, sort) if cursor else None,
        filters=filters,
    )
