"""Reading customers. Never commits."""

from __future__ import annotations

from selfserve.auth.principal import Principal
from selfserve.customers import repository
from selfserve.customers.errors import CustomerNotFound
from selfserve.customers.schemas import CustomerEnvelope, CustomerList, CustomerRead
from selfserve.db import Conn, Row
from selfserve.errors import InvalidParameter
from selfserve.kit.pagination import Cursor, Pagination, Sort, SortKey, encode_cursor
from selfserve.kit.query import canonical_uuid

CUSTOMER_SORT = Sort(SortKey("createdDate", "created_at", "timestamp"), descending=False)


def customer_from_row(conn: Conn, r: Row) -> CustomerRead:
    parent = r[4]
    return CustomerRead(
        id=conn.to_id(r[0]),
        account_number=r[1],
        name=r[2],
        email=r[3],
        parent_customer_id=None if parent is None else conn.to_id(parent),
        time_zone=r[5],
        currency=r[6],
        country=r[7],
        created_date=conn.to_ts(r[8]),
        last_modified_date=conn.to_ts(r[9]),
    )


async def list_customers(
    conn: Conn, principal: Principal, *, limit: int, cursor: Cursor | None, search: str | None
) -> CustomerList:
    """Customers of the caller's tenant (a token: only its own), oldest first."""
    rows, total = await repository.list_customers(
        conn,
        principal.tenant_id,
        principal.customer_ids,
        sort=CUSTOMER_SORT,
        limit=limit,
        cursor=cursor,
        search=search,
    )
    has_more = len(rows) > limit
    customers = [customer_from_row(conn, r) for r in rows[:limit]]
    next_cursor = None
    if has_more:
        last = customers[-1]
        next_cursor = encode_cursor(CUSTOMER_SORT, last.created_date, last.id)
    if cursor is not None and not rows:
        total = await _count(conn, principal)
    return CustomerList(
        status="SUCCESS",
        data=customers,
        pagination=Pagination(limit=limit, has_more=has_more, next_cursor=next_cursor, total=total),
    )


async def get_customer(conn: Conn, principal: Principal, customer_id: str) -> CustomerEnvelope:
    """One customer; unknown, malformed and invisible ids are the same 404."""
    try:
        canonical = canonical_uuid("customerId", customer_id)
    except InvalidParameter:
        raise CustomerNotFound() from None
    row = await repository.get_customer(
        conn, principal.tenant_id, principal.customer_ids, canonical
    )
    if row is None:
        raise CustomerNotFound()
    return CustomerEnvelope(status="SUCCESS", data=customer_from_row(conn, row))


async def _count(conn: Conn, principal: Principal) -> int:
    _, total = await repository.list_customers(
        conn,
        principal.tenant_id,
        principal.customer_ids,
        sort=CUSTOMER_SORT,
        limit=0,
        cursor=None,
        search=None,
    )
    return total
