"""SQL for orders. Every statement starts from the caller's tenant and customer scope.

A page is one statement: the ordered, index-served page (``LIMIT n + 1`` to learn whether
more follow) with the total as an uncorrelated scalar subquery that both engines evaluate
once. The lines of the page's orders are one more statement; each include one more.

A walk through the pages is pinned at the tenant's order clock of its first page and places
every order by its sort value at that revision (``docs/api.md``, "Pagination"): orders not
changed since are read in index order, each order changed since by the row of
``order_sort_history`` that was valid at the pin.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from selfserve.db import Conn, Row, Sql, insert_row
from selfserve.kit.money import thousandths_sql
from selfserve.kit.pagination import Cursor, after_cursor, order_by
from selfserve.kit.query import Filter
from selfserve.orders.query import OrderListQuery

_COLUMNS = (
    # What every read needs, first: the id, the lifecycle's and the actions' inputs, the
    # currency and the customer's time zone ...
    "o.id", "o.status", "o.currency", "o.canceled_at", "o.subscription_end_date",
    "o.next_renewal_date", "o.auto_renew", "o.renewal_term", "o.cancel_effective_date",
    "o.cancellation_reason", "o.canceled_by_id", "c.time_zone",
    # ... and the subscription version the order's own cancellation scheduled: the target of
    # its uncancel action, looked up only for the few orders that have one.
    "CASE WHEN o.cancel_effective_date IS NOT NULL AND o.status = 'Activated' THEN "
    "(SELECT a.id FROM assets a WHERE a.order_id = o.id AND a.tenant_id = o.tenant_id "
    "AND a.is_current AND a.asset_type = 'Subscription' "
    "AND a.status = 'Scheduled for Cancellation' ORDER BY a.asset_number LIMIT 1) END",
    # Then what only building a document reads.
    "o.order_number", "o.name", "o.description", "o.order_type", "o.customer_id",
    "o.created_at", "o.updated_at", "o.created_by_id", "o.last_modified_by_id",
    "o.effective_date", "o.order_start_date", "o.order_end_date", "o.order_placed_date",
    "o.activated_at", "o.subscription_start_date", "o.subscription_term", "o.billing_period",
    "o.bill_cycle_day", "o.list_total", "o.subtotal", "o.discount", "o.discount_amount",
    "o.system_discount", "o.system_discount_amount", "o.tax_amount", "o.total_amount",
    "o.order_acv", "o.order_tcv",
)  # fmt: skip
# Positions in an order row: the currency, the customer's time zone, the uncancel target and
# the first column only a document needs (PER_READ: how many every read takes).
CURRENCY, TIME_ZONE, UNCANCEL_TARGET, PER_READ = 2, 11, 12, 13
ORDER_COLUMNS = ", ".join(_COLUMNS)
# The same layout for building documents, which do not need the uncancel target (a lookup per
# order that a bulk load, without its indexes yet, could not afford).
BUILD_COLUMNS = ", ".join((*_COLUMNS[:UNCANCEL_TARGET], "NULL", *_COLUMNS[PER_READ:]))
# Reads over stored documents (orders.documents) lay an order row out as the columns every read
# takes, then the others packed into one value for an order that has no document yet
# (Conn.unpack; NULL otherwise), then the document: one column instead of 28 that SQLite's
# driver would fetch one by one, NULL or not.
PACKED, DOCUMENT = PER_READ, PER_READ + 1


def _document_columns(sql: Sql) -> str:
    unbuilt = sql.packed(_COLUMNS[PER_READ:], unless="o.document")
    return ", ".join((*_COLUMNS[:PER_READ], unbuilt, "o.document"))


LINE_COLUMNS = (
    "order_id, id, product_id, product_name, product_sku, product_category, "
    "price_book_entry_id, change_type, asset_number, quantity, price_period, list_price, "
    "sales_price, discount, discount_amount, subscription_start_date, subscription_end_date, "
    "subscription_term, billing_period, total_price, tax_amount"
)

_FILTER_COLUMNS = {
    "orderNumber": "order_number",
    "orderType": "order_type",
    "currency": "currency",
    "createdDate": "created_at",
    "lastModifiedDate": "updated_at",
    "activatedDate": "activated_at",
    "orderPlacedDate": "order_placed_date",
    "effectiveDate": "effective_date",
    "subscriptionStartDate": "subscription_start_date",
    "subscriptionEndDate": "subscription_end_date",
    "totalAmount": "total_amount",
    "listTotal": "list_total",
}
_MONEY_FILTERS = frozenset({"totalAmount", "listTotal"})
# A page row is ORDER_COLUMNS (or the layout over documents) followed by these: the order's
# sort value in its walk, the total, and the tenant's order clock (NULL before the tenant's
# first order).
WALK_VALUE, TOTAL, CLOCK = -3, -2, -1


def _filter(sql: Sql, flt: Filter[Any], alias: str) -> str:
    column = f"{alias}.{_FILTER_COLUMNS[flt.field]}"
    if flt.field in _MONEY_FILTERS:
        value: Decimal = flt.value
        thousandths = value.scaleb(3)  # the query parser allows at most 3 decimals
        scale = thousandths_sql(f"{alias}.currency")
        return f"{column} * {scale} {flt.op} {sql.p(int(thousandths))}"
    if (
        isinstance(flt.value, date)
        and not isinstance(flt.value, datetime)
        and flt.field
        in (
            "createdDate",
            "lastModifiedDate",
            "activatedDate",
        )
    ):
        return _day_filter(sql, column, flt.op, flt.value)
    return f"{column} {flt.op} {sql.p(flt.value)}"


def _day_filter(sql: Sql, column: str, op: str, day: date) -> str:
    """A timestamp compared with a whole UTC day: ``createdDate=2025-01-01`` is that day."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    if op == "=":
        return f"({column} >= {sql.p(start)} AND {column} < {sql.p(end)})"
    if op == "!=":
        return f"({column} < {sql.p(start)} OR {column} >= {sql.p(end)})"
    bound = {">": (">=", end), ">=": (">=", start), "<": ("<", start), "<=": ("<", end)}[op]
    return f"{column} {bound[0]} {sql.p(bound[1])}"


