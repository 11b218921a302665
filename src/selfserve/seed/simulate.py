"""One customer's order history, played forward in time.

Each order slot looks at the customer's subscriptions at that moment: one ending soon may be
renewed, a live one may have its quantity changed, otherwise the customer buys something new.
Activation creates or versions the assets (``lifecycle``), so later orders see earlier ones
exactly as the API would have left them. Statuses relative to ``as_of`` are settled once the
timeline ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from selfserve.orders.pricing import LineInput, order_totals

from .calendar import add_months, local_ordinal, months_until, term_end
from .catalog import RECURRING
from .lifecycle import RENEWAL_TERM, Lifecycle
from .model import Chain, Customer, Line, Order, Product
from .world import Picker, World

TERMS = Picker([(12, 60), (24, 25), (36, 15)])
MONTHLY_BILLING = Picker([("Month", 55), ("Quarter", 30), ("Semi-Annual", 5), ("Annual", 10)])
PLAN_SHARE = 0.85  # new orders that include a platform plan
EXTRAS_WITH_PLAN = Picker([(0, 15), (1, 30), (2, 30), (3, 25)])
YEARLY_SHARE = 0.3  # new orders priced by the year (billed annually)
DISCOUNTS = (0, 0, 0, 0, 0, 0, 500, 500, 1000, 1500)  # hundredths of a percent
PROMO_DISCOUNT = 250  # a system (automatic) discount some undiscounted new lines get
PROMO_SHARE = 0.04
RENEWAL_LEAD_DAYS = 60  # how early before the end a renewal order may be placed
MAX_LINES = 4
# Of the order slots where the customer has something to renew or change; the rest are new.
RENEWAL_SHARE = 0.35
CHANGE_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Shop:
    plans: Picker[Product]
    add_ons: Picker[Product]


class History(Lifecycle):
    """Generates one customer's orders and the assets they create."""

    def __init__(self, world: World, shop: Shop, customer: Customer) -> None:
        super().__init__(world, customer)
        self.shop = shop
        self.currency = customer.region.currency

    def run(self, times: list[int]) -> list[Order]:
        """Orders created at ``times`` (ascending), with assets settled as of ``as_of``."""
        orders = []
        for i, created in enumerate(times):
            following = times[i + 1] if i + 1 < len(times) else self.w.now_us
            order = self._choose(created)
            self.advance(order, following)
            orders.append(order)
        self.settle()
        return orders

    def _choose(self, created: int) -> Order:
        today = local_ordinal(created, self.c.zone)
        live = self.live(today)
        due = [ch for ch in live if ch.end <= today + RENEWAL_LEAD_DAYS]
        u = self.rng.random()
        order: Order | None = None
        if due and u < RENEWAL_SHARE:
            order = self._renewal(created, due)
        elif live and u >= 1 - CHANGE_SHARE:
            order = self._change(created, today, live)
        return order or self._new(created, today)

    def _line(
        self,
        product: Product,
        period: str,
        quantity: int,
        term: int | None,
        discount: int,
        start: int,
        end: int | None,
        billing: str | None,
        change_type: str = "New",
        target: Chain | None = None,
    ) -> Line:
        pbe_id, list_price = product.prices[(self.currency, period)]
        promo = 0
        if change_type == "New" and discount == 0 and self.rng.random() < PROMO_SHARE:
            promo = PROMO_DISCOUNT
        priced_term = term if period != "OneTime" else None
        priced = LineInput(
            list_price=list_price, quantity=quantity, price_period=period,
            term_months=priced_term, discount=discount, system_discount=promo,
            tax_rate=self.c.tax_rate,
        )  # fmt: skip
        return Line(
            id=self.w.uid(),
            number=0,
            product=product,
            pbe_id=pbe_id,
            change_type=change_type,
            asset_number=None if target is None else target.number,
            quantity=quantity,
            price_period=period,
            list_price=list_price,
            discount=discount,
            start=start,
            end=end,
            term=term,
            billing_period=billing,
            priced=priced,
            price=self.w.price(priced, self.currency),
            target=target,
        )

    def _products(self) -> list[Product]:
        rng = self.rng
        if rng.random() < PLAN_SHARE:
            chosen, extras = [self.shop.plans(rng)], EXTRAS_WITH_PLAN(rng)
        else:  # an add-on or two on their own: hardware, training, more seats
            chosen, extras = [], 1 + int(rng.random() < 0.4)
        for _ in range(extras * 3):  # sampling without replacement, a few tries per pick
            if len(chosen) == MAX_LINES or extras == 0:
                break
            product = self.shop.add_ons(rng)
            if product not in chosen:
                chosen.append(product)
                extras -= 1
        return chosen or [self.shop.plans(rng)]

    def _new(self, created: int, today: int) -> Order:
        rng = self.rng
        yearly = rng.random() < YEARLY_SHARE
        term = TERMS(rng)
        billing = "Annual" if yearly else MONTHLY_BILLING(rng)
        lines = []
        for product in self._products():
            spec = product.spec
            quantity = spec.quantities[int(rng.random() * len(spec.quantities))]
            discount = DISCOUNTS[int(rng.random() * len(DISCOUNTS))]
            line_term: int | None = term
            line_billing: str | None = billing
            if spec.category == RECURRING:
                period = "Year" if yearly and spec.yearly else "Month"
            else:
                period, line_term, line_billing = "OneTime", spec.validity_months, None
            end = term_end(today, line_term) if line_term else None
            lines.append(
                self._line(product, period, quantity, line_term, discount, today, end, line_billing)
            )
        first = lines[0].product.spec.name
        name = first if len(lines) == 1 else f"{first} + {len(lines) - 1} more"
        return self._make(created, "New", lines, name, self.actor())

    def _amend(
        self, chain: Chain, change_type: str, quantity: int, term: int, start: int, end: int
    ) -> Line:
        """A change or renewal line for ``chain``, at the subscription's own price and discount."""
        return self._line(
            chain.product, chain.price_period, quantity, term, chain.discount, start, end,
            chain.billing_period, change_type, chain,
        )  # fmt: skip

    def _change(self, created: int, today: int, live: list[Chain]) -> Order | None:
        """Quantity changes, co-termed with the subscription, from its next monthly anniversary."""
        target = live[int(self.rng.random() * len(live))]
        start_of = target.current.start
        months = months_until(start_of, today)
        start, end = add_months(start_of, months), target.end
        remaining = target.term - months
        if remaining < 1 or start > end:
            return None
        siblings = [
            ch for ch in live if ch is not target and ch.current.start == start_of and ch.end == end
        ]
        lines: list[Line] = []
        for chain in [target, *siblings[:1]]:
            delta = self._delta(chain)
            if delta < 0 and lines:
                break  # a reduction is its own order: a credit is never mixed with a charge
            lines.append(self._amend(chain, "UpdateQuantity", delta, remaining, start, end))
            if delta < 0:
                break
        return self._make(created, "Change", lines, _named("Change", lines), self.actor())

    def _delta(self, chain: Chain) -> int:
        step = chain.product.spec.quantities[0]
        units = chain.current.quantity // step
        if units > 1 and self.rng.random() < 0.15:
            return -step * (1 + int(self.rng.random() * min(3, units - 1)))
        return step * (1, 1, 2, 3, 5)[int(self.rng.random() * 5)]

    def _renewal(self, created: int, due: list[Chain]) -> Order:
        """Renews every due subscription sharing the earliest end date (a co-termed group)."""
        first_end = min(ch.end for ch in due)
        lines = []
        for chain in [ch for ch in due if ch.end == first_end][:MAX_LINES]:
            end = term_end(chain.start, chain.term + RENEWAL_TERM)
            quantity = chain.current.quantity
            lines.append(self._amend(chain, "Renew", quantity, RENEWAL_TERM, first_end + 1, end))
        automatic = all(line.target is not None and line.target.auto_renew for line in lines)
        actor = ("system", "renewals") if automatic else self.actor()
        return self._make(created, "Renewal", lines, _named("Renewal", lines), actor)

    def _make(
        self, created: int, kind: str, lines: list[Line], name: str, actor: tuple[str, str | None]
    ) -> Order:
        for number, line in enumerate(lines, 1):
            line.number = number
        return Order(
            id=self.w.uid(),
            number=self.w.next_number("O"),
            order_type=kind,
            status="Draft",
            created_us=created,
            created_by=actor,
            lines=lines,
            totals=order_totals([(line.priced, line.price) for line in lines]),
            name=name,
            effective=min(line.start for line in lines),
        )


def _named(kind: str, lines: list[Line]) -> str:
    """``Renewal SUB-00000012, SUB-00000013``."""
    return f"{kind} " + ", ".join(line.asset_number or "" for line in lines)
