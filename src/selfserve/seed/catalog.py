"""The demo business: regions, tax rates, the product catalog and its price book.

Everything here is fixed reference data; the random parts of the dataset live in the
generator. Prices are written once in USD and converted with fixed rates, then rounded to the
kind of price a business would print (whole euros, tens of yen, quarter dinars), so every
currency has exact, realistic list prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from selfserve.kit.money import PRICE_SCALE

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "KWD")

# Units of each currency per US dollar, as exact fractions so conversion never uses floats.
_FX = {
    "USD": Fraction(1),
    "EUR": Fraction(92, 100),
    "GBP": Fraction(79, 100),
    "JPY": Fraction(150),
    "KWD": Fraction(307, 1000),
}

# Steps (in micro-units) a converted price is rounded to, for "large" and "small" prices.
_ROUND_STEP = {
    "USD": (10_000, 10_000),
    "EUR": (PRICE_SCALE, 10_000),
    "GBP": (PRICE_SCALE, 10_000),
    "JPY": (10 * PRICE_SCALE, PRICE_SCALE),
    "KWD": (250_000, 5_000),
}
_SUB_UNIT_STEP = 100  # per-call prices keep four decimals in every currency


@dataclass(frozen=True, slots=True)
class Region:
    time_zone: str
    currency: str
    country: str
    weight: int
    company_suffix: str
    cities: tuple[str, ...]


REGIONS = (
    Region("America/New_York", "USD", "US", 22, "Inc.", ("Boston", "Newark", "Atlanta")),
    Region("America/Chicago", "USD", "US", 10, "LLC", ("Dallas", "Minneapolis", "Denver")),
    Region("America/Los_Angeles", "USD", "US", 15, "Inc.", ("Seattle", "San Diego", "Oakland")),
    Region("Australia/Sydney", "USD", "AU", 6, "Pty Ltd", ("Melbourne", "Brisbane", "Perth")),
    Region("Europe/Berlin", "EUR", "DE", 12, "GmbH", ("Munich", "Hamburg", "Cologne")),
    Region("Europe/Paris", "EUR", "FR", 8, "SAS", ("Lyon", "Lille", "Nantes")),
    Region("Europe/London", "GBP", "GB", 10, "Ltd", ("Manchester", "Leeds", "Bristol")),
    Region("Asia/Tokyo", "JPY", "JP", 11, "K.K.", ("Osaka", "Nagoya", "Fukuoka")),
    Region("Asia/Kuwait", "KWD", "KW", 6, "W.L.L.", ("Salmiya", "Hawalli", "Jahra")),
)

# Hundredths of a percent by customer country (825 = 8.25 %).
TAX_RATES = {"US": 825, "AU": 1000, "DE": 1900, "FR": 2000, "GB": 2000, "JP": 1000, "KW": 0}

RECURRING = "RecurringServices"
GOODS = "PhysicalGoods"
SERVICES = "ProfessionalServices"
SUPPORT = "CustomerSupport"

ASSET_TYPE = {
    RECURRING: "Subscription",
    GOODS: "Asset",
    SERVICES: "Entitlement",
    SUPPORT: "Entitlement",
}
NUMBER_KIND = {"Subscription": "SUB", "Asset": "AST", "Entitlement": "ENT"}


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name: str
    category: str
    description: str
    usd_micros: int  # per price period; the yearly price is ten months' worth
    quantities: tuple[int, ...]  # the first one is also the step of quantity changes
    weight: int  # how often it is picked
    yearly: bool = True  # recurring products that can also be bought by the year
    validity_months: int | None = None  # how long an entitlement can be used


PLANS = (
    ProductSpec("PLAT-STD", "Platform Standard", RECURRING, "Core platform for small teams",
                49_000_000, (1,), 45),
    ProductSpec("PLAT-PRO", "Platform Professional", RECURRING,
                "Workflows, SSO and audit log", 149_000_000, (1,), 35),
    ProductSpec("PLAT-ENT", "Platform Enterprise", RECURRING,
                "Dedicated capacity and a 99.95 % SLA", 499_000_000, (1, 1, 2), 20),
)  # fmt: skip
ADD_ONS = (
    ProductSpec("SEAT", "Additional User Seat", RECURRING, "One more named user",
                12_000_000, (1, 2, 5, 10, 25, 50), 30),
    # 0.0125 per call: a price that needs the micro-unit precision.
    ProductSpec("API-CALLS", "API Calls (monthly commitment)", RECURRING,
                "Committed API calls per month", 12_500,
                (10_000, 25_000, 50_000, 100_000, 200_000), 12, yearly=False),
    ProductSpec("STORAGE-100", "Storage, 100 GB block", RECURRING, "Extra storage",
                9_990_000, (1, 2, 4, 10, 20), 14),
    ProductSpec("HW-GW100", "Edge Gateway G100", GOODS, "Rack-mount edge gateway",
                799_000_000, (1, 1, 2, 5, 10), 9),
    ProductSpec("HW-SENSOR", "Sensor Kit (10 pack)", GOODS, "Ten wireless sensors",
                129_000_000, (1, 3, 5, 25), 8),
    ProductSpec("PS-ONBOARD", "Onboarding Package", SERVICES, "Guided setup, used within 6 months",
                2_500_000_000, (1,), 10, validity_months=6),
    ProductSpec("PS-TRAINING", "Training Day (remote)", SERVICES, "One day of remote training",
                1_200_000_000, (1, 2, 5), 6, validity_months=12),
    ProductSpec("CS-PREMIUM", "Premium Support", SUPPORT, "24/7 support for 12 months",
                1_800_000_000, (1,), 9, validity_months=12),
    ProductSpec("CS-TAM", "Technical Account Manager, one quarter", SUPPORT,
                "A named engineer for three months", 4_500_000_000, (1, 2), 3,
                validity_months=3),
)  # fmt: skip
PRODUCTS = PLANS + ADD_ONS


def periods_of(spec: ProductSpec) -> tuple[str, ...]:
    """The price periods a product is sold in."""
    if spec.category != RECURRING:
        return ("OneTime",)
    return ("Month", "Year") if spec.yearly else ("Month",)


def list_price(spec: ProductSpec, currency: str, period: str) -> int:
    """The list price in micro-units of ``currency`` for one ``period``."""
    usd = spec.usd_micros * (10 if period == "Year" else 1)
    exact = usd * _FX[currency]
    if usd < PRICE_SCALE // 10:
        step = _SUB_UNIT_STEP
    else:
        large, small = _ROUND_STEP[currency]
        step = large if exact >= 10 * PRICE_SCALE else small
    return max(step, round(exact / step) * step)


# Words for company names: "<adjective> <noun> <industry> <legal suffix>".
NAME_ADJECTIVES = (
    "Blue", "Northern", "Bright", "Silver", "Granite", "Golden", "Quiet", "Rapid", "Cedar",
    "Harbor", "Summit", "Crimson", "Evergreen", "Atlas", "Pioneer", "Lumen", "Coastal", "Iron",
)  # fmt: skip
NAME_NOUNS = (
    "River", "Peak", "Field", "Bridge", "Forge", "Orbit", "Signal", "Canyon", "Lantern",
    "Meadow", "Anchor", "Falcon", "Prairie", "Beacon", "Harvest", "Vertex", "Willow", "Delta",
)  # fmt: skip
NAME_INDUSTRIES = (
    "Analytics", "Logistics", "Health", "Robotics", "Foods", "Energy", "Media", "Labs",
    "Systems", "Retail", "Finance", "Studios", "Mobility", "Networks",
)  # fmt: skip

CANCELLATION_REASONS = (
    "Budget cuts",
    "Switched to another vendor",
    "Project ended",
    "Consolidating accounts",
    "Not using the product enough",
    "Ordered by mistake",
)
