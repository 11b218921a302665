"""Creating customers (POST /customers): a batch of 1 to 200, all or nothing. Never commits.

Every item is checked before anything is written: first its shape (time zone, currency,
country, ids; all problems at once, a 400), then against the tenant (parents, a 404;
account numbers, a 409). Only then are the customers inserted, one change event each.

Account numbers: an item without ``accountNumber`` gets ``ACC-`` and the next number after
the tenant's largest ``ACC-N``, six digits at least (``ACC-000042``). The numbers are taken
inside the request's transaction after a per-tenant lock (``lock_customer_creation``), so two
concurrent batches take turns instead of taking the same numbers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from selfserve.auth.principal import Principal
from selfserve.customers import repository
from selfserve.customers.errors import AccountNumberTaken, InvalidCustomers, ParentNotFound
from selfserve.customers.schemas import MAX_BATCH, CustomerCreate, CustomerRead
from selfserve.customers.service import customer_from_row
from selfserve.db import Conn
from selfserve.errors import Conflict, ErrorDetail
from selfserve.history import service as history
from selfserve.kit.money import SUPPORTED_CURRENCIES

ACCOUNT_PREFIX = "ACC-"
_SEQUENCE = re.compile(r"ACC-([0-9]{1,18})")
_LARGEST = 10**18 - 1


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """IANA zone names this system knows (not the host-specific ``localtime``)."""
    return frozenset(available_timezones() - {"localtime", "Factory", "posixrules"})


def _canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _detail(index: int, field: str, problem: str) -> ErrorDetail:
    name = f"[{index}].{field}"
    return ErrorDetail(parameter=name, message=f"{name} {problem}")


def item_problems(index: int, item: CustomerCreate) -> list[ErrorDetail]:
    """What is wrong with one item on its own (pure)."""
    found = []
    if not item.name.strip():
        found.append(_detail(index, "name", "must not be blank."))
    if item.time_zone not in time_zones():
        found.append(_detail(index, "timeZone", "must be an IANA time zone such as "
                             f"Europe/Berlin; got {item.time_zone!r}."))  # fmt: skip
    if item.currency not in SUPPORTED_CURRENCIES:
        found.append(_detail(index, "currency", f"is not a supported currency: {item.currency!r}."))
        found[-1].allowed = sorted(SUPPORTED_CURRENCIES)
    if item.parent_customer_id is not None and _canonical_uuid(item.parent_customer_id) is None:
        found.append(_detail(index, "parentCustomerId", "must be a customer id (a UUID)."))
    return found


def batch_problems(items: Sequence[CustomerCreate]) -> list[ErrorDetail]:
    """Every shape problem of the batch, item by item, and account numbers given twice."""
    if not 1 <= len(items) <= MAX_BATCH:
        message = f"The body must be a JSON array of 1 to {MAX_BATCH} customers; got {len(items)}."
        return [ErrorDetail(parameter="body", message=message)]
    found: list[ErrorDetail] = []
    first_use: dict[str, int] = {}
    for index, item in enumerate(items):
        found.extend(item_problems(index, item))
        if item.account_number is not None:
            first = first_use.setdefault(item.account_number, index)
            if first != index:
                found.append(_detail(index, "accountNumber", f"repeats [{first}].accountNumber."))
    return found


async def create_customers(
    conn: Conn, principal: Principal, now: datetime, items: Sequence[CustomerCreate]
) -> list[CustomerRead]:
    """Create every item or none; the created customers in request order."""
    problems = batch_problems(items)
    if problems:
        raise InvalidCustomers(problems)
    tenant_id = principal.tenant_id
    await repository.lock_customer_creation(conn, tenant_id)
    await _check_parents(conn, principal, items)
    await _check_account_numbers(conn, tenant_id, items)
    numbers = await _account_numbers(conn, tenant_id, items)
    rows = [
        _values(tenant_id, item, number, now) for item, number in zip(items, numbers, strict=True)
    ]
    await repository.insert_customers(conn, rows)
    for row in rows:
        await _record(conn, principal, row, now)
    found = {conn.to_id(r[0]): r for r in await repository.customers_by_ids(
        conn, tenant_id, [row["id"] for row in rows])}  # fmt: skip
    return [customer_from_row(conn, found[row["id"]]) for row in rows]


async def _check_parents(conn: Conn, principal: Principal, items: Sequence[CustomerCreate]) -> None:
    """Parents must already be customers of the tenant (a batch cannot name its own items:
    their ids do not exist until it is created)."""
    wanted = {i: str(_canonical_uuid(x.parent_customer_id)) for i, x in enumerate(items)
              if x.parent_customer_id is not None}  # fmt: skip
    if not wanted:
        return
    found = await repository.existing_customer_ids(
        conn, principal.tenant_id, principal.customer_ids, sorted(set(wanted.values()))
    )
    missing = [_detail(i, "parentCustomerId", "names no customer of this tenant.")
               for i, parent in wanted.items() if parent not in found]  # fmt: skip
    if missing:
        raise ParentNotFound(missing)


async def _check_account_numbers(
    conn: Conn, tenant_id: str, items: Sequence[CustomerCreate]
) -> None:
    given = {i: x.account_number for i, x in enumerate(items) if x.account_number is not None}
    if not given:
        return
    taken = await repository.taken_account_numbers(conn, tenant_id, sorted(set(given.values())))
    clashes = [_detail(i, "accountNumber", f"{number!r} belongs to another customer.")
               for i, number in given.items() if number in taken]  # fmt: skip
    if clashes:
        raise AccountNumberTaken(clashes)


async def _account_numbers(
    conn: Conn, tenant_id: str, items: Sequence[CustomerCreate]
) -> list[str]:
    """Each item's account number: its own, or the next free ``ACC-`` number."""
    if all(item.account_number is not None for item in items):
        return [str(item.account_number) for item in items]
    given = [_SEQUENCE.fullmatch(x.account_number) for x in items if x.account_number]
    last = max([await repository.highest_account_sequence(conn, tenant_id)]
               + [int(m[1]) for m in given if m])  # fmt: skip
    numbers = []
    for item in items:
        if item.account_number is None:
            last += 1
            if last > _LARGEST:
                raise Conflict("No ACC- account number is left; give accountNumber explicitly.",
                               error_code="ACCOUNT_NUMBERS_EXHAUSTED")  # fmt: skip
        numbers.append(item.account_number or f"{ACCOUNT_PREFIX}{last:06d}")
    return numbers


def _values(tenant_id: str, item: CustomerCreate, number: str, now: datetime) -> dict[str, Any]:
    parent = item.parent_customer_id
    return {
        "id": str(uuid.uuid4()), "tenant_id": tenant_id,
        "parent_customer_id": None if parent is None else _canonical_uuid(parent),
        "account_number": number, "name": item.name, "email": item.email,
        "time_zone": item.time_zone, "currency": item.currency, "country": item.country,
        "created_at": now, "updated_at": now,
    }  # fmt: skip


async def _record(conn: Conn, principal: Principal, row: dict[str, Any], now: datetime) -> None:
    fields = {"accountNumber": row["account_number"], "name": row["name"],
              "currency": row["currency"], "timeZone": row["time_zone"],
              "country": row["country"], "parentCustomerId": row["parent_customer_id"]}  # fmt: skip
    await history.record(
        conn, tenant_id=principal.tenant_id, customer_id=row["id"], action="customer.created",
        entity_type="customer", entity_id=row["id"], actor=history.actor_of(principal), at=now,
        changes=history.diff({}, fields),
    )  # fmt: skip


__all__ = ["batch_problems", "create_customers", "item_problems", "time_zones"]
