"""Her offerings said back in words: "60 minutes · 120.00 EUR · Returning clients", "15
minutes kept free after; booked at least 12 hours ahead, up to 60 days ahead".

The cancellation terms are said exactly as clients read them (booking.payments.policy), so
what she sees while editing is what the page before paying will say.
"""

from dataclasses import dataclass

from booking import reminder_choice
from booking.payments.models import RefundTier
from booking.payments.policy import format_money, terms_in_words
from console.durations import in_words
from practice.models import Offering


@dataclass(frozen=True)
class OfferingRow:
    offering: Offering
    kind: str
    length: str
    price: str
    who: str
    rules: str
    terms: list[str]
    first: bool
    last: bool


def length_words(minutes: int) -> str:
    return f"{minutes} minutes" if minutes < 60 or minutes % 60 else in_words(minutes)


def price_words(offering: Offering) -> str:
    return "Free" if offering.is_free else format_money(offering.price, offering.currency)


def rules_sentence(
    *,
    buffer_before: int,
    buffer_after: int,
    notice: int,
    horizon_days: int,
    daily_cap: int | None,
    step: int,
) -> str:
    """One line of her booking rules, the way she would say them."""
    parts = []
    if buffer_before and buffer_after:
        before, after = in_words(buffer_before), in_words(buffer_after)
        parts.append(f"{before} kept free before and {after} after")
    elif buffer_before:
        parts.append(f"{in_words(buffer_before)} kept free before")
    elif buffer_after:
        parts.append(f"{in_words(buffer_after)} kept free after")
    parts.append(
        f"booked at least {in_words(notice)} ahead" if notice else "bookable up to the last minute"
    )
    parts.append(f"up to {in_words(horizon_days * 24 * 60)} ahead")
    if daily_cap:
        parts.append(f"at most {daily_cap} a day")
    parts.append(f"start times every {length_words(step)}")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def offering_rules(offering: Offering) -> str:
    return rules_sentence(
        buffer_before=offering.buffer_before_minutes,
        buffer_after=offering.buffer_after_minutes,
        notice=offering.min_notice_minutes,
        horizon_days=offering.horizon_days,
        daily_cap=offering.daily_cap,
        step=offering.slot_step_minutes,
    )


def offering_rows(offerings: list[Offering]) -> list[OfferingRow]:
    """The list page's rows, with every offering's terms in one query."""
    tiers: dict[int, list[tuple[int, int]]] = {}
    for offering_id, hours, percent in (
        RefundTier.objects.filter(offering__in=offerings)
        .order_by("offering_id", "-min_hours_before_start")
        .values_list("offering_id", "min_hours_before_start", "refund_percent")
    ):
        tiers.setdefault(offering_id, []).append((hours, percent))
    return [
        OfferingRow(
            offering=offering,
            kind=offering.get_kind_display(),
            length=length_words(offering.duration_minutes),
            price=price_words(offering),
            who="Returning clients" if offering.returning_clients_only else "Anyone",
            rules=offering_rules(offering),
            terms=[] if offering.is_free else terms_in_words(tiers.get(offering.pk, [])),
            first=index == 0,
            last=index == len(offerings) - 1,
        )
        for index, offering in enumerate(offerings)
    ]


def terms_preview(form) -> list[str] | None:
    """The terms as clients will read them: of what she typed once it is valid, of what is
    saved before she has typed; None while the form has errors to fix."""
    if form.is_bound:
        return terms_in_words(form.cleaned_data["tiers"]) if form.is_valid() else None
    tiers = []
    for row in range(1, 5):
        notice = form.initial.get(f"tier_{row}_notice")
        percent = form.initial.get(f"tier_{row}_percent")
        if notice is not None and percent is not None:
            tiers.append((notice // 60, percent))
    return terms_in_words(sorted(tiers, reverse=True))


def reminders_preview(form) -> str | None:
    """Her reminders in one sentence, of what she ticked (once valid) or what is saved."""
    if form.is_bound:
        if not form.is_valid():
            return None
        hours = form.values()["reminder_hours"]
    else:
        hours = form.initial.get("reminder_hours") or []
    return reminders_sentence(hours)


def reminders_sentence(hours: list[int]) -> str:
    """ "Each attendee is emailed a reminder 24 hours and 2 hours before." """
    if not hours:
        return "No reminders are sent."
    return f"Each attendee is emailed a reminder {reminder_choice.in_words(hours)}."


def rules_preview(form) -> str | None:
    """Her booking rules in one sentence, of what she typed (once valid) or what is saved."""
    if form.is_bound:
        if not form.is_valid():
            return None
        values = form.values()
    else:
        values = dict(form.initial, horizon_days=form.initial["horizon_minutes"] // (24 * 60))
    return rules_sentence(
        buffer_before=values["buffer_before_minutes"],
        buffer_after=values["buffer_after_minutes"],
        notice=values["min_notice_minutes"],
        horizon_days=values["horizon_days"],
        daily_cap=values.get("daily_cap"),
        step=values["slot_step_minutes"],
    )
