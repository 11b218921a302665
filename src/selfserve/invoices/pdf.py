"""The invoice as a PDF (``GET /invoices/{id}/pdf`` and the portal's download). Pure: no
database, no clock.

:func:`render` lays out the invoice exactly as ``GET /invoices/{id}`` returns it, so the
document shows the API's numbers: amounts are the same ``Decimal``s, formatted for the locale
by ``kit.l10n`` (CLDR, the currency's own decimals); dates are the customer's calendar dates.
Text is set in a vendored DejaVu Sans subset, with a Noto Sans CJK JP subset as the glyph-by-
glyph fallback for kana, kanji and ``￥`` (``fonts/VENDORED.md``). The creation date written
into the file is the invoice date, so the same invoice in the same locale always gives the
same bytes (and the same ETag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont

from selfserve.invoices import wording
from selfserve.invoices.schemas import InvoiceDetail, InvoiceLineRead
from selfserve.kit import l10n

FONTS: Final = Path(__file__).with_name("fonts")
_MARGIN = 18.0
_GREY = (96, 96, 96)
_RULE = (220, 224, 232)
_HEADINGS = FontFace(emphasis="", color=_GREY, fill_color=(240, 242, 247))
# Description, period, quantity, amount, tax: 174 mm, the A4 width inside the margins.
_COLUMNS = (62.0, 48.0, 14.0, 25.0, 25.0)


@dataclass(frozen=True, slots=True)
class Parties:
    """Who issues the invoice and whom it bills, as printed in its header."""

    seller: str
    customer: str
    account_number: str | None = None


@dataclass(frozen=True, slots=True)
class _Text:
    """Formatting in one locale for one invoice's currency."""

    locale: str
    currency: str

    def label(self, key: str) -> str:
        return wording.label(self.locale, key)

    def money(self, amount: Decimal) -> str:
        return l10n.money(amount, self.currency, self.locale)

    def span(self, start: date | None, end: date | None) -> str:
        first, last = l10n.day(start, self.locale), l10n.day(end, self.locale)
        return f"{first} – {last}" if first and last and last != first else first


def render(invoice: InvoiceDetail, locale: str, *, parties: Parties | None = None) -> bytes:
    """The invoice as PDF bytes in ``locale`` (``en``, ``de`` or ``ja``; anything else: en).

    ``parties`` names the seller and the customer; without it the header shows the customer
    id, which is all ``GET /invoices/{id}`` carries.
    """
    chosen = locale if locale in l10n.SUPPORTED_LOCALES else l10n.DEFAULT_LOCALE
    text = _Text(chosen, invoice.currency)
    pdf = _document(invoice, text, parties)
    try:
        _title(pdf, invoice, text, parties)
        _facts(pdf, invoice, text, parties)
        _lines(pdf, invoice.invoice_lines, text)
        _totals(pdf, invoice, text)
        return bytes(pdf.output())
    finally:
        close_fonts(pdf)


def close_fonts(pdf: FPDF) -> None:
    """fpdf2 reads embedded fonts lazily and leaves their files open; close them."""
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.ttfont.close()


def _document(invoice: InvoiceDetail, text: _Text, parties: Parties | None) -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=_MARGIN)
    pdf.add_font("sans", fname=FONTS / "DejaVuSans-Subset.ttf")
    if text.locale == "ja" or _has_cjk(invoice, parties):  # loading it costs ~0.1 s
        pdf.add_font("sans-jp", fname=FONTS / "NotoSansJP-Subset.ttf")
        pdf.set_fallback_fonts(["sans-jp"])
    issued = invoice.invoice_date
    pdf.set_creation_date(datetime(issued.year, issued.month, issued.day, tzinfo=UTC))
    pdf.set_title(f"{_kind(invoice, text)} {invoice.invoice_number}")
    if parties is not None:
        pdf.set_author(parties.seller)
    pdf.set_lang(text.locale)
    pdf.add_page()
    return pdf


def _has_cjk(invoice: InvoiceDetail, parties: Parties | None) -> bool:
    """Whether any text of the invoice needs the Japanese font (CJK blocks start at U+2E80)."""
    texts = [line.description for line in invoice.invoice_lines]
    if parties is not None:
        texts += [parties.seller, parties.customer, parties.account_number or ""]
    return any(ord(c) >= 0x2E80 for t in texts for c in t)