def _conditions(
    sql: Sql,
    tenant_id: str,
    query: OrderListQuery,
    alias: str,
    windows: Sequence[tuple[list[str], date, date]],
) -> list[str]:
    ids = query.customer_ids or []
    where = [f"{alias}.tenant_id = {sql.p(tenant_id)}"]
    where.append(
        f"{alias}.customer_id = {sql.p(ids[0])}"
        if len(ids) == 1
        else sql.in_(f"{alias}.customer_id", ids)
    )
    if query.statuses:
        where.append(sql.in_(f"{alias}.status", query.statuses, "text"))
    if query.search:
        number = sql.ilike(f"{alias}.order_number", query.search)
        where.append(f"({number} OR {sql.ilike(f'{alias}.name', query.search)})")
    where.extend(_filter(sql, flt, alias) for flt in query.filters)
    if query.renewal_within_days is not None:
        where.append(f"{alias}.status = 'Activated'")
        where.append(
            "("
            + " OR ".join(
                f"({sql.in_(alias + '.customer_id', group)} AND {alias}.next_renewal_date "
                f"BETWEEN {sql.p(start)} AND {sql.p(end)})"
                for group, start, end in windows
            )
            + ")"
            if windows
            else "1 = 0"
        )
    return where


async def list_orders(
    conn: Conn,
    tenant_id: str,
    query: OrderListQuery,
    windows: Sequence[tuple[list[str], date, date]] = (),
    documents: bool = False,
) -> tuple[list[Row], int | None]:
    """Up to ``limit + 1`` rows of the page plus the total (None when the page is empty:
    count it separately). Rows are ``ORDER_COLUMNS`` (with ``documents``: laid out over stored
    documents, ``PACKED`` and ``DOCUMENT``) followed by ``WALK_VALUE, TOTAL, CLOCK``; a pinned
    page's rows come in two ordered runs, to be merged (``kit.pagination.in_sort_order``)."""
    sql = conn.sql()
    columns = _document_columns(sql) if documents else ORDER_COLUMNS
    count_where = " AND ".join(_conditions(sql, tenant_id, query, "t", windows))
    page = _page(sql, tenant_id, query, windows, columns)
    rows = await conn.fetch(
        f"SELECT u.*, (SELECT count(*) FROM orders t WHERE {count_where}), "
        f"(SELECT revision FROM order_clocks WHERE tenant_id = {sql.p(tenant_id)}) "
        f"FROM ({page}) u",
        sql.params,
    )
    return rows, (rows[0][TOTAL] if rows else None)


