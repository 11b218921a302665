"""The generator's working objects: one customer's orders, lines, assets and invoices.

They hold integers (microsecond instants, date ordinals, minor units) and are turned into
table rows only once the customer's whole history is known, because later events (a change
order, a cancellation, the renewal window at ``as_of``) decide columns of earlier rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from selfserve.orders.pricing import LineInput, LinePrice, OrderTotals

from .catalog import ProductSpec, Region


@dataclass(slots=True)
class Product:
    spec: ProductSpec
    id: str
    # (currency, price period) -> (price book entry id, list price in micro-units)
    prices: dict[tuple[str, str], tuple[str, int]]


@dataclass(slots=True)
class Customer:
    index: int
    id: str
    region: Region
    zone: ZoneInfo
    tax_rate: int
    created_us: int
    parent_id: str | None
    orders: int = 0
    billing_offset_us: int = 0  # when the nightly billing run happens, relative to UTC midnight


@dataclass(slots=True, eq=False)
class Chain:
    """One asset number (SUB-/AST-/ENT-) with its versions, oldest first."""

    number: str
    asset_type: str
    product: Product
    pbe_id: str
    price_period: str
    list_price: int
    discount: int
    billing_period: str | None
    auto_renew: bool
    renewal_term: int | None
    # A subscription's current start, end and term, mirrored from its newest version because
    # every order slot scans them.
    start: int = 0
    end: int = 0
    term: int = 0
    cancel_date: int | None = None
    cancel_us: int | None = None
    versions: list[Version] = field(default_factory=list)

    @property
    def current(self) -> Version:
        return self.versions[-1]


@dataclass(slots=True, eq=False)
class Version:
    id: str
    chain: Chain
    number: int
    order: Order
    line: Line
    quantity: int
    sales_price: int
    start: int
    end: int | None
    term: int | None
    total_price: int
    created_us: int
    previous: Version | None
    updated_us: int = 0
    status: str = "Active"
    auto_renew: bool = False


@dataclass(slots=True, eq=False)
class Line:
    id: str
    number: int
    product: Product
    pbe_id: str
    change_type: str
    asset_number: str | None
    quantity: int
    price_period: str
    list_price: int
    discount: int
    start: int
    end: int | None
    term: int | None
    billing_period: str | None
    priced: LineInput
    price: LinePrice
    target: Chain | None = None  # the asset a change or renewal line acts on
    version: Version | None = None  # what activation made of this line


@dataclass(slots=True, eq=False)
class Order:
    id: str
    number: str
    order_type: str
    status: str
    created_us: int
    created_by: tuple[str, str | None]  # (actor type, actor id)
    lines: list[Line]
    totals: OrderTotals
    name: str
    effective: int
    activated_us: int | None = None
    canceled_us: int | None = None
    cancel_effective: int | None = None
    cancel_reason: str | None = None
    canceled_by: tuple[str, str | None] | None = None
    versions: list[Version] = field(default_factory=list)  # made by activation
    cancellations: list[Version] = field(default_factory=list)  # made by canceling it


# (line id, order line, asset version, amount, tax, period start, period end)
InvoiceLine = tuple[str, Line, Version | None, int, int, int | None, int | None]


@dataclass(slots=True, eq=False)
class Invoice:
    id: str
    number: str
    order: Order
    status: str
    payment_status: str
    invoice_date: int
    due_date: int
    start: int | None
    end: int | None
    amount_without_tax: int
    tax_amount: int
    balance: int
    created_us: int
    updated_us: int
    lines: list[InvoiceLine]
    paid_us: int | None = None

    @property
    def amount(self) -> int:
        return self.amount_without_tax + self.tax_amount
