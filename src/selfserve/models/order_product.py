"""Order lines. Product name, SKU and category are copied at sale time: history stays true."""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from .base import GUID, CalendarDate, metadata

order_products = Table(
    "order_products",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id"), nullable=False),
    Column("order_id", GUID, ForeignKey("orders.id"), nullable=False),
    Column("line_number", Integer, nullable=False),
    Column("product_id", GUID, ForeignKey("products.id"), nullable=False),
    Column("price_book_entry_id", GUID, ForeignKey("price_book_entries.id"), nullable=True),
    Column("product_name", String(200), nullable=False),
    Column("product_sku", String(80), nullable=False),
    Column("product_category", String(40), nullable=False),
    Column("change_type", String(32), nullable=False, server_default="New"),
    Column("asset_number", String(16), nullable=True, comment="the asset a change line changes"),
    Column(
        "asset_version",
        Integer,
        nullable=True,
        comment="the version a change line was priced against; activation requires it current",
    ),
    Column("quantity", BigInteger, nullable=False),
    Column("price_period", String(16), nullable=False, comment="Month | Year | OneTime"),
    Column("list_price", BigInteger, nullable=False, comment="micro-units per price period"),
    Column("sales_price", BigInteger, nullable=False, comment="micro-units after discounts"),
    Column("discount", Integer, nullable=False, server_default="0", comment="0.01 %"),
    Column("list_amount", BigInteger, nullable=False, comment="minor units, before discount"),
    Column("discount_amount", BigInteger, nullable=False, server_default="0"),
    Column("system_discount_amount", BigInteger, nullable=False, server_default="0"),
    Column("total_price", BigInteger, nullable=False, comment="minor units"),
    Column("tax_amount", BigInteger, nullable=False, server_default="0"),
    Column("tax_rate", Integer, nullable=False, server_default="0", comment="0.01 %, as priced"),
    Column("subscription_start_date", CalendarDate, nullable=True),
    Column("subscription_end_date", CalendarDate, nullable=True),
    Column("subscription_term", Integer, nullable=True),
    Column("billing_period", String(16), nullable=True),
    Index(None, "order_id", "line_number"),
)
