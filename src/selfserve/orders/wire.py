"""The API's order bytes, put together from stored documents without encoding them again.

An order on the wire is its stored document (``OrderDocument``) with ``OrderTail``'s fields
appended; its assets and invoices are their own stored documents. :class:`OrderBytes` collects
the pieces of a page (each document as it came from the database, the encoded lifecycle and
actions, and the field names and brackets between them) and joins them once, so the bytes of
a page of 50 orders (about 200 KB) are copied once on their way to the response instead of
once per nesting level. The field names come from ``OrderTail``, the schema of record.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from selfserve.orders.schemas import OrderTail

_NAMES = {f.name: f.encode_name for f in msgspec.structs.fields(OrderTail)}
_FLAG = (b"false", b"true")


def _key(name: str) -> bytes:
    return f',"{_NAMES[name]}":'.encode()


_OPEN = {name: _key(name) + b"[" for name in ("assets", "invoices")}
_TRUNCATED = {name: b"]" + _key(f"{name}_truncated") for name in ("assets", "invoices")}
_HISTORY, _HISTORY_TRUNCATED = _key("history"), _key("history_truncated")


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

    def documents(self, name: str, documents: Iterable[bytes], truncated: bool) -> None:
        """An include given as stored documents (``assets`` or ``invoices``)."""
        parts = self._parts
        parts += (_OPEN[name], b",".join(documents), _TRUNCATED[name], _FLAG[truncated])

    def history(self, events: bytes, truncated: bool) -> None:
        self._parts += (_HISTORY, events, _HISTORY_TRUNCATED, _FLAG[truncated])

    def close(self) -> None:
        self._parts.append(b"}")

    def array(self) -> bytes:
        """Every order, as a JSON array."""
        return b"".join([b"[", *self._parts, b"]"])

    def single(self) -> bytes:
        """The one order appended."""
        return b"".join(self._parts)
