"""Named dependencies every endpoint may declare (provided by ``app.py``).

A handler asks for them by parameter name: ``conn: DbConn``, ``principal: Caller``,
``ctx: Reading``, ``tx: WriteConn``.
"""

from __future__ import annotations

from litestar.di import NamedDependency

from selfserve.auth.principal import Principal
from selfserve.db import Conn
from selfserve.orders.service import ReadContext

DbConn = NamedDependency[Conn]
"""``conn``: a connection for reads."""
WriteConn = NamedDependency[Conn]
"""``tx``: a connection inside the request's transaction (commits when the handler succeeds)."""
Caller = NamedDependency[Principal]
Reading = NamedDependency[ReadContext]
