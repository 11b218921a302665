"""Which customers a request may read: the caller-scoped part of every statement."""

from __future__ import annotations

from selfserve.auth.principal import Principal
from selfserve.errors import Forbidden, InvalidParameter


def readable_customer_ids(principal: Principal, requested: list[str] | None) -> list[str]:
    """The customer ids a list request reads.

    An API key reads any customer of its tenant but must name them (``customerIds`` is
    required, as in Nue). A customer token defaults to its bound customers and may narrow
    them; naming any other id is a 403 whether or not that customer exists.
    """
    if principal.customer_ids is None:
        if not requested:
            raise InvalidParameter(
                "customerIds",
                'customerIds is required: a JSON array of customer ids, e.g. ["c1","c2"].',
                code="MISSING_PARAMETER",
            )
        return requested
    if not requested:
        return sorted(principal.customer_ids)
    outside = [cid for cid in requested if cid not in principal.customer_ids]
    if outside:
        raise Forbidden(
            "customerIds names a customer this credential may not read.",
            error_code="CUSTOMER_NOT_ALLOWED",
        )
    return requested
