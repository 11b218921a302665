"""GET /invoices/{id}/pdf on both databases, and the PDF renderer on its own: the text of the
document (read back with pypdf) carries the invoice's number and its formatted amounts."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pypdf
from fpdf import FPDF
from fpdf.fonts import TTFFont

from selfserve.invoices import pdf, wording
from selfserve.invoices.schemas import InvoiceDetail, InvoiceLineRead
from tests.auth.test_customer_tokens import api, token_for
from tests.fixtures import builders as b
from tests.fixtures.world import World


def text_of(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")  # CLDR's no-break spaces


def usd_invoice(world: World) -> str:
    """Alice's June invoice: 2 seats of 49.50 and a 2,500.00 setup, 8.25 % tax, 1,000 paid."""
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    invoice = run(b.invoice(conn, tenant, world.alice, world.orders[0],
                            invoice_number="INV-00000107", invoice_date=date(2025, 6, 1),
                            due_date=date(2025, 7, 1), start_date=date(2025, 6, 1),
                            end_date=date(2025, 6, 30), amount_without_tax=259_900,
                            tax_amount=21_442, amount=281_342, balance=181_342,
                            payment_status="PartiallyPaid"))  # fmt: skip
    run(b.invoice_line(conn, tenant, invoice, description="Platform", quantity=2,
                       start_date=date(2025, 6, 1), end_date=date(2025, 6, 30), amount=9_900,
                       tax_amount=817))  # fmt: skip
    run(b.invoice_line(conn, tenant, invoice, line_number=2, description="Onboarding",
                       start_date=date(2025, 6, 1), end_date=None, amount=250_000,
                       tax_amount=20_625))  # fmt: skip
    return invoice


def jpy_invoice(world: World) -> str:
    """Bob's (Tokyo) invoice: 3 seats of ¥1,234 a month, 10 % tax."""
    run, conn, tenant = world.run.run, world.conn, world.tenant_id
    invoice = run(b.invoice(conn, tenant, world.bob, world.bob_order, currency="JPY",
                            invoice_number="INV-00000108", invoice_date=date(2025, 5, 1),
                            due_date=date(2025, 5, 31), start_date=date(2025, 5, 1),
                            end_date=date(2025, 5, 31), amount_without_tax=3_702,
                            tax_amount=370, amount=4_072, balance=4_072))  # fmt: skip
    run(b.invoice_line(conn, tenant, invoice, description="ベーシックプラン", quantity=3,
                       start_date=date(2025, 5, 1), end_date=date(2025, 5, 31), amount=3_702,
                       tax_amount=370))  # fmt: skip
    return invoice


def get_pdf(world: World, invoice: str, query: str = "", **kw: Any) -> httpx.Response:
    return world.api.get(f"/invoices/{invoice}/pdf{query}", **kw)


class TestEndpoint:
    def test_usd_invoice_in_english(self, world: World) -> None:
        response = get_pdf(world, usd_invoice(world))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == 'attachment; filename="INV-00000107.pdf"'
        assert response.headers["cache-control"] == "private, no-cache"
        assert "Accept-Language" in response.headers["vary"]
        assert response.content.startswith(b"%PDF-")
        text = text_of(response.content)
        assert "INV-00000107" in text and "Invoice" in text
        assert "Jun 1, 2025" in text and "Jul 1, 2025" in text  # invoice and due date
        assert "Platform" in text and "Onboarding" in text
        # subtotal, tax, total, paid (total - balance), due (the balance)
        for amount in ("$2,599.00", "$214.42", "$2,813.42", "$1,000.00", "$1,813.42"):
            assert amount in text, amount
        assert "$99.00" in text and "$8.17" in text  # a line and its tax
        assert "Partially paid" in text and "Customer" in text and "Acme" in text

    def test_jpy_invoice_in_japanese(self, world: World) -> None:
        response = get_pdf(world, jpy_invoice(world), "?locale=ja")
        assert response.status_code == 200, response.text
        text = text_of(response.content)
        assert "INV-00000108" in text and "請求書" in text and "ベーシックプラン" in text
        assert "2025/05/01" in text and "2025/05/31" in text
        for amount in ("￥3,702", "￥370", "￥4,072"):
            assert amount in text, amount
        assert "合計 ￥4,072" in text

    def test_locale_from_accept_language_then_english(self, world: World) -> None:
        invoice = jpy_invoice(world)
        german = text_of(get_pdf(world, invoice, headers={"Accept-Language": "fr, de;q=0.8"})
                         .content)  # fmt: skip
        assert "Rechnung" in german and "4.072 ¥" in german and "01.05.2025" in german
        english = text_of(get_pdf(world, invoice, headers={"Accept-Language": "fr"}).content)
        assert "Invoice" in english and "¥4,072" in english
        chosen = text_of(get_pdf(world, invoice, "?locale=EN",
                                 headers={"Accept-Language": "ja"}).content)  # fmt: skip
        assert "Invoice" in chosen

    def test_bad_locale_and_unknown_parameters_are_400s(self, world: World) -> None:
        invoice = usd_invoice(world)
        bad = get_pdf(world, invoice, "?locale=fr")
        assert bad.status_code == 400
        assert bad.json()["details"][0]["allowed"] == ["de", "en", "ja"]
        assert get_pdf(world, invoice, "?lang=de").status_code == 400

    def test_etag_and_not_modified(self, world: World) -> None:
        invoice = usd_invoice(world)
        first = get_pdf(world, invoice)
        again = get_pdf(world, invoice)
        assert first.content == again.content  # the same bytes for the same invoice
        etag = first.headers["etag"]
        cached = get_pdf(world, invoice, headers={"If-None-Match": etag})
        assert cached.status_code == 304 and cached.content == b""
        other = get_pdf(world, invoice, "?locale=de", headers={"If-None-Match": etag})
        assert other.status_code == 200 and other.headers["etag"] != etag

    def test_invisible_invoices_are_404(self, world: World) -> None:
        invoice = usd_invoice(world)
        for unknown in (b.new_id(), "not-a-uuid"):
            response = get_pdf(world, unknown)
            assert response.status_code == 404
            assert response.json()["errorCode"] == "INVOICE_NOT_FOUND"
        client = api(world)
        bob = token_for(world, world.bob, client=client)
        hidden = client.request("GET", f"/invoices/{invoice}/pdf", key="",
                                headers={"Authorization": f"Bearer {bob}"})  # fmt: skip
        assert hidden.status_code == 404
        stranger = get_pdf(world, invoice, key=world.other_key)
        assert stranger.status_code == 404


