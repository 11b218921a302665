"""Rows to wire structs for orders: no SQL, no rules beyond presentation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from selfserve.db import Conn, Row
from selfserve.kit.money import minor_to_decimal, percent_to_decimal, price_to_decimal
from selfserve.orders.schemas import Action, Cancellation, Lifecycle, OrderProductRead, OrderRead


def group(rows: Iterable[Row], key: int = 0) -> dict[Any, list[Row]]:
    grouped: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def line_from_row(conn: Conn, r: Row, currency: str) -> OrderProductRead:
    """A row laid out as ``orders.repository.LINE_COLUMNS`` (order_id first)."""
    to_date, pbe = conn.to_date, r[6]
    start, end = r[15], r[16]
    return OrderProductRead(
        id=conn.to_id(r[1]),
        product_id=conn.to_id(r[2]),
        product_name=r[3],
        product_sku=r[4],
        product_category=r[5],
        price_book_entry_id=None if pbe is None else conn.to_id(pbe),
        change_type=r[7],
        asset_number=r[8],
        quantity=r[9],
        price_period=r[10],
        list_price=price_to_decimal(r[11], currency),
        sales_price=price_to_decimal(r[12], currency),
        discount=percent_to_decimal(r[13]),
        discount_amount=minor_to_decimal(r[14], currency),
        subscription_start_date=None if start is None else to_date(start),
        subscription_end_date=None if end is None else to_date(end),
        subscription_term=r[17],
        billing_period=r[18],
        total_price=minor_to_decimal(r[19], currency),
        tax_amount=minor_to_decimal(r[20], currency),
    )


def _maybe(convert: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else convert(value)


def lifecycle_from_row(conn: Conn, r: Row, stage: str, today: date) -> Lifecycle:
    next_renewal = _maybe(conn.to_date, r[33])
    cancellation = None
    if r[17] is not None or r[36] is not None:
        cancellation = Cancellation(
            canceled_date=_maybe(conn.to_ts, r[17]),
            effective_date=_maybe(conn.to_date, r[36]),
            reason=r[37],
            canceled_by_id=r[38],
        )
    return Lifecycle(
        stage=stage,
        next_renewal_date=next_renewal,
        days_until_renewal=None if next_renewal is None else (next_renewal - today).days,
        auto_renew=None if r[34] is None else bool(r[34]),
        renewal_term=r[35],
        cancellation=cancellation,
    )


def order_from_row(
    conn: Conn, r: Row, lines: list[OrderProductRead], lifecycle: Lifecycle, actions: list[Action]
) -> OrderRead:
    """A row laid out as ``orders.repository.ORDER_COLUMNS``."""
    to_date, currency = conn.to_date, r[7]
    total = minor_to_decimal(r[30], currency)
    return OrderRead(
        id=conn.to_id(r[0]),
        order_number=r[1],
        name=r[2],
        description=r[3],
        status=r[4],
        order_type=r[5],
        customer_id=conn.to_id(r[6]),
        currency=currency,
        created_date=conn.to_ts(r[8]),
        last_modified_date=conn.to_ts(r[9]),
        created_by_id=r[10],
        last_modified_by_id=r[11],
        effective_date=_maybe(to_date, r[12]),
        order_start_date=_maybe(to_date, r[13]),
        order_end_date=_maybe(to_date, r[14]),
        order_placed_date=_maybe(to_date, r[15]),
        activated_date=_maybe(conn.to_ts, r[16]),
        canceled_date=_maybe(conn.to_ts, r[17]),
        subscription_start_date=_maybe(to_date, r[18]),
        subscription_end_date=_maybe(to_date, r[19]),
        subscription_term=r[20],
        billing_period=r[21],
        bill_cycle_day=r[22],
        list_total=minor_to_decimal(r[23], currency),
        subtotal=minor_to_decimal(r[24], currency),
        discount=percent_to_decimal(r[25]),
        discount_amount=minor_to_decimal(r[26], currency),
        system_discount=percent_to_decimal(r[27]),
        system_discount_amount=minor_to_decimal(r[28], currency),
        tax_amount=minor_to_decimal(r[29], currency),
        total_amount=total,
        grand_total=total,
        order_acv=minor_to_decimal(r[31], currency),
        order_tcv=minor_to_decimal(r[32], currency),
        order_products=lines,
        lifecycle=lifecycle,
        actions=actions,
    )
