"""What the practitioner offers, changed from her console: create, edit, reorder, pause.

Each change is one transaction. The forms (console.offering_forms) have checked the values
already; these functions keep the rules that hold whatever the caller: a slug never changes
once made (it is in every link already sent), the kind of an offering that has bookings
stays what those bookings were made as, and an offering's cancellation terms are replaced
as a whole. A new price is for new bookings only: payments already taken or started keep
their own amount and currency on their own rows, and nothing here touches them.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from booking.models import Booking
from booking.payments.models import RefundTier
from practice.models import Offering, Practitioner

KIND_FIXED = "This offering has bookings, so its kind stays as it is."

# What the console may set on an offering (slug, practitioner and position it may not).
EDITABLE = (
    "name",
    "description",
    "kind",
    "duration_minutes",
    "price",
    "currency",
    "returning_clients_only",
    "questionnaire_id",
    "video_link",
    "video_room_pattern",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "min_notice_minutes",
    "horizon_days",
    "daily_cap",
    "slot_step_minutes",
    "reminder_hours",
)


class OfferingError(Exception):
    pass


def has_bookings(offering: Offering) -> bool:
    return offering.pk is not None and Booking.objects.filter(offering=offering).exists()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40].strip("-") or "offering"
    slug, number = base, 2
    while Offering.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _set(offering: Offering, values: Mapping[str, Any]) -> None:
    for name in EDITABLE:
        if name in values:
            setattr(offering, name, values[name])


def _replace_tiers(offering: Offering, tiers: Iterable[tuple[int, int]]) -> None:
    RefundTier.objects.filter(offering=offering).delete()
    RefundTier.objects.bulk_create(
        RefundTier(offering=offering, min_hours_before_start=hours, refund_percent=percent)
        for hours, percent in tiers
    )


def create_offering(
    *, practitioner: Practitioner, values: Mapping[str, Any], tiers: Iterable[tuple[int, int]]
) -> Offering:
    """A new offering, last in her list, bookable at once, with its own cancellation terms
    (``(hours before, percent back)`` pairs; none means a full refund at any time)."""
    with transaction.atomic(durable=True):
        last = Offering.objects.filter(practitioner=practitioner).aggregate(last=Max("position"))
        offering = Offering(
            practitioner=practitioner,
            slug=_unique_slug(values["name"]),
            position=(last["last"] + 1) if last["last"] is not None else 0,
        )
        _set(offering, values)
        offering.full_clean(exclude=["slug"])
        offering.save()
        _replace_tiers(offering, tiers)
    return offering


def update_offering(
    *, offering: Offering, values: Mapping[str, Any], tiers: Iterable[tuple[int, int]]
) -> Offering:
    """Her edit of ``offering``: its fields and its terms, for bookings made from now on."""
    with transaction.atomic(durable=True):
        locked = Offering.objects.select_for_update().get(pk=offering.pk)
        if values.get("kind", locked.kind) != locked.kind and has_bookings(locked):
            raise OfferingError(KIND_FIXED)
        _set(locked, values)
        locked.full_clean(exclude=["slug"])
        locked.save()
        _replace_tiers(locked, tiers)
    return locked


def move_offering(*, offering: Offering, up: bool) -> None:
    """One place up or down in her list (the order clients and she see them in). The list
    is numbered afresh each time, so equal or missing positions sort themselves out."""
    with transaction.atomic(durable=True):
        ordered = list(
            Offering.objects.select_for_update()
            .filter(practitioner_id=offering.practitioner_id)
            .order_by("position", "name", "pk")
        )
        index = next(i for i, o in enumerate(ordered) if o.pk == offering.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def set_paused(*, offering: Offering, paused: bool) -> Offering:
    """Paused: no one can book it and it leaves the public pages; the bookings it has keep
    their time, their links and their payments. Resumed: bookable again."""
    with transaction.atomic(durable=True):
        locked = Offering.objects.select_for_update().get(pk=offering.pk)
        locked.is_active = not paused
        locked.save(update_fields=["is_active"])
    return locked
