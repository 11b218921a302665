"""Rows to wire structs for orders: no SQL, no rules beyond presentation.

This is the hot part of every order read (a page of 50 builds a few hundred structs and
converts over a thousand amounts), so structs are built positionally, in their field order
(msgspec matches keyword arguments by name, several times slower), and amounts go through
the currency's converters fetched once per order (``kit.money``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from selfserve.db import Conn, Row
from selfserve.kit.money import minor_converter, percent_to_decimal, price_converter
from selfserve.orders.schemas import Action, Cancellation, Lifecycle, OrderProductRead, OrderRead


def group(rows: Iterable[Row], key: int = 0) -> dict[Any, list[Row]]:
    grouped: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def lines_from_rows(conn: Conn, rows: Iterable[Row], currency: str) -> list[OrderProductRead]:
    """Rows laid out as ``orders.repository.LINE_COLUMNS`` (order_id first): the columns
    after order_id are the fields of ``OrderProductRead`` in order."""
    to_id, to_date = conn.to_id, conn.to_date
    price, minor, percent = price_converter(currency), minor_converter(currency), percent_to_decimal
    return [
        OrderProductRead(
            to_id(r[1]),
            to_id(r[2]),
            r[3],  # product_name
            r[4],  # product_sku
            r[5],  # product_category
            None if r[6] is None else to_id(r[6]),  # price_book_entry_id
            r[7],  # change_type
            r[8],  # asset_number
            r[9],  # quantity
            r[10],  # price_period
            price(r[11]),  # list_price
            price(r[12]),  # sales_price
            percent(r[13]),  # discount
            minor(r[14]),  # discount_amount
            None if r[15] is None else to_date(r[15]),  # subscription_start_date
            None if r[16] is None else to_date(r[16]),  # subscription_end_date
            r[17],  # subscription_term
            r[18],  # billing_period
            minor(r[19]),  # total_price
            minor(r[20]),  # tax_amount
        )
        for r in rows
    ]


def lifecycle_from_row(conn: Conn, r: Row, stage: str, today: date) -> Lifecycle:
    to_date = conn.to_date
    next_renewal = None if r[33] is None else to_date(r[33])
    cancellation = None
    if r[17] is not None or r[36] is not None:
        cancellation = Cancellation(
            None if r[17] is None else conn.to_ts(r[17]),  # canceled_date
            None if r[36] is None else to_date(r[36]),  # effective_date
            r[37],  # reason
            r[38],  # canceled_by_id
        )
    return Lifecycle(
        stage,
        next_renewal,
        None if next_renewal is None else (next_renewal - today).days,  # days_until_renewal
        None if r[34] is None else bool(r[34]),  # auto_renew
        r[35],  # renewal_term
        cancellation,
    )


def order_from_row(
    conn: Conn, r: Row, lines: list[OrderProductRead], lifecycle: Lifecycle, actions: list[Action]
) -> OrderRead:
    """A row laid out as ``orders.repository.ORDER_COLUMNS``: columns 0-30 are the fields of
    ``OrderRead`` up to ``totalAmount`` in order."""
    to_id, to_date, to_ts = conn.to_id, conn.to_date, conn.to_ts
    minor, percent = minor_converter(r[7]), percent_to_decimal
    total = minor(r[30])
    return OrderRead(
        to_id(r[0]),
        r[1],  # order_number
        r[2],  # name
        r[3],  # description
        r[4],  # status
        r[5],  # order_type
        to_id(r[6]),  # customer_id
        r[7],  # currency
        to_ts(r[8]),  # created_date
        to_ts(r[9]),  # last_modified_date
        r[10],  # created_by_id
        r[11],  # last_modified_by_id
        None if r[12] is None else to_date(r[12]),  # effective_date
        None if r[13] is None else to_date(r[13]),  # order_start_date
        None if r[14] is None else to_date(r[14]),  # order_end_date
        None if r[15] is None else to_date(r[15]),  # order_placed_date
        None if r[16] is None else to_ts(r[16]),  # activated_date
        None if r[17] is None else to_ts(r[17]),  # canceled_date
        None if r[18] is None else to_date(r[18]),  # subscription_start_date
        None if r[19] is None else to_date(r[19]),  # subscription_end_date
        r[20],  # subscription_term
        r[21],  # billing_period
        r[22],  # bill_cycle_day
        minor(r[23]),  # list_total
        minor(r[24]),  # subtotal
        percent(r[25]),  # discount
        minor(r[26]),  # discount_amount
        percent(r[27]),  # system_discount
        minor(r[28]),  # system_discount_amount
        minor(r[29]),  # tax_amount
        total,  # total_amount
        total,  # grand_total
        minor(r[31]),  # order_acv
        minor(r[32]),  # order_tcv
        lines,  # order_products
        lifecycle,
        actions,
    )
