"""Document query parameters that the strict parser reads from the raw query string.

Handlers of list endpoints parse ``scope["query_string"]`` themselves (inline-operator
filters such as ``totalAmount>1000`` are not ``name=value`` pairs), so their parameters are
described here for OpenAPI instead of being declared as handler arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, Parameter, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType


@dataclass(frozen=True, slots=True)
class QueryDoc:
    name: str
    description: str
    type: OpenAPIType = OpenAPIType.STRING
    required: bool = False
    example: Any = None


def json_body_schema(body: type[Any]) -> dict[str, Any]:
    """The JSON Schema of a flat msgspec Struct (or an array of one), inlined (it has no
    nested definitions)."""
    schema = msgspec.json.schema(body)
    defs = schema.pop("$defs", {})
    if schema.get("type") == "array":  # e.g. POST /customers: a batch of one Struct
        schema["items"] = dict(defs[schema["items"]["$ref"].rsplit("/", 1)[-1]])
        return schema
    return dict(defs[schema["$ref"].rsplit("/", 1)[-1]])


def documented(
    *params: QueryDoc, body: type[Any] | None = None, body_required: bool = True
) -> type[Operation]:
    """An ``operation_class`` whose OpenAPI operation lists ``params`` as query parameters
    and, when given, ``body`` as its JSON request body (bodies are decoded strictly by
    ``kit.body.decode``, not by the framework's lenient conversion; an optional one may be
    left out)."""
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

    request_body = None
    if body is not None:
        media = OpenAPIMediaType(schema=json_body_schema(body))  # type: ignore[arg-type]
        request_body = RequestBody(content={"application/json": media}, required=body_required)

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            self.parameters = [*(self.parameters or []), *extra] or None
            if request_body is not None:
                self.request_body = request_body

    return DocumentedOperation