def _page(
    sql: Sql,
    tenant_id: str,
    query: OrderListQuery,
    windows: Sequence[tuple[list[str], date, date]],
    columns: str,
) -> str:
    sort, cursor = query.sort, query.cursor
    pin = None if cursor is None else cursor.pin
    where = _conditions(sql, tenant_id, query, "o", windows)
    if cursor is not None:
        where.append(after_cursor(sql, sort, cursor, "o"))
    if pin is not None:
        # Unchanged since the pin, an order's value now is its value then; an immutable key's
        # value always is, so only orders created after the pin stay out.
        revision = "created_revision" if sort.key.immutable else "revision"
        where.append(f"o.{revision} <= {sql.p(pin)}")
    unchanged = (
        f"SELECT {columns}, {sql.sort_value('o.' + sort.key.column, sort.key.kind)} AS walk_value "
        "FROM orders o JOIN customers c ON c.id = o.customer_id "
        f"WHERE {' AND '.join(where)} ORDER BY {order_by(sql, sort, 'o')} "
        f"LIMIT {sql.p(query.limit + 1)}"
    )
    if cursor is None or pin is None or sort.key.immutable:
        return unchanged
    changed = _changed_since(sql, tenant_id, query, windows, cursor, pin, columns)
    return f"SELECT * FROM ({unchanged}) a UNION ALL SELECT * FROM ({changed}) b"


def _changed_since(
    sql: Sql,
    tenant_id: str,
    query: OrderListQuery,
    windows: Sequence[tuple[list[str], date, date]],
    cursor: Cursor,
    pin: int,
    columns: str,
) -> str:
    """Orders whose sort value changed after ``pin``, each by the value it had at ``pin``.

    They are found through the history's index on when a value was replaced, so the cost
    follows the changes made during the walk, not the size of the customers' history; only
    these rows are sorted.
    """
    sort, ids, at = query.sort, query.customer_ids or [], sql.p(pin)
    column, ident = f"h.{sort.key.column}", "h.order_id"
    where = [
        f"h.tenant_id = {sql.p(tenant_id)}",
        f"h.customer_id = {sql.p(ids[0])}" if len(ids) == 1 else sql.in_("h.customer_id", ids),
        f"h.valid_to > {at}",
        f"h.valid_from <= {at}",
        *_conditions(sql, tenant_id, query, "o", windows),
        after_cursor(sql, sort, cursor, "h", column=column, ident=ident),
    ]
    return (
        f"SELECT {columns}, {sql.sort_value(column, sort.key.kind)} AS walk_value "
        "FROM order_sort_history h "
        "JOIN orders o ON o.id = h.order_id JOIN customers c ON c.id = o.customer_id "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY {order_by(sql, sort, 'h', column=column, ident=ident)} "
        f"LIMIT {sql.p(query.limit + 1)}"
    )


async def count_orders(
    conn: Conn,
    tenant_id: str,
    query: OrderListQuery,
    windows: Sequence[tuple[list[str], date, date]] = (),
) -> int:
    sql = conn.sql()
    where = " AND ".join(_conditions(sql, tenant_id, query, "t", windows))
    return int(await conn.fetchval(f"SELECT count(*) FROM orders t WHERE {where}", sql.params))


async def get_order(
    conn: Conn,
    tenant_id: str,
    customer_ids: frozenset[str] | None,
    order_id: str,
    documents: bool = False,
) -> Row | None:
    """The order as a row of ``ORDER_COLUMNS`` (with ``documents``: laid out over stored
    documents, ``PACKED`` and ``DOCUMENT``), if the caller may see it."""
    sql = conn.sql()
    columns = _document_columns(sql) if documents else ORDER_COLUMNS
    where = [f"o.id = {sql.p(order_id)}", f"o.tenant_id = {sql.p(tenant_id)}"]
    if customer_ids is not None:
        where.append(sql.in_("o.customer_id", sorted(customer_ids)))
    return await conn.fetchrow(
        f"SELECT {columns} FROM orders o JOIN customers c ON c.id = o.customer_id "
        f"WHERE {' AND '.join(where)}",
        sql.params,
    )


async def lines_for(conn: Conn, tenant_id: str, order_ids: Sequence[Any]) -> list[Row]:
    sql = conn.sql()
    return await conn.fetch(
        f"SELECT {LINE_COLUMNS} FROM order_products WHERE {sql.in_('order_id', order_ids)} "
        f"AND tenant_id = {sql.p(tenant_id)} ORDER BY order_id, line_number",
        sql.params,
    )


# --- writes -----------------------------------------------------------------------------------


async def customer_in_scope(
    conn: Conn, tenant_id: str, customer_ids: frozenset[str] | None, customer_id: str
) -> Row | None:
    """``(id, currency, country, time_zone)`` of a customer the caller may act for."""
    sql = conn.sql()
    where = [f"id = {sql.p(customer_id)}", f"tenant_id = {sql.p(tenant_id)}"]
    if customer_ids is not None:
        where.append(sql.in_("id", sorted(customer_ids)))
    return await conn.fetchrow(
        f"SELECT id, currency, country, time_zone FROM customers WHERE {' AND '.join(where)}",
        sql.params,
    )


