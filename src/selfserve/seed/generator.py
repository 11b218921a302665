"""The deterministic dataset: a tenant, its catalog, customers and their order histories.

The output is a pure function of the :class:`SeedSpec`: every random choice and every UUID
comes from one ``random.Random`` seeded from the spec, and "now" is ``as_of``, so the same spec
yields the same rows. Customers are generated one after another and their rows streamed in
batches, which keeps memory flat however many orders are asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from selfserve.db import Dialect
from selfserve.kit.clock import zone

from .calendar import DAY, HOUR, MINUTE, standard_offset
from .catalog import (
    ADD_ONS,
    CURRENCIES,
    NAME_ADJECTIVES,
    NAME_INDUSTRIES,
    NAME_NOUNS,
    PLANS,
    PRODUCTS,
    REGIONS,
    TAX_RATES,
    Region,
    list_price,
    periods_of,
)
from .lifecycle import between
from .model import Customer, Product
from .rows import COLUMNS, STREAMED, Row, RowWriter
from .simulate import History, Shop
from .world import NUMBER_KINDS, Picker, TenantTerms, World, codec_for

Batch = dict[str, list[Row]]
CHILD_SHARE = 0.1
BILLING_RUN_LOCAL_HOUR = 6
SAMPLE_SIZE = 5


@dataclass(frozen=True, slots=True)
class SeedSpec:
    as_of: date
    tenant_slug: str = "demo"
    tenant_name: str = "Demo Inc."
    customers: int = 50
    orders: int = 600
    seed: int = 42
    big_customers: int = 0
    big_customer_orders: int = 500

    def validate(self) -> None:
        if self.customers < 1 or self.orders < 0 or self.big_customers < 0:
            raise ValueError("customers must be at least 1; orders and big_customers at least 0")
        if self.big_customers > self.customers:
            raise ValueError(
                f"big_customers ({self.big_customers}) cannot exceed customers ({self.customers})"
            )
        if self.big_customers * self.big_customer_orders > self.orders:
            raise ValueError(
                f"{self.big_customers} big customers x {self.big_customer_orders} orders need "
                f"orders >= {self.big_customers * self.big_customer_orders}, got {self.orders}"
            )
        if (
            self.big_customers == self.customers
            and self.orders > self.big_customers * self.big_customer_orders
        ):
            raise ValueError(
                "every customer is big, so orders must equal big_customers x big_customer_orders"
            )


class Generator:
    """Yields the rows of one seeded tenant; ``counts`` tallies what was produced."""

    def __init__(
        self,
        spec: SeedSpec,
        dialect: Dialect,
        tenant_id: str | None = None,
        terms: TenantTerms | None = None,
    ) -> None:
        """``tenant_id`` and ``terms`` describe an existing, empty tenant to fill."""
        spec.validate()
        self.spec = spec
        key = f"selfserve-seed:{spec.seed}:{spec.tenant_slug}"
        w = self.w = World(key, spec.as_of, codec_for(dialect), terms)
        drawn = w.uid()  # drawn even when reusing a tenant, so the rest of the stream is the same
        w.tenant_id = tenant_id or drawn
        w.api_keys = tuple("ak_" + w.uid().replace("-", "")[:24] for _ in range(3))
        self.products = self._catalog()
        self.shop = Shop(
            plans=Picker([(p, p.spec.weight) for p in self.products if p.spec in PLANS]),
            add_ons=Picker([(p, p.spec.weight) for p in self.products if p.spec in ADD_ONS]),
        )
        self.customers, self._customer_rows = self._customers()
        self._allocate()
        self.counts = dict.fromkeys(COLUMNS, 0)

    @property
    def tenant_id(self) -> str:
        return self.w.tenant_id

    # -- fixed rows -------------------------------------------------------------------------

    def reference_rows(self, with_tenant: bool = True) -> Batch:
        """Tenant, tax rates and catalog, in foreign-key order."""
        w, spec = self.w, self.spec
        created = w.codec.instant(w.start_us - 60 * DAY)
        terms = w.terms
        tenant = (
            w.tenant_id, spec.tenant_slug, spec.tenant_name, terms.renewal_notice_days,
            terms.payment_terms_days, terms.grace_period_days, created,
        )  # fmt: skip
        rows: Batch = {
            "tenants": [tenant] if with_tenant else [],
            "tax_rates": [(w.tenant_id, country, rate) for country, rate in TAX_RATES.items()],
            "products": [],
            "price_book_entries": [],
        }
        active = w.codec.flag(True)
        for product in self.products:
            info = product.spec
            rows["products"].append((
                product.id, w.tenant_id, info.sku, info.name, info.description, info.category,
                created, created,
            ))  # fmt: skip
            rows["price_book_entries"].extend(
                (pbe_id, w.tenant_id, product.id, currency, price, period, active, created)
                for (currency, period), (pbe_id, price) in product.prices.items()
            )
        for table, table_rows in rows.items():
            self.counts[table] += len(table_rows)
        return rows

    def sequence_rows(self) -> list[Row]:
        """``number_sequences``: valid once every batch has been produced."""
        rows = [(self.w.tenant_id, kind, self.w.numbers[kind]) for kind in NUMBER_KINDS]
        self.counts["number_sequences"] = len(rows)
        return rows

    def sample_customer_ids(self) -> list[str]:
        """A few customers with many orders, the busiest first."""
        ranked = sorted(self.customers, key=lambda c: (-c.orders, c.index))
        return [c.id for c in ranked[:SAMPLE_SIZE] if c.orders]

    # -- streamed rows ----------------------------------------------------------------------

    def batches(self, orders_per_batch: int = 5000) -> Iterator[Batch]:
        """Rows of the streamed tables, a few thousand orders at a time (customers first)."""
        w = self.w
        batch = self._empty()
        batch["customers"] = self._customer_rows
        pending = 0
        for customer in self.customers:
            if customer.orders:
                low, high = customer.created_us + HOUR, w.now_us - 10 * MINUTE
                times = sorted(between(w.rng, low, high) for _ in range(customer.orders))
                orders = History(w, self.shop, customer).run(times)
                RowWriter(w, customer, batch).write(orders)
                pending += customer.orders
            if pending >= orders_per_batch:
                yield self._tally(batch)
                batch, pending = self._empty(), 0
        if any(batch.values()):
            yield self._tally(batch)

    def _empty(self) -> Batch:
        return {table: [] for table in STREAMED}

    def _tally(self, batch: Batch) -> Batch:
        for table, rows in batch.items():
            self.counts[table] += len(rows)
        return batch

    # -- setup ------------------------------------------------------------------------------

    def _catalog(self) -> list[Product]:
        products = []
        for spec in PRODUCTS:
            prices = {
                (currency, period): (self.w.uid(), list_price(spec, currency, period))
                for currency in CURRENCIES
                for period in periods_of(spec)
            }
            products.append(Product(spec=spec, id=self.w.uid(), prices=prices))
        return products

    def _customers(self) -> tuple[list[Customer], list[Row]]:
        w, spec = self.w, self.spec
        rng = w.rng
        regions = Picker([(region, region.weight) for region in REGIONS])
        created = sorted(
            between(rng, w.start_us, w.now_us - 60 * DAY) for _ in range(spec.customers)
        )
        customers: list[Customer] = []
        rows: list[Row] = []
        parents: list[tuple[Customer, str]] = []
        for index, created_us in enumerate(created):
            parent: tuple[Customer, str] | None = None
            if index >= max(spec.big_customers, 1) and parents and rng.random() < CHILD_SHARE:
                parent = parents[int(rng.random() * len(parents))]
            region = regions(rng) if parent is None else self._sibling_region(parent[0].region)
            customer = self._customer(index, region, created_us, parent)
            name, email = self._name(region, parent)
            customers.append(customer)
            if parent is None:
                parents.append((customer, name))
            at = w.codec.instant(created_us)
            rows.append((
                customer.id, w.tenant_id, customer.parent_id, f"ACC-{index + 1:06d}", name, email,
                region.time_zone, region.currency, region.country, at, at,
            ))  # fmt: skip
        return customers, rows

    def _sibling_region(self, region: Region) -> Region:
        """A region for a child account: any with the parent's currency."""
        same = [r for r in REGIONS if r.currency == region.currency]
        return same[int(self.w.rng.random() * len(same))]

    def _customer(
        self, index: int, region: Region, created_us: int, parent: tuple[Customer, str] | None
    ) -> Customer:
        tz = zone(region.time_zone)
        return Customer(
            index=index,
            id=self.w.uid(),
            region=region,
            zone=tz,
            tax_rate=TAX_RATES[region.country],
            created_us=created_us,
            parent_id=None if parent is None else parent[0].id,
            billing_offset_us=BILLING_RUN_LOCAL_HOUR * HOUR - standard_offset(tz),
        )

    def _name(self, region: Region, parent: tuple[Customer, str] | None) -> tuple[str, str]:
        rng = self.w.rng
        if parent is not None:
            city = region.cities[int(rng.random() * len(region.cities))]
            return (
                f"{parent[1]} ({city})",
                f"ap.{city.lower().replace(' ', '-')}@{_domain(parent[1])}",
            )
        words = [
            group[int(rng.random() * len(group))]
            for group in (NAME_ADJECTIVES, NAME_NOUNS, NAME_INDUSTRIES)
        ]
        name = " ".join(words) + " " + region.company_suffix
        return name, f"billing@{_domain(name)}"

    def _allocate(self) -> None:
        """Big customers get exactly their share; the rest is spread over the others."""
        spec, rng = self.spec, self.w.rng
        big = spec.big_customers
        for customer in self.customers[:big]:
            customer.orders = spec.big_customer_orders
        others = self.customers[big:]
        rest = spec.orders - big * spec.big_customer_orders
        if not others or rest == 0:
            return
        # Uneven (Pareto) and proportional to how long the customer has existed, so that the
        # order rate grows with the customer base instead of piling up on recent sign-ups.
        lifetime = self.w.now_us - self.w.start_us
        weights = [
            min(rng.paretovariate(1.2), 50.0) * (self.w.now_us - c.created_us) / lifetime
            for c in others
        ]
        total = sum(weights)
        exact = [rest * weight / total for weight in weights]
        counts = [int(value) for value in exact]
        short = rest - sum(counts)
        for i in sorted(range(len(others)), key=lambda i: (counts[i] - exact[i], i))[:short]:
            counts[i] += 1
        for customer, count in zip(others, counts, strict=True):
            customer.orders = count


def _domain(name: str) -> str:
    """``Blue River Labs GmbH`` -> ``blue-river-labs.example``."""
    words = name.split()[:3]
    return "-".join(word.lower().strip(".,") for word in words) + ".example"