def _kind(invoice: InvoiceDetail, text: _Text) -> str:
    return text.label("credit_note" if invoice.amount < 0 else "invoice")


def _title(pdf: FPDF, invoice: InvoiceDetail, text: _Text, parties: Parties | None) -> None:
    if parties is not None:
        pdf.set_font("sans", size=10)
        pdf.set_text_color(*_GREY)
        pdf.cell(text=parties.seller, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_text_color(0)
    pdf.set_font("sans", size=20)
    pdf.cell(text=_kind(invoice, text), new_x="END")
    pdf.set_font("sans", size=12)
    pdf.cell(text=f"   {invoice.invoice_number}", h=pdf.font_size * 2.35, new_x="END")
    if invoice.status == "Canceled":
        pdf.set_text_color(180, 30, 30)
        pdf.cell(text=f"   {text.label('void')}", h=pdf.font_size * 2.35)
        pdf.set_text_color(0)
    pdf.ln(14)


def _facts(pdf: FPDF, invoice: InvoiceDetail, text: _Text, parties: Parties | None) -> None:
    """The customer on the left, the invoice's dates and statuses on the right."""
    top = pdf.get_y()
    customer = [parties.customer if parties is not None else invoice.customer_id]
    if parties is not None and parties.account_number:
        customer.append(f"{text.label('account')} {parties.account_number}")
    pdf.set_font("sans", size=9)
    pdf.set_text_color(*_GREY)
    pdf.cell(text=text.label("bill_to"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font("sans", size=10)
    pdf.multi_cell(74, 5, "\n".join(customer), new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_y(top)
    for key, value in _fact_rows(invoice, text):
        pdf.set_x(_MARGIN + 78)
        pdf.set_text_color(*_GREY)
        pdf.cell(38, 5.5, text.label(key))
        pdf.set_text_color(0)
        pdf.cell(58, 5.5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_end, pdf.get_y()) + 8)


def _fact_rows(invoice: InvoiceDetail, text: _Text) -> list[tuple[str, str]]:
    rows = [
        ("number", invoice.invoice_number),
        ("invoice_date", l10n.day(invoice.invoice_date, text.locale)),
        ("due_date", l10n.day(invoice.due_date, text.locale)),
    ]
    if invoice.start_date is not None:
        rows.append(("period", text.span(invoice.start_date, invoice.end_date)))
    rows += [
        ("status", wording.status(text.locale, invoice.status)),
        ("payment_status", wording.status(text.locale, invoice.payment_status)),
        ("currency", invoice.currency),
    ]
    return rows


def _lines(pdf: FPDF, lines: list[InvoiceLineRead], text: _Text) -> None:
    pdf.set_font("sans", size=9)
    pdf.set_draw_color(*_RULE)
    with pdf.table(
        col_widths=_COLUMNS, text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=_HEADINGS, borders_layout="HORIZONTAL_LINES", line_height=5.5,
        padding=(1.2, 1.5), width=sum(_COLUMNS),
    ) as table:  # fmt: skip
        table.row([text.label(k) for k in ("description", "line_period", "quantity", "amount",
                                             "tax")])  # fmt: skip
        for line in lines:
            table.row([
                line.description, text.span(line.start_date, line.end_date),
                l10n.number(line.quantity, text.locale), text.money(line.amount),
                text.money(line.tax_amount),
            ])  # fmt: skip
    pdf.ln(4)


def _totals(pdf: FPDF, invoice: InvoiceDetail, text: _Text) -> None:
    """Subtotal, tax and total, then what was paid and what is still due (a credit note has
    nothing to pay: its balance is zero)."""
    rows = [
        ("subtotal", invoice.amount_without_tax, 10),
        ("tax", invoice.tax_amount, 10),
        ("total", invoice.amount, 12),
    ]
    if invoice.amount > 0:
        rows.append(("paid", invoice.amount - invoice.balance, 10))
    rows.append(("due", invoice.balance, 12))
    for key, amount, size in rows:
        pdf.set_font("sans", size=size)
        pdf.set_x(_MARGIN + sum(_COLUMNS) - 90)
        pdf.set_text_color(*(_GREY if size == 10 else (0, 0, 0)))
        pdf.cell(45, 7, text.label(key))
        pdf.set_text_color(0)
        pdf.cell(45, 7, text.money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
