"""orders.wire joins a page from stored documents into exactly what encoding the order's
``OrderTail`` after its document gives (the form ``OrderRead`` has on the wire)."""

from __future__ import annotations

import json
from datetime import date

import msgspec

from selfserve.kit.http import encoder
from selfserve.kit.pagination import Pagination
from selfserve.orders.schemas import (
    Action,
    Cancellation,
    EncodedOrderEnvelope,
    EncodedOrderList,
    Lifecycle,
    OrderTail,
)
from selfserve.orders.wire import OrderBytes

_DOCUMENT = b'{"id":"o-1","orderNumber":"O-00000001","orderProducts":[{"id":"l-1"}]}'
_ASSETS = [b'{"assetNumber":"SUB-00000001"}', b'{"assetNumber":"AST-00000002"}']
_INVOICES = [b'{"invoiceNumber":"INV-00000001","isOverdue":true}']


def _lifecycle() -> Lifecycle:
    cancellation = Cancellation(None, date(2026, 12, 31), "Too expensive", None)
    return Lifecycle("pending_cancellation", date(2027, 1, 1), 34, True, 12, cancellation)


def _head(actions: list[Action]) -> bytes:
    return encoder.encode(OrderTail(_lifecycle(), actions))


def _encoded(tail: OrderTail, document: bytes = _DOCUMENT) -> bytes:
    """The order as encoding its tail after its document gives it."""
    return document[:-1] + b"," + encoder.encode(tail)[1:]


def test_an_order_with_every_include_is_its_document_then_its_tail() -> None:
    actions = [Action("uncancel", "POST", "/subscriptions/s-1/uncancel")]
    history = b'[{"id":"e-1","action":"order.created"}]'
    out = OrderBytes()
    out.open(_DOCUMENT, _head(actions))
    out.documents("assets", [*_ASSETS, b"{}"], cap=len(_ASSETS))
    out.documents("invoices", _INVOICES, cap=len(_INVOICES))
    out.history(history, truncated=False)
    out.close()
    expected = OrderTail(
        _lifecycle(),
        actions,
        assets=[msgspec.Raw(a) for a in _ASSETS],
        assets_truncated=True,
        invoices=[msgspec.Raw(i) for i in _INVOICES],
        invoices_truncated=False,
    )
    # history holds structs in OrderTail; its encoded form goes in as given
    want = _encoded(expected)[:-1] + b',"history":' + history + b',"historyTruncated":false}'
    assert out.single() == want
    assert json.loads(out.single())["assetsTruncated"] is True


def test_an_order_without_includes_has_only_its_lifecycle_and_actions() -> None:
    out = OrderBytes()
    out.open(_DOCUMENT, _head([]))
    out.close()
    assert out.single() == _encoded(OrderTail(_lifecycle(), []))
    assert "assets" not in json.loads(out.single())


def test_empty_includes_are_empty_arrays() -> None:
    out = OrderBytes()
    out.open(_DOCUMENT, _head([]))
    out.documents("assets", [], cap=20)
    out.close()
    tail = OrderTail(_lifecycle(), [], assets=[], assets_truncated=False)
    assert out.single() == _encoded(tail)


def _list(orders: list[bytes], pagination: Pagination) -> bytes:
    data = msgspec.Raw(b"[" + b",".join(orders) + b"]")
    return encoder.encode(EncodedOrderList("SUCCESS", data, pagination))


def test_a_page_is_the_list_envelope_around_its_orders_in_order() -> None:
    pagination = Pagination(limit=2, has_more=True, next_cursor="c-1", total=7)
    out = OrderBytes()
    assert out.list_body(pagination) == _list([], pagination)
    documents = [_DOCUMENT, _DOCUMENT.replace(b"o-1", b"o-2")]
    for document in documents:
        out.open(document, _head([]))
        out.close()
    tail = OrderTail(_lifecycle(), [])
    body = out.list_body(pagination)
    assert body == _list([_encoded(tail, d) for d in documents], pagination)
    assert [order["id"] for order in json.loads(body)["data"]] == ["o-1", "o-2"]
    assert json.loads(body)["pagination"]["nextCursor"] == "c-1"


def test_one_order_is_the_envelope_around_it() -> None:
    out = OrderBytes()
    out.open(_DOCUMENT, _head([]))
    out.close()
    expected = EncodedOrderEnvelope("SUCCESS", msgspec.Raw(out.single()))
    assert out.single_body() == encoder.encode(expected)
    assert json.loads(out.single_body())["data"]["id"] == "o-1"
