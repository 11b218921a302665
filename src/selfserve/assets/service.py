"""Rules and views for subscriptions, physical assets and entitlements."""

from __future__ import annotations

from selfserve.assets.schemas import AssetRead
from selfserve.db import Conn, Row
from selfserve.kit.money import minor_to_decimal, price_to_decimal


def asset_from_row(conn: Conn, r: Row, offset: int = 0) -> AssetRead:
    """Build the wire view of an asset row laid out as ``assets.repository.ASSET_COLUMNS``."""
    to_date, currency = conn.to_date, r[offset + 14]
    start, end, canceled = r[offset + 8], r[offset + 9], r[offset + 20]
    previous = r[offset + 19]
    return AssetRead(
        id=conn.to_id(r[offset]),
        asset_type=r[offset + 1],
        asset_number=r[offset + 2],
        status=r[offset + 3],
        customer_id=conn.to_id(r[offset + 4]),
        product_id=conn.to_id(r[offset + 5]),
        product_name=r[offset + 6],
        quantity=r[offset + 7],
        start_date=None if start is None else to_date(start),
        end_date=None if end is None else to_date(end),
        term=r[offset + 10],
        renewal_term=r[offset + 11],
        auto_renew=bool(r[offset + 12]),
        billing_period=r[offset + 13],
        currency=currency,
        list_price=price_to_decimal(r[offset + 15], currency),
        price=price_to_decimal(r[offset + 16], currency),
        total_price=minor_to_decimal(r[offset + 17], currency),
        asset_version=r[offset + 18],
        last_versioned_asset_id=None if previous is None else conn.to_id(previous),
        cancellation_date=None if canceled is None else to_date(canceled),
    )
