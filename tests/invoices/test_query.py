"""Parsing of the GET /invoices parameters: strict, typed, every mistake named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from selfserve.errors import InvalidParameter
from selfserve.invoices.query import from_query_string

CID = "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def error(raw: str) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        from_query_string(raw.encode())
    return caught.value


def test_defaults() -> None:
    query = from_query_string(b"")
    assert query.is_overdue is None and query.sort.token == "-invoiceDate"


def test_customer_id_and_customer_ids() -> None:
    assert from_query_string(f"customerId={CID.upper()}").customer_ids == [CID]
    assert from_query_string(f"customerIds=%5B%22{CID}%22%5D").customer_ids == [CID]
    assert error(f"customerId={CID}&customerIds={CID}").parameter == "customerId"
    assert error("customerId=abc").parameter == "customerId"


def test_statuses_and_overdue() -> None:
    query = from_query_string(
        "status=ACTIVE,cancelled&paymentStatus=paid,partiallypaid&isOverdue=True"
    )
    assert query.statuses == ["Active", "Canceled"]
    assert query.payment_statuses == ["Paid", "PartiallyPaid"]
    assert query.is_overdue is True
    assert from_query_string("isOverdue=false").is_overdue is False


def test_inline_filters() -> None:
    query = from_query_string("amount>=1000&balance%3E0&dueDate<2025-07-01&invoiceDate<>2025-01-01")
    assert [(f.field, f.op, f.value) for f in query.filters] == [
        ("amount", ">=", Decimal("1000")),
        ("balance", ">", Decimal("0")),
        ("dueDate", "<", date(2025, 7, 1)),
        ("invoiceDate", "!=", date(2025, 1, 1)),
    ]


def test_mistakes_name_the_parameter() -> None:
    assert error("amount>0.0001").parameter == "amount"
    assert error("paymentStatus=open").details[0].allowed[0] == "Applied"  # type: ignore[index]
    assert error("isOverdue=1").parameter == "isOverdue"
    assert error("sort=amount").parameter == "sort"
    assert error("page=1").error_code == "UNKNOWN_PARAMETER"
