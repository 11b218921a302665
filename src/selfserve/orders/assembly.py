"""Rows to wire structs for orders: no SQL, no rules beyond presentation.

This is the hot part of every order read (a page of 50 builds a few hundred structs and
converts over a thousand amounts), so it is written for the interpreter: each row is
unpacked once into named locals (indexing a driver row is a generic, slower lookup), structs
are built positionally in their field order (msgspec matches keyword arguments by name,
several times slower), and amounts go through the currency's tables fetched once per order
(``kit.money``: a dict lookup per amount).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from selfserve.db import Conn, Row
from selfserve.kit.money import minor_converter, percent_to_decimal, price_converter
from selfserve.orders.lifecycle import stage_of
from selfserve.orders.repository import PACKED, PER_READ
from selfserve.orders.schemas import (
    Action,
    Cancellation,
    Lifecycle,
    OrderDocument,
    OrderProductRead,
    OrderRead,
)


def group(rows: Iterable[Row], key: int = 0) -> dict[Any, list[Row]]:
    grouped: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def lines_from_rows(conn: Conn, rows: Iterable[Row], currency: str) -> list[OrderProductRead]:
    """Rows laid out as ``orders.repository.LINE_COLUMNS`` (order_id first)."""
    to_id, to_date = conn.to_id, conn.to_date
    price, minor = price_converter(currency), minor_converter(currency)
    percent = percent_to_decimal
    return [
        OrderProductRead(
            to_id(line_id),
            to_id(product_id),
            product_name,
            sku,
            category,
            None if entry is None else to_id(entry),
            change_type,
            asset_number,
            quantity,
            price_period,
            price(list_price),
            price(sales_price),
            percent(discount),
            minor(discount_amount),
            None if start is None else to_date(start),
            None if end is None else to_date(end),
            term,
            billing_period,
            minor(total_price),
            minor(tax_amount),
        )
        for (
            _order_id,
            line_id,
            product_id,
            product_name,
            sku,
            category,
            entry,
            change_type,
            asset_number,
            quantity,
            price_period,
            list_price,
            sales_price,
            discount,
            discount_amount,
            start,
            end,
            term,
            billing_period,
            total_price,
            tax_amount,
        ) in rows
    ]


def lifecycle_from_row(conn: Conn, r: Row, today: date, notice_days: int) -> Lifecycle:
    """From a row laid out as ``orders.repository.ORDER_COLUMNS``, at least up to
    ``PER_READ`` (a row read over stored documents has those columns too), as of the
    customer's ``today``; ``notice_days`` before a renewal the stage is ``renewal_due``."""
    to_date = conn.to_date
    status, canceled, end, renewal, auto_renew, term, effective = r[1], *r[3:9]
    next_renewal = None if renewal is None else to_date(renewal)
    cancel_effective = None if effective is None else to_date(effective)
    stage = stage_of(
        status,
        today,
        next_renewal=next_renewal,
        subscription_end=None if end is None else to_date(end),
        cancel_effective=cancel_effective,
        notice_days=notice_days,
    )
    cancellation = None
    if canceled is not None or effective is not None:
        cancellation = Cancellation(
            None if canceled is None else conn.to_ts(canceled),
            cancel_effective,
            r[9],  # reason
            r[10],  # canceled_by_id
        )
    return Lifecycle(
        stage,
        next_renewal,
        None if next_renewal is None else (next_renewal - today).days,  # days_until_renewal
        None if auto_renew is None else bool(auto_renew),
        term,  # renewal_term
        cancellation,
    )


def unpacked(conn: Conn, r: Row) -> Row:
    """The ``ORDER_COLUMNS`` row of a row read over stored documents (``PACKED``) whose order
    has no document."""
    return (*r[:PER_READ], *conn.unpack(r[PACKED]))


def order_from_row(
    conn: Conn, r: Row, lines: list[OrderProductRead], lifecycle: Lifecycle, actions: list[Action]
) -> OrderRead:
    """A row laid out as ``orders.repository.ORDER_COLUMNS`` (further columns ignored)."""
    # mypy cannot count the unpacked fields; OrderRead is OrderDocument's fields then these.
    return OrderRead(*_document_fields(conn, r, lines), lifecycle, actions)  # type: ignore[call-arg]


def document_from_row(conn: Conn, r: Row, lines: list[OrderProductRead]) -> OrderDocument:
    """The stored part of the order object (``orders.documents``) from the same row."""
    return OrderDocument(*_document_fields(conn, r, lines))


def _document_fields(conn: Conn, r: Row, lines: list[OrderProductRead]) -> tuple[Any, ...]:
    """``OrderDocument``'s fields, in order, from a row of ``ORDER_COLUMNS``."""
    to_id, to_date, to_ts = conn.to_id, conn.to_date, conn.to_ts
    (
        order_id, status, currency, canceled, sub_end, _, _, _, _, _, _, _, _,
        number, name, description, order_type, customer_id, created, modified, created_by,
        modified_by, effective, start, end, placed, activated, sub_start, term, billing_period,
        bill_cycle_day, list_total, subtotal, discount, discount_amount, system_discount,
        system_discount_amount, tax, total, acv, tcv, *_,
    ) = r  # fmt: skip
    minor, percent = minor_converter(currency), percent_to_decimal
    total_amount = minor(total)
    return (
        to_id(order_id),
        number,
        name,
        description,
        status,
        order_type,
        to_id(customer_id),
        currency,
        to_ts(created),
        to_ts(modified),
        created_by,
        modified_by,
        None if effective is None else to_date(effective),
        None if start is None else to_date(start),
        None if end is None else to_date(end),
        None if placed is None else to_date(placed),
        None if activated is None else to_ts(activated),
        None if canceled is None else to_ts(canceled),
        None if sub_start is None else to_date(sub_start),
        None if sub_end is None else to_date(sub_end),
        term,
        billing_period,
        bill_cycle_day,
        minor(list_total),
        minor(subtotal),
        percent(discount),
        minor(discount_amount),
        percent(system_discount),
        minor(system_discount_amount),
        minor(tax),
        total_amount,
        total_amount,  # grand_total
        minor(acv),
        minor(tcv),
        lines,
    )