async def price_book_entries(conn: Conn, tenant_id: str, entry_ids: Sequence[str]) -> list[Row]:
    """``(id, product_id, currency, list_price, price_period, active, name, sku, category)``."""
    sql = conn.sql()
    return await conn.fetch(
        "SELECT e.id, e.product_id, e.currency, e.list_price, e.price_period, e.active, "
        "p.name, p.sku, p.product_category FROM price_book_entries e "
        f"JOIN products p ON p.id = e.product_id WHERE e.tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('e.id', list(entry_ids))}",
        sql.params,
    )


async def tenant_terms(conn: Conn, tenant_id: str, country: str | None) -> Row:
    """``(payment_terms_days, grace_period_days, tax rate for country or None)``."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT t.payment_terms_days, t.grace_period_days, (SELECT r.rate FROM tax_rates r "
        f"WHERE r.tenant_id = t.id AND r.country = {sql.p(country or '')}) FROM tenants t "
        f"WHERE t.id = {sql.p(tenant_id)}",
        sql.params,
    )
    assert row is not None, "the principal's tenant exists"
    return row


async def insert_order(conn: Conn, values: dict[str, Any]) -> None:
    await insert_row(conn, "orders", values)


async def insert_line(conn: Conn, values: dict[str, Any]) -> None:
    await insert_row(conn, "order_products", values)


# --- undoing a scheduled cancellation -----------------------------------------------------


async def customer_calendar(conn: Conn, tenant_id: str, customer_id: str) -> Row:
    """``(time_zone, the tenant's payment_terms_days)`` of a customer."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "SELECT c.time_zone, t.payment_terms_days FROM customers c "
        f"JOIN tenants t ON t.id = c.tenant_id WHERE c.id = {sql.p(customer_id)} "
        f"AND c.tenant_id = {sql.p(tenant_id)}",
        sql.params,
    )
    assert row is not None, "an asset's customer exists"
    return row


async def cancel_lines(
    conn: Conn, tenant_id: str, order_id: str, asset_number: str, priced_on: int
) -> list[str]:
    """Ids of the order's Cancel lines for ``asset_number`` priced on version ``priced_on``."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT id FROM order_products WHERE order_id = {sql.p(order_id)} "
        f"AND tenant_id = {sql.p(tenant_id)} AND change_type = 'Cancel' "
        f"AND asset_number = {sql.p(asset_number)} AND asset_version = {sql.p(priced_on)} "
        "ORDER BY line_number",
        sql.params,
    )
    return [conn.to_id(r[0]) for r in rows]


async def order_cancellation(conn: Conn, tenant_id: str, order_id: str) -> Row | None:
    """``(canceled_at, cancel_effective_date)`` of an order's own cancellation, if any."""
    sql = conn.sql()
    return await conn.fetchrow(
        "SELECT canceled_at, cancel_effective_date FROM orders "
        f"WHERE id = {sql.p(order_id)} AND tenant_id = {sql.p(tenant_id)} "
        "AND cancel_effective_date IS NOT NULL",
        sql.params,
    )


async def clear_cancellation(
    conn: Conn, tenant_id: str, order_id: str, now: datetime, by: str
) -> bool:
    """Remove an order's own cancellation record; False when it has none (any more)."""
    sql = conn.sql()
    row = await conn.fetchrow(
        "UPDATE orders SET canceled_at = NULL, cancel_effective_date = NULL, "
        "cancellation_reason = NULL, canceled_by_id = NULL, "
        f"updated_at = {sql.p(now)}, last_modified_by_id = {sql.p(by)} "
        f"WHERE id = {sql.p(order_id)} AND tenant_id = {sql.p(tenant_id)} "
        "AND cancel_effective_date IS NOT NULL RETURNING id",
        sql.params,
    )
    return row is not None


async def orders_touching(conn: Conn, tenant_id: str, asset_numbers: Sequence[str]) -> list[str]:
    """Every order that created or changed a version of one of ``asset_numbers``."""
    sql = conn.sql()
    rows = await conn.fetch(
        f"SELECT DISTINCT order_id FROM assets WHERE tenant_id = {sql.p(tenant_id)} "
        f"AND {sql.in_('asset_number', list(asset_numbers), 'text')}",
        sql.params,
    )
    return sorted(conn.to_id(r[0]) for r in rows)
