"""The GET /invoices list query: whitelisted parameters, statuses, sort keys and Nue's inline
filters on dates and amounts, read strictly from the raw query string; and the locale of
GET /invoices/{id}/pdf."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selfserve.errors import InvalidParameter
from selfserve.kit import l10n
from selfserve.kit import query as q
from selfserve.kit.pagination import Cursor, Sort, SortKey, decode_cursor, parse_sort

MAX_CUSTOMER_IDS = 100
MAX_LIMIT = 500
DEFAULT_LIMIT = 100

STATUSES = {"draft": "Draft", "active": "Active", "canceled": "Canceled", "cancelled": "Canceled"}
PAYMENT_STATUSES = {
    status.lower(): status
    for status in (
        "NotTransferred",
        "Transferred",
        "TransferError",
        "Paid",
        "PartiallyPaid",
        "Canceled",
        "CreditBack",
        "Applied",
        "PartiallyApplied",
        "Refunded",
        "PartiallyRefunded",
        "WrittenOff",
        "PartiallyWrittenOff",
    )
}
BOOLEANS = {"true": "true", "false": "false"}
LOCALES = {tag: tag for tag in l10n.SUPPORTED_LOCALES}
# The sort column shares its name with InvoiceRead's attribute (the cursor value's source).
SORT_KEYS = {key.name: key for key in (SortKey("invoiceDate", "invoice_date", "date"),)}
DEFAULT_SORT = "-invoiceDate"
MONEY_FILTERS = ("amount", "balance")
FILTER_FIELDS = {
    f.name: f
    for f in (
        q.FilterField("invoiceDate", "date"),
        q.FilterField("dueDate", "date"),
        q.FilterField("amount", "decimal"),
        q.FilterField("balance", "decimal"),
    )
}
PARAMETERS = (
    "customerIds",
    "customerId",
    "status",
    "paymentStatus",
    "isOverdue",
    "limit",
    "cursor",
    "sort",
)


@dataclass(frozen=True, slots=True)
class InvoiceListQuery:
    customer_ids: list[str] | None
    statuses: list[str] = field(default_factory=list)
    payment_statuses: list[str] = field(default_factory=list)
    is_overdue: bool | None = None
    limit: int = DEFAULT_LIMIT
    sort: Sort = field(default_factory=lambda: parse_sort(DEFAULT_SORT, SORT_KEYS))
    cursor: Cursor | None = None
    filters: list[q.Filter[Any]] = field(default_factory=list)


def from_query_string(raw: bytes | str) -> InvoiceListQuery:
    """Read ``GET /invoices`` parameters; every unknown name, value or operator is a 400."""
    params, filters = q.split_parameters(raw, PARAMETERS, FILTER_FIELDS)
    _check_money(filters)
    sort = parse_sort(params.get("sort") or DEFAULT_SORT, SORT_KEYS)
    status, paid = params.get("status"), params.get("paymentStatus")
    overdue, cursor = params.get("isOverdue"), params.get("cursor")
    return InvoiceListQuery(
        customer_ids=_customer_ids(params),
        statuses=q.csv_of("status", status, STATUSES) if status else [],
        payment_statuses=q.csv_of("paymentStatus", paid, PAYMENT_STATUSES) if paid else [],
        is_overdue=None if overdue is None else q.one_of("isOverdue", overdue, BOOLEANS) == "true",
        limit=q.integer("limit", params.get("limit", DEFAULT_LIMIT), 1, MAX_LIMIT),
        sort=sort,
        cursor=decode_cursor(cursor, sort) if cursor else None,
        filters=filters,
    )


def _customer_ids(params: dict[str, str]) -> list[str] | None:
    """``customerIds`` (a JSON array or comma list) or Nue's single ``customerId``."""
    ids, one = params.get("customerIds"), params.get("customerId")
    if ids and one:
        raise InvalidParameter("customerId", "Give customerIds or customerId, not both.")
    if one:
        return [q.canonical_uuid("customerId", one)]
    return q.uuid_list("customerIds", ids, maximum=MAX_CUSTOMER_IDS) if ids else None


def _check_money(filters: list[q.Filter[Any]]) -> None:
    for flt in filters:
        if flt.field in MONEY_FILTERS and flt.value.as_tuple().exponent < -3:
            raise InvalidParameter(flt.field, f"{flt.field} takes at most 3 decimals.")


def pdf_locale(raw: bytes | str, accept_language: str | None) -> str:
    """The PDF's locale: ``locale`` when given (en, de or ja, case-insensitive; anything else
    is a 400 listing them), else the best supported one of ``Accept-Language``, else en."""
    params = q.plain_params(raw, {"locale"})
    if "locale" in params:
        return q.one_of("locale", params["locale"], LOCALES)
    return l10n.negotiate(accept_language) or l10n.DEFAULT_LOCALE