LINE = InvoiceLineRead(
    id="l1", description="Platform", quantity=10, start_date=date(2025, 6, 1),
    end_date=date(2025, 6, 30), amount=Decimal("-222.75"), tax_amount=Decimal("-18.38"),
    order_product_id=None, asset_id=None,
)  # fmt: skip
CREDIT = InvoiceDetail(
    id="i1", invoice_number="INV-00000009", status="Active", payment_status="NotTransferred",
    customer_id="c1", order_id=None, invoice_date=date(2025, 6, 16), due_date=date(2025, 6, 16),
    start_date=date(2025, 6, 16), end_date=date(2025, 6, 30), amount=Decimal("-241.13"),
    amount_without_tax=Decimal("-222.75"), tax_amount=Decimal("-18.38"), balance=Decimal("0.00"),
    currency="USD", is_overdue=False, invoice_lines=[LINE],
)  # fmt: skip


class TestRender:
    def test_a_credit_note_has_nothing_to_pay(self) -> None:
        text = text_of(pdf.render(CREDIT, "en"))
        assert "Credit note" in text and "-$241.13" in text and "Amount paid" not in text
        assert "Amount due $0.00" in text
        assert "c1" in text  # without parties, the customer id

    def test_a_void_invoice_says_so(self) -> None:
        text = text_of(pdf.render(msgspec.structs.replace(CREDIT, status="Canceled"), "de",
                                  parties=pdf.Parties("Acme", "Alice", "ACC-1")))  # fmt: skip
        assert "STORNIERT" in text and "Gutschrift" in text and "Kundennummer ACC-1" in text

    def test_unsupported_locale_falls_back_to_english(self) -> None:
        assert "Credit note" in text_of(pdf.render(CREDIT, "fr"))

    def test_many_lines_continue_on_further_pages(self) -> None:
        many = msgspec.structs.replace(CREDIT, invoice_lines=[LINE] * 120)
        reader = pypdf.PdfReader(io.BytesIO(pdf.render(many, "en")))
        assert len(reader.pages) > 1
        assert "Description" in reader.pages[1].extract_text()  # headings repeat


class TestFonts:
    def test_vendored_fonts_are_the_documented_ones(self) -> None:
        documented = (pdf.FONTS / "VENDORED.md").read_text()
        for font in ("DejaVuSans-Subset.ttf", "NotoSansJP-Subset.ttf"):
            digest = hashlib.sha256((pdf.FONTS / font).read_bytes()).hexdigest()
            assert f"{digest}  {font}" in documented, font

    def test_every_word_of_the_document_has_a_glyph(self) -> None:
        fonts, covered = FPDF(), set[int]()
        for font in ("DejaVuSans-Subset.ttf", "NotoSansJP-Subset.ttf"):
            fonts.add_font(font, fname=pdf.FONTS / font)
            loaded = fonts.fonts[font.lower()]
            assert isinstance(loaded, TTFFont)
            covered |= set(loaded.cmap)
        pdf.close_fonts(fonts)
        words = [w for labels in wording.LABELS.values() for w in labels.values()]
        words += [w for statuses in wording.STATUSES.values() for w in statuses.values()]
        missing = {c for w in words for c in w if ord(c) not in covered}
        assert not missing
