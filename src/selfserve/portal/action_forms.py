"""The portal's action forms read strictly: what the customer chose, or which field is wrong
and why (the form is shown again with the message). Pure: no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from selfserve.assets.schemas import SubscriptionRead
from selfserve.portal.schemas import CancellationPolicy

ONE_DAY = timedelta(days=1)
MAX_QUANTITY = 1_000_000_000
COMMENT_MAX = 400
TERM_CHOICES = (1, 3, 6, 12, 24, 36)


class FormError(Exception):
    """A field the customer has to correct; ``message`` is English, translated when shown."""

    def __init__(self, field: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.field, self.message, self.values = field, message, values


def _text(form: Mapping[str, object], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class CancelChoice:
    timing: str  # endOfTerm | date
    cancellation_date: date  # the first day without service
    reason: str
    comment: str

    @property
    def last_day(self) -> date:
        return self.cancellation_date - ONE_DAY

    def fields(self) -> dict[str, str]:
        return {"timing": self.timing, "date": self.cancellation_date.isoformat(),
                "reason": self.reason, "comment": self.comment}  # fmt: skip

    def history_reason(self) -> str | None:
        """What the change events record as the reason: the code, then the comment."""
        parts = [part for part in (self.reason, self.comment) if part]
        return ": ".join(parts) or None


def end_of_term(sub: SubscriptionRead) -> date | None:
    """The first day after the current term, when the subscription has an end."""
    return None if sub.end_date is None else sub.end_date + ONE_DAY


def cancel_timings(policy: CancellationPolicy, sub: SubscriptionRead) -> list[str]:
    """The timings the tenant allows that this subscription can use (an open-ended
    subscription has no end of term)."""
    return [t for t in policy.timing if t == "date" or end_of_term(sub) is not None]


def cancel_choice(
    form: Mapping[str, object], policy: CancellationPolicy, sub: SubscriptionRead, today: date
) -> CancelChoice:
    timings = cancel_timings(policy, sub)
    timing = _text(form, "timing") or (timings[0] if len(timings) == 1 else "")
    if timing not in timings:
        raise FormError("timing", "Choose when the subscription ends.")
    reason = _text(form, "reason")
    if reason and reason not in policy.reasons:
        raise FormError("reason", "Choose one of the reasons listed.")
    if policy.require_reason and not reason:
        raise FormError("reason", "Choose a reason.")
    comment = _text(form, "comment")
    if len(comment) > COMMENT_MAX:
        raise FormError("comment", "Keep the comment under {count} characters.", count=COMMENT_MAX)
    last = end_of_term(sub)
    if timing == "endOfTerm":
        assert last is not None
        return CancelChoice(timing, last, reason, comment)
    return CancelChoice(timing, _cancel_date(_text(form, "date"), today, last), reason, comment)


def _cancel_date(raw: str, today: date, last: date | None) -> date:
    try:
        picked = date.fromisoformat(raw)
    except ValueError:
        raise FormError(
            "date", "Enter a date such as {example}.", example=today.isoformat()
        ) from None
    if picked < today:
        raise FormError("date", "Choose today or a later date.")
    if last is not None and picked > last:
        raise FormError("date", "Choose a date within the current term.")
    return picked


def new_quantity(form: Mapping[str, object], current: int) -> int:
    """The new total quantity; the API's change is the difference to ``current``."""
    raw = _text(form, "quantity")
    try:
        quantity = int(raw)
    except ValueError:
        raise FormError("quantity", "Enter a whole number.") from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise FormError("quantity", "Enter a number from 1 to {max}.", max=MAX_QUANTITY)
    if quantity == current:
        raise FormError("quantity", "Enter a quantity different from the current one.")
    return quantity


def renewal_terms(sub: SubscriptionRead) -> list[int]:
    """The terms offered for a renewal: the subscription's own renewal term first."""
    own = sub.renewal_term or sub.term
    return sorted({*TERM_CHOICES, *([own] if own else [])})


def renewal_term(form: Mapping[str, object], sub: SubscriptionRead) -> int:
    raw = _text(form, "term")
    if not raw.isdigit() or int(raw) not in renewal_terms(sub):
        raise FormError("term", "Choose the length of the new term.")
    return int(raw)


def auto_renew(form: Mapping[str, object]) -> bool:
    value = _text(form, "autoRenew")
    if value not in ("on", "off"):
        raise FormError("autoRenew", "Choose whether the subscription renews automatically.")
    return value == "on"
