"""All tables. Importing this package registers every table on ``metadata``."""

from .api_key import api_keys
from .asset import assets
from .base import metadata
from .change_event import change_events
from .customer import customers
from .idempotency_key import idempotency_keys
from .invoice import invoice_lines, invoices
from .number_sequence import number_sequences
from .order import orders
from .order_clock import order_clocks
from .order_product import order_products
from .order_sort_history import order_sort_history
from .portal import portal_sessions, portal_settings
from .price_book_entry import price_book_entries
from .product import products
from .tax_rate import tax_rates
from .tenant import tenants
from .token_revocation import token_revocations

__all__ = [
    "api_keys",
    "assets",
    "change_events",
    "customers",
    "idempotency_keys",
    "invoice_lines",
    "invoices",
    "metadata",
    "number_sequences",
    "order_clocks",
    "order_products",
    "order_sort_history",
    "orders",
    "portal_sessions",
    "portal_settings",
    "price_book_entries",
    "products",
    "tax_rates",
    "tenants",
    "token_revocations",
]
