"""Document query parameters that the strict parser reads from the raw query string.

Handlers of list endpoints parse ``scope["query_string"]`` themselves (inline-operator
filters such as ``totalAmount>1000`` are not ``name=value`` pairs), so their parameters are
described here for OpenAPI instead of being declared as handler arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi.spec import Operation, Parameter, Schema
from litestar.openapi.spec.enums import OpenAPIType


@dataclass(frozen=True, slots=True)
class QueryDoc:
    name: str
    description: str
    type: OpenAPIType = OpenAPIType.STRING
    required: bool = False
    example: Any = None


def documented(*params: QueryDoc) -> type[Operation]:
    """An ``operation_class`` whose OpenAPI operation lists ``params`` as query parameters."""
    extra = [
        Parameter(
            name=p.name,
            param_in="query",
            description=p.description,
            required=p.required,
            schema=Schema(type=p.type),
            example=p.example,
        )
        for p in params
    ]

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            self.parameters = [*(self.parameters or []), *extra]

    return DocumentedOperation
