"""Parsing of the asset list parameters: strict, typed, every mistake named."""

from __future__ import annotations

from datetime import date

import pytest

from selfserve.assets.query import from_query_string
from selfserve.errors import InvalidParameter

CID = "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def error(raw: str) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        from_query_string(raw.encode())
    return caught.value


def test_defaults() -> None:
    query = from_query_string(b"")
    assert query.customer_ids is None and query.statuses == [] and query.limit == 100
    assert query.sort.token == "assetNumber" and query.cursor is None


def test_nue_encodings_of_customer_ids() -> None:
    assert from_query_string(f"customerIds=%5B%22{CID}%22%5D").customer_ids == [CID]
    assert from_query_string(f"customerIds={CID}").customer_ids == [CID]


def test_statuses_in_every_spelling() -> None:
    query = from_query_string(
        "status=ACTIVE,Scheduled%20For%20Cancellation,scheduledforcancellation,cancelled,ended"
    )
    assert query.statuses == ["Active", "Scheduled for Cancellation", "Canceled", "Ended"]


def test_sort_and_date_filters() -> None:
    query = from_query_string("sort=-endDate&endDate%3C2026-01-01&startDate>=2025-01-01")
    assert query.sort.token == "-endDate" and query.sort.descending
    assert [(f.field, f.op, f.value) for f in query.filters] == [
        ("endDate", "<", date(2026, 1, 1)),
        ("startDate", ">=", date(2025, 1, 1)),
    ]


def test_mistakes_name_the_parameter() -> None:
    assert error("status=paused").parameter == "status"
    assert error("sort=price").parameter == "sort"
    assert error("endDate>=later").parameter == "endDate"
    assert error("limit>5").parameter == "limit"
    assert error("q=abc").error_code == "UNKNOWN_PARAMETER"
