"""SQL for the portal's detail pages that no JSON API endpoint reads yet: every version of
one subscription, physical asset or entitlement. Rows are laid out as
``assets.repository.ASSET_COLUMNS`` (so ``assets.service`` builds them exactly as the API
does) followed by ``is_current``."""

from __future__ import annotations

from selfserve.assets.repository import ASSET_COLUMNS
from selfserve.db import Conn, Row


async def asset_versions(
    conn: Conn, tenant_id: str, customer_ids: frozenset[str] | None, asset_id: str
) -> list[Row]:
    """Every version of the asset that ``asset_id`` (any of its versions) belongs to, newest
    first, when the caller may see its customer; one statement on the
    ``(tenant_id, asset_number, asset_version)`` index."""
    sql = conn.sql()
    tenant = sql.p(tenant_id)
    where = [
        f"a.tenant_id = {tenant}",
        f"a.asset_number = (SELECT s.asset_number FROM assets s WHERE s.id = {sql.p(asset_id)} "
        f"AND s.tenant_id = {tenant})",
    ]
    if customer_ids is not None:
        where.append(sql.in_("a.customer_id", sorted(customer_ids)))
    return await conn.fetch(
        f"SELECT {ASSET_COLUMNS}, a.is_current FROM assets a WHERE {' AND '.join(where)} "
        "ORDER BY a.asset_version DESC",
        sql.params,
    )
