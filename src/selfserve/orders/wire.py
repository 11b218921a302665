"""The API's order bytes, put together from stored documents without encoding them again.

An order on the wire is its stored document (``OrderDocument``) with ``OrderTail``'s fields
appended; its assets and invoices are their own stored documents. :class:`OrderBytes` collects
the pieces of a page (each document as it came from the database, the encoded lifecycle and
actions, and the field names and brackets between them) and joins them once, so the bytes of
a page of 50 orders (about 200 KB) are copied once on their way to the response instead of
once per nesting level. :meth:`OrderBytes.list_body` and :meth:`OrderBytes.single_body` put
the response envelope (``EncodedOrderList``, ``EncodedOrderEnvelope``) around them in the same
join, so the page is copied once in all. The field names come from those structs and
``OrderTail``, the schemas of record.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from selfserve.kit.http import encoder
from selfserve.kit.pagination import Pagination
from selfserve.orders.schemas import EncodedOrderEnvelope, EncodedOrderList, OrderTail

_NAMES = {f.name: f.encode_name for f in msgspec.structs.fields(OrderTail)}
_SUCCESS = b'"SUCCESS"'
_FLAG = (b"false", b"true")


def _key(name: str) -> bytes:
    return f',"{_NAMES[name]}":'.encode()


_OPEN = {name: _key(name) + b"[" for name in ("assets", "invoices")}
_TRUNCATED = {name: b"]" + _key(f"{name}_truncated") for name in ("assets", "invoices")}
_HISTORY, _HISTORY_TRUNCATED = _key("history"), _key("history_truncated")


def _envelope(struct: type[msgspec.Struct]) -> tuple[bytes, ...]:
    """The envelope's field names, as ``"name":`` in the struct's field order."""
    return tuple(f'"{f.encode_name}":'.encode() for f in msgspec.structs.fields(struct))


_LIST_STATUS, _LIST_DATA, _LIST_PAGINATION = _envelope(EncodedOrderList)
_LIST_OPEN = b"{" + _LIST_STATUS + _SUCCESS + b"," + _LIST_DATA + b"["
_LIST_CLOSE = b"]," + _LIST_PAGINATION
_ONE_STATUS, _ONE_DATA = _envelope(EncodedOrderEnvelope)
_ONE_OPEN = b"{" + _ONE_STATUS + _SUCCESS + b"," + _ONE_DATA


class OrderBytes:
    """Orders appended one after another; :meth:`array` or :meth:`single` joins them."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes | memoryview] = []

    def open(self, document: bytes, head: bytes) -> None:
        """Starts an order: its stored document, then ``head``, an encoded ``OrderTail``
        with no includes set (its lifecycle and actions)."""
        parts = self._parts
        if parts:
            parts.append(b",")
        # Both are JSON objects: the document loses its closing brace, the head its opening
        # one and its closing one, which close() puts back after the includes.
        parts += (memoryview(document)[:-1], b",", memoryview(head)[1:-1])

    def documents(self, name: str, documents: Sequence[bytes], cap: int) -> None:
        """An include given as its objects' bytes (``assets`` or ``invoices``): the first
        ``cap``, and whether there are more."""
        parts = self._parts
        parts += (_OPEN[name], b",".join(documents[:cap]), _TRUNCATED[name])
        parts.append(_FLAG[len(documents) > cap])

    def history(self, events: bytes, truncated: bool) -> None:
        self._parts += (_HISTORY, events, _HISTORY_TRUNCATED, _FLAG[truncated])

    def close(self) -> None:
        self._parts.append(b"}")

    def single(self) -> bytes:
        """The one order appended."""
        return b"".join(self._parts)

    def list_body(self, pagination: Pagination) -> bytes:
        """A successful ``EncodedOrderList`` of every order, encoded."""
        tail = encoder.encode(pagination)
        return b"".join([_LIST_OPEN, *self._parts, _LIST_CLOSE, tail, b"}"])

    def single_body(self) -> bytes:
        """A successful ``EncodedOrderEnvelope`` of the one order appended, encoded."""
        return b"".join((_ONE_OPEN, self.single(), b"}"))  # one order: the copy is small
