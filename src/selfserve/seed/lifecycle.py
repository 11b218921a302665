"""What happens to an order after it is created, and what that does to its assets.

An order stays a draft, is canceled as a draft, or is activated; an activated new order may
later be canceled (its assets end on the cancellation date) or be scheduled for cancellation
(the date lies after ``as_of``). Activation versions the assets the way the API does: a new
line starts asset version 1, a change or renewal line adds a version to an existing one.
"""

from __future__ import annotations

import random

from .calendar import DAY, HOUR, MINUTE, local_ordinal
from .catalog import ASSET_TYPE, CANCELLATION_REASONS, NUMBER_KIND
from .model import Chain, Customer, Line, Order, Version
from .world import World

PENDING_CANCEL_DAYS = 60  # how far after as_of a scheduled cancellation may take effect
AUTO_RENEW_SHARE = 0.7
RENEWAL_TERM = 12
# Fates, as cumulative shares of the orders of a kind: about 10 % stay drafts and 10 % end
# up canceled (half of the new ones after activation), the rest are activated.
DRAFT_UNTIL = 0.10
CANCELED_DRAFT_UNTIL = {"New": 0.15, "Change": 0.18, "Renewal": 0.18}
CANCELED_LATER_UNTIL = {"New": 0.20}
SCHEDULED_CANCEL_SHARE = 0.05  # of the activated new orders that stay activated


