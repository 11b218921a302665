"""The words of the invoice PDF in each supported locale (``kit.l10n.SUPPORTED_LOCALES``).

Numbers and dates are not here: ``kit.l10n`` formats them from CLDR. Statuses the API sends
(``status``, ``paymentStatus``) are translated for the reader; one without a translation is
shown as the API spells it.
"""

from __future__ import annotations

import re
from typing import Final

LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "invoice": "Invoice", "credit_note": "Credit note", "void": "VOID",
        "number": "Invoice number", "invoice_date": "Invoice date", "due_date": "Due date",
        "period": "Billing period", "bill_to": "Bill to", "account": "Account",
        "status": "Status", "payment_status": "Payment status", "currency": "Currency",
        "description": "Description", "line_period": "Period", "quantity": "Qty",
        "amount": "Amount", "tax": "Tax", "subtotal": "Subtotal", "total": "Total",
        "paid": "Amount paid", "due": "Amount due",
    },
    "de": {
        "invoice": "Rechnung", "credit_note": "Gutschrift", "void": "STORNIERT",
        "number": "Rechnungsnummer", "invoice_date": "Rechnungsdatum", "due_date": "Fällig am",
        "period": "Leistungszeitraum", "bill_to": "Rechnungsempfänger", "account": "Kundennummer",
        "status": "Status", "payment_status": "Zahlungsstatus", "currency": "Währung",
        "description": "Beschreibung", "line_period": "Zeitraum", "quantity": "Menge",
        "amount": "Betrag", "tax": "Steuer", "subtotal": "Zwischensumme", "total": "Gesamtbetrag",
        "paid": "Bezahlt", "due": "Offener Betrag",
    },
    "ja": {
        "invoice": "請求書", "credit_note": "クレジットノート", "void": "無効",
        "number": "請求書番号", "invoice_date": "請求日", "due_date": "支払期日",
        "period": "請求期間", "bill_to": "請求先", "account": "顧客番号",
        "status": "状態", "payment_status": "支払状況", "currency": "通貨",
        "description": "内容", "line_period": "期間", "quantity": "数量",
        "amount": "金額", "tax": "税額", "subtotal": "小計", "total": "合計",
        "paid": "支払済額", "due": "未払残高",
    },
}  # fmt: skip

STATUSES: Final[dict[str, dict[str, str]]] = {
    "de": {
        "Draft": "Entwurf", "Active": "Aktiv", "Canceled": "Storniert",
        "NotTransferred": "Nicht übertragen", "Transferred": "Übertragen", "Paid": "Bezahlt",
        "PartiallyPaid": "Teilweise bezahlt", "Refunded": "Erstattet",
        "PartiallyRefunded": "Teilweise erstattet", "WrittenOff": "Abgeschrieben",
        "Applied": "Verrechnet",
    },
    "ja": {
        "Draft": "下書き", "Active": "有効", "Canceled": "取消",
        "NotTransferred": "未連携", "Transferred": "連携済", "Paid": "支払済",
        "PartiallyPaid": "一部支払済", "Refunded": "返金済", "PartiallyRefunded": "一部返金済",
        "WrittenOff": "貸倒処理済", "Applied": "充当済",
    },
}  # fmt: skip

_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])")


def label(locale: str, key: str) -> str:
    return LABELS.get(locale, LABELS["en"])[key]


def status(locale: str, value: str) -> str:
    """``PartiallyPaid`` as the locale says it (English: "Partially paid")."""
    translated = STATUSES.get(locale, {}).get(value)
    if translated is not None:
        return translated
    words = _WORD_START.split(value)
    return " ".join([words[0], *(w.lower() for w in words[1:])])
