"""The parameters of GET /renewals, read strictly from the raw query string."""

from __future__ import annotations

from dataclasses import dataclass

from selfserve.kit import query as q
from selfserve.kit.pagination import Cursor, Sort, SortKey, decode_cursor

MAX_CUSTOMER_IDS = 100
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_WITHIN_DAYS = 3660
DEFAULT_WITHIN_DAYS = 30
PARAMETERS = frozenset({"customerIds", "withinDays", "limit", "cursor"})
# The soonest renewal first; ties broken by id. Every listed subscription has an end date;
# the key is declared nullable so the ORDER BY matches the NULLS FIRST end-date index.
SORT = Sort(SortKey("endDate", "end_date", "date", nullable=True), descending=False)


@dataclass(frozen=True, slots=True)
class RenewalQuery:
    customer_ids: list[str] | None
    within_days: int = DEFAULT_WITHIN_DAYS
    limit: int = DEFAULT_LIMIT
    cursor: Cursor | None = None


def from_query_string(raw: bytes | str) -> RenewalQuery:
    """Every unknown name, repeated parameter or malformed value is a 400."""
    params = q.plain_params(raw, set(PARAMETERS))
    ids, cursor = params.get("customerIds"), params.get("cursor")
    return RenewalQuery(
        customer_ids=q.uuid_list("customerIds", ids, maximum=MAX_CUSTOMER_IDS) if ids else None,
        within_days=q.integer(
            "withinDays", params.get("withinDays", DEFAULT_WITHIN_DAYS), 0, MAX_WITHIN_DAYS
        ),
        limit=q.integer("limit", params.get("limit", DEFAULT_LIMIT), 1, MAX_LIMIT),
        cursor=decode_cursor(cursor, SORT) if cursor else None,
    )