def between(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in ``[low, high)`` (``low`` when the range is empty)."""
    return low + int(rng.random() * (high - low)) if high > low else low


class Lifecycle:
    """Order status changes and the asset versions they produce, for one customer."""

    def __init__(self, world: World, customer: Customer) -> None:
        self.w, self.c = world, customer
        self.rng = world.rng
        self.chains: list[Chain] = []
        self.subs: list[Chain] = []  # subscriptions later orders may still change or renew

    def live(self, today: int) -> list[Chain]:
        """Subscriptions running on ``today``; an ended one never comes back, so it is dropped."""
        subs = self.subs = [ch for ch in self.subs if ch.end >= today]
        return [ch for ch in subs if ch.start <= today]

    def actor(self) -> tuple[str, str | None]:
        if self.rng.random() < 0.15:
            return ("customer", self.c.id)
        keys = self.w.api_keys
        return ("api_key", keys[int(self.rng.random() * len(keys))])

    def advance(self, order: Order, following: int) -> None:
        """Decides the order's fate; activation happens before the customer's next order."""
        rng, now, created = self.rng, self.w.now_us, order.created_us
        kind = order.order_type
        u = rng.random()
        if u < DRAFT_UNTIL:
            return  # stays a draft
        if u < CANCELED_DRAFT_UNTIL[kind]:
            order.status = "Canceled"
            order.canceled_us = created + min(between(rng, HOUR, 20 * DAY), (now - created) // 2)
            order.cancel_effective = local_ordinal(order.canceled_us, self.c.zone)
            self._cancellation(order)
            return
        window = max((following - created) // 2, 1)
        order.activated_us = created + min(between(rng, 2 * MINUTE, 3 * DAY), window)
        order.status = "Activated"
        self._activate(order)
        if u < CANCELED_LATER_UNTIL.get(kind, 0):
            self._cancel_activated(order)
        elif kind == "New" and rng.random() < SCHEDULED_CANCEL_SHARE:
            self._schedule_cancel(order)

    def _cancellation(self, order: Order) -> None:
        reasons = CANCELLATION_REASONS
        order.cancel_reason = reasons[int(self.rng.random() * len(reasons))]
        order.canceled_by = order.created_by if order.created_by[0] != "system" else self.actor()

    def _activate(self, order: Order) -> None:
        at = order.activated_us
        assert at is not None
        for line in order.lines:
            if line.target is None:
                chain = self._new_chain(line)
                line.asset_number = chain.number  # activation records what the line created
                total = line.price.total_price
                version = self._version(
                    chain, order, line, at, line.quantity, line.end, line.term, total
                )
            else:
                chain, prev = line.target, line.target.current
                renew = line.change_type == "Renew"
                version = self._version(
                    chain, order, line, at,
                    quantity=prev.quantity + (0 if renew else line.quantity),
                    end=line.end if renew else prev.end,
                    term=(prev.term or 0) + (line.term or 0) if renew else prev.term,
                    total=prev.total_price + line.price.total_price,
                )  # fmt: skip
            line.version = version
            order.versions.append(version)

    def _version(
        self,
        chain: Chain,
        order: Order,
        line: Line,
        at: int,
        quantity: int,
        end: int | None,
        term: int | None,
        total: int,
    ) -> Version:
        """The asset's next version; the one it replaces stops being current at ``at``."""
        prev = chain.versions[-1] if chain.versions else None
        if prev is not None:
            prev.updated_us = at
        version = Version(
            id=self.w.uid(),
            chain=chain,
            number=1 if prev is None else prev.number + 1,
            order=order,
            line=line,
            quantity=quantity,
            sales_price=line.price.sales_price if prev is None else prev.sales_price,
            start=line.start if prev is None else prev.start,
            end=end,
            term=term,
            total_price=total,
            created_us=at,
            previous=prev,
        )
        chain.versions.append(version)
        chain.start, chain.end, chain.term = version.start, end or 0, term or 0
        return version

    def _new_chain(self, line: Line) -> Chain:
        asset_type = ASSET_TYPE[line.product.spec.category]
        subscription = asset_type == "Subscription"
        chain = Chain(
            number=self.w.next_number(NUMBER_KIND[asset_type]),
            asset_type=asset_type,
            product=line.product,
            pbe_id=line.pbe_id,
            price_period=line.price_period,
            list_price=line.list_price,
            discount=line.discount,
            billing_period=line.billing_period,
            auto_renew=subscription and self.rng.random() < AUTO_RENEW_SHARE,
            renewal_term=RENEWAL_TERM if subscription else None,
        )
        self.chains.append(chain)
        if subscription:
            self.subs.append(chain)
        return chain

    def _cancel_activated(self, order: Order) -> None:
        """Canceled some time after activation: its assets end on the local cancellation day."""
        at = order.activated_us
        assert at is not None
        order.canceled_us = at + min(
            between(self.rng, DAY, 200 * DAY), (self.w.now_us - at) * 9 // 10
        )
        order.cancel_effective = local_ordinal(order.canceled_us, self.c.zone)
        order.status = "Canceled"
        self._cancellation(order)
        self._end_assets(order)

    def _schedule_cancel(self, order: Order) -> None:
        """Canceled recently with a future effective date: the order stays Activated."""
        ends = [v.end for v in order.versions if v.chain.asset_type == "Subscription" and v.end]
        as_of, now = self.w.as_of, self.w.now_us
        earliest = max((order.activated_us or now) + MINUTE, now - 40 * DAY)
        if not ends or min(ends) <= as_of + 1 or earliest >= now - MINUTE:
            return
        order.canceled_us = between(self.rng, earliest, now - MINUTE)
        room = min(PENDING_CANCEL_DAYS, min(ends) - as_of - 1)
        order.cancel_effective = as_of + 1 + int(self.rng.random() * room)
        self._cancellation(order)
        self._end_assets(order)

    def _end_assets(self, order: Order) -> None:
        """Like the API: each subscription of the order gets a version that records the end.

        Physical assets and entitlements are left as they are; only subscriptions bill on.
        """
        ending = {version.chain for version in order.versions}
        self.subs = [ch for ch in self.subs if ch not in ending]  # no later order may touch them
        at, effective = order.canceled_us, order.cancel_effective
        assert at is not None and effective is not None
        for version in list(order.versions):
            chain, prev = version.chain, version.chain.current
            if chain.asset_type != "Subscription" or (prev.end or 0) < effective:
                continue
            chain.cancel_date, chain.cancel_us = effective, at
            ended = self._version(
                chain, order, prev.line, at, prev.quantity, prev.end, prev.term, prev.total_price
            )
            order.cancellations.append(ended)

    def settle(self) -> None:
        """Statuses as of ``as_of``; only the newest version of an asset is current."""
        as_of, grace = self.w.as_of, self.w.terms.grace_period_days
        for chain in self.chains:
            for old in chain.versions[:-1]:
                old.auto_renew = chain.auto_renew
            cur = chain.current
            cur.updated_us = cur.created_us
            cur.auto_renew = False
            if chain.cancel_date is not None:
                scheduled = chain.cancel_date > as_of
                cur.status = "Scheduled for Cancellation" if scheduled else "Canceled"
                cur.updated_us = chain.cancel_us or cur.created_us
            elif cur.start > as_of:
                cur.status = "Pending"
            elif cur.end is not None and cur.end < as_of:
                cur.status = "Expired" if as_of - cur.end > grace else "Ended"
            else:
                cur.status = "Active"
                cur.auto_renew = chain.auto_renew
