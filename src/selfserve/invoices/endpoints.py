"""HTTP for invoices: declare inputs, call one service function, encode the result."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from selfserve.auth.scopes import INVOICES_READ
from selfserve.deps import DbConn, Reading
from selfserve.invoices import service
from selfserve.invoices.query import (
    FILTER_FIELDS,
    PAYMENT_STATUSES,
    from_query_string,
    pdf_locale,
)
from selfserve.invoices.schemas import InvoiceEnvelope, InvoiceList
from selfserve.kit.download import document_response
from selfserve.kit.http import CREDENTIAL_VARY, json_response
from selfserve.kit.openapi import QueryDoc, documented
from selfserve.kit.query import plain_params

_LIST_DOCS = documented(
    QueryDoc(
        "customerIds",
        "JSON array (URL-encoded) or comma list of customer ids, at most 100. "
        "Required with an API key (or give one id as customerId).",
        example='["3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"]',
    ),
    QueryDoc("customerId", "One customer id (Nue's name); instead of customerIds"),
    QueryDoc("status", "Comma list, case-insensitive: Draft, Active, Canceled", example="active"),
    QueryDoc(
        "paymentStatus",
        "Comma list, case-insensitive: " + ", ".join(sorted(PAYMENT_STATUSES.values())),
        example="notTransferred,partiallyPaid",
    ),
    QueryDoc(
        "isOverdue",
        "true: Active invoices with a balance due before the customer's today; false: the rest",
        OpenAPIType.BOOLEAN,
    ),
    QueryDoc("limit", "Page size, 1-500 (default 100)", OpenAPIType.INTEGER, example=50),
    QueryDoc("cursor", "pagination.nextCursor of the previous page"),
    QueryDoc("sort", "invoiceDate or -invoiceDate (default); ties broken by id"),
    QueryDoc(
        "<field><op><value>",
        "Field filters with operators = != > >= < <= on "
        f"{', '.join(FILTER_FIELDS)}; e.g. dueDate<2025-07-01, balance>0, amount>=1000",
    ),
)


@get(
    "/invoices",
    opt={"scope": INVOICES_READ},
    operation_class=_LIST_DOCS,
    summary="List invoices",
)
async def list_invoices(
    request: Request[Any, Any, Any], conn: DbConn, ctx: Reading
) -> Response[InvoiceList]:
    """A page of the customers' invoices, newest first.

    Nue's filters (``status``, ``paymentStatus``, inline ``invoiceDate``, ``dueDate``,
    ``amount``, ``balance``) are strictly validated; ``isOverdue`` uses each customer's date.
    """
    query = from_query_string(request.scope["query_string"])
    result = await service.list_invoices(conn, ctx.principal, ctx.now, query)
    return json_response(request, result)


@get("/invoices/{invoice_id:str}", opt={"scope": INVOICES_READ}, summary="Get an invoice")
async def get_invoice(
    request: Request[Any, Any, Any], invoice_id: FromPath[str], conn: DbConn, ctx: Reading
) -> Response[InvoiceEnvelope]:
    """One invoice with its lines (``invoiceLines``). Unknown or invisible: 404."""
    plain_params(request.scope["query_string"], set())
    result = await service.get_invoice(conn, ctx.principal, ctx.now, invoice_id)
    return json_response(request, result)


_PDF_DOCS = documented(
    QueryDoc(
        "locale",
        "en, de or ja: the language and number and date formats of the document. Without it "
        "the best match of Accept-Language, else en.",
        example="ja",
    )
)


@get(
    "/invoices/{invoice_id:str}/pdf",
    opt={"scope": INVOICES_READ},
    summary="Download an invoice as PDF",
    operation_class=_PDF_DOCS,
    media_type="application/pdf",
    response_description="The invoice as application/pdf, an attachment named <invoiceNumber>.pdf",
)
async def get_invoice_pdf(
    request: Request[Any, Any, Any], invoice_id: FromPath[str], conn: DbConn, ctx: Reading
) -> Response[bytes]:
    """The invoice as a printable PDF with the same numbers as ``GET /invoices/{id}``:
    number, dates, customer, lines, subtotal, tax, total, amount paid and due, status.
    Amounts and dates are formatted for the locale (``locale``, else ``Accept-Language``,
    else English). Cached like every read (``ETag``, ``If-None-Match``). Unknown or
    invisible: 404."""
    locale = pdf_locale(request.scope["query_string"], request.headers.get("accept-language"))
    document = await service.invoice_pdf(conn, ctx.principal, ctx.now, invoice_id, locale)
    return document_response(
        request, document.content, media_type="application/pdf", filename=document.filename,
        vary=f"{CREDENTIAL_VARY}, Accept-Language",
    )  # fmt: skip


router = Router(
    path="/", route_handlers=[list_invoices, get_invoice, get_invoice_pdf], tags=["Invoices"]
)
