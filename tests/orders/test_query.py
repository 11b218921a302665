"""Parsing of the GET /orders parameters: strict, typed, every mistake named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from selfserve.errors import InvalidParameter
from selfserve.orders.query import from_body, from_query_string

CID = "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
CID2 = "0a1b2c3d-1a2b-4c3d-8e9f-3f2b8c4e5f60"


def error(raw: str) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        from_query_string(raw.encode())
    return caught.value


def test_nue_encoding_of_customer_ids() -> None:
    query = from_query_string(f"customerIds=%5B%22{CID}%22%2C%22{CID2}%22%5D".encode())
    assert query.customer_ids == [CID, CID2]


def test_plain_comma_list_of_customer_ids() -> None:
    assert from_query_string(f"customerIds={CID},{CID2}".encode()).customer_ids == [CID, CID2]


def test_customer_ids_must_be_uuids_and_at_most_100() -> None:
    assert error("customerIds=%5B%22nope%22%5D").parameter == "customerIds[0]"
    many = ",".join(f"3f2b8c4e-1a2b-4c3d-8e9f-{i:012d}" for i in range(101))
    assert "at most 100" in error(f"customerIds={many}").message


def test_customer_ids_json_must_be_an_array_of_strings() -> None:
    assert "JSON array" in error("customerIds=%5B1%2C2").message
    assert "not a string" in error("customerIds=%5B1%5D").message


def test_status_is_case_insensitive_and_maps_active() -> None:
    query = from_query_string(b"status=ACTIVE,draft,cancelled")
    assert query.statuses == ["Activated", "Draft", "Canceled"]


def test_unknown_status_lists_the_allowed_values() -> None:
    problem = error("status=pending")
    assert problem.parameter == "status"
    assert problem.details and problem.details[0].allowed == ["Activated", "Canceled", "Draft"]


def test_unknown_parameter_is_rejected_not_ignored() -> None:
    problem = error("colour=red")
    assert problem.error_code == "UNKNOWN_PARAMETER"
    assert "customerIds" in problem.message and "totalAmount" in problem.message


def test_inline_operator_filters() -> None:
    query = from_query_string(
        b"orderPlacedDate>=2025-01-01&totalAmount>1000&currency=EUR&lastModifiedDate<2025-06-01T00:00:00Z"
    )
    found = [(f.field, f.op, f.value) for f in query.filters]
    assert found[0] == ("orderPlacedDate", ">=", date(2025, 1, 1))
    assert found[1] == ("totalAmount", ">", Decimal("1000"))
    assert found[2] == ("currency", "=", "EUR")
    assert found[3][0:2] == ("lastModifiedDate", "<")


def test_url_encoded_operators_are_read_the_same() -> None:
    query = from_query_string(b"totalAmount%3E%3D99.5")
    assert [(f.field, f.op, f.value) for f in query.filters] == [
        ("totalAmount", ">=", Decimal("99.5"))
    ]


def test_wrong_operator_or_value_names_the_field() -> None:
    assert error("currency>EUR").parameter == "currency"
    assert error("orderPlacedDate>=yesterday").parameter == "orderPlacedDate"
    assert error("totalAmount>lots").parameter == "totalAmount"
    assert error("totalAmount>1.0001").parameter == "totalAmount"
    assert error("lastModifiedDate>2025-06-01T00:00:00").parameter == "lastModifiedDate"


def test_limit_bounds() -> None:
    assert from_query_string(b"limit=500").limit == 500
    assert error("limit=0").parameter == "limit"
    assert error("limit=501").parameter == "limit"
    assert error("limit=ten").parameter == "limit"


def test_sort_whitelist() -> None:
    assert from_query_string(b"sort=totalAmount").sort.token == "totalAmount"
    assert from_query_string(b"sort=-orderPlacedDate").sort.descending
    problem = error("sort=name")
    assert problem.parameter == "sort" and "-createdDate" in problem.message


def test_parameters_are_given_once() -> None:
    assert "twice" in error("status=draft&status=active").message


def test_garbage_cursor_is_a_400() -> None:
    assert error("cursor=abc").error_code == "INVALID_CURSOR"


def test_includes() -> None:
    assert from_query_string(b"includes=assets,invoices,history").includes == {
        "assets",
        "invoices",
        "history",
    }
    assert error("includes=payments").parameter == "includes"


def test_body_takes_the_same_parameters() -> None:
    query = from_body(
        b'{"customerIds": ["%s"], "status": ["active"], "limit": 5, "filters": ["totalAmount>10"]}'
        % CID.encode()
    )
    assert query.customer_ids == [CID]
    assert query.statuses == ["Activated"]
    assert query.limit == 5
    assert [f.field for f in query.filters] == ["totalAmount"]


def test_body_rejects_unknown_fields_and_wrong_types() -> None:
    with pytest.raises(InvalidParameter) as unknown:
        from_body(b'{"customerIds": [], "colour": "red"}')
    assert "colour" in unknown.value.message
    with pytest.raises(InvalidParameter) as wrong:
        from_body(b'{"limit": "ten"}')
    assert wrong.value.parameter == "limit"
    with pytest.raises(InvalidParameter):
        from_body(b"[1, 2]")
