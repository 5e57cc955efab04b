"""The practitioner ends a hold herself: the time frees now, not when the hold would end.

For a booking held for payment (a client's own Checkout, or a payment link she sent). Stripe
is asked first to close the Checkout Session, so it cannot be paid afterwards; if it turns
out paid already, the booking is confirmed instead and nothing is released. If Stripe
cannot be reached the hold is released anyway, and a payment that still arrives is a late
one (confirmed if the time is free, refunded otherwise), as for release_hold.

The history says she released it. A client who got her payment link is told, kindly, that
the link no longer works and that nothing was charged; a self-checkout's client started the
payment themselves and left it, so no email follows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from booking import effects
from booking.emails.compose import contact_line, format_span_in_two_zones, simple_message
from booking.models import Booking, BookingEvent
from booking.payments.confirmation import close_checkout
from booking.payments.models import Payment
from booking.services import ChangeNotAllowed, lock_practitioner, log_event

NOT_HELD = "This booking is {status}: there is no hold to release."
RELEASED_BY_HER = "released_by_practitioner"
RELEASED_EMAIL = "payments.hold_released_email"


@dataclass(frozen=True)
class Release:
    booking: Booking
    released: bool  # False: Stripe said it was paid, and the booking is confirmed instead
    client_told: bool = False


def release_by_practitioner(
    *, booking: Booking, actor_user=None, now: datetime | None = None
) -> Release:
    """End ``booking``'s hold now. Raises ChangeNotAllowed when it is not held."""
    now = now or timezone.now()
    if booking.status != Booking.Status.HELD:
        raise ChangeNotAllowed(NOT_HELD.format(status=booking.get_status_display().lower()))
    payment = Payment.objects.filter(booking_id=booking.pk).first()
    paid, _state = close_checkout(payment, now=now)
    if paid is not None:
        return Release(paid.booking or booking, released=False)
    with transaction.atomic(durable=True):
        lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        if booking.status != Booking.Status.HELD:
            raise ChangeNotAllowed(NOT_HELD.format(status=booking.get_status_display().lower()))
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        log_event(
            booking,
            BookingEvent.Kind.EXPIRED,
            actor="practitioner",
            actor_user=actor_user,
            at=now,
            reason=RELEASED_BY_HER,
        )
        Payment.objects.filter(booking_id=booking.pk).exclude(state__in=Payment.CAPTURED).update(
            state=Payment.State.EXPIRED, updated_at=now
        )
        told = payment is not None and payment.method == Payment.Method.LINK
        if told:
            effects.schedule(RELEASED_EMAIL, f"{RELEASED_EMAIL}:{booking.pk}", booking=booking)
    return Release(booking, released=True, client_told=told)


def released_message(booking: Booking) -> EmailMultiAlternatives | None:
    """To the client of a payment link she released: the link no longer works, nothing
    was charged, and how to reach her. None if the booking stands after all."""
    if booking.status != Booking.Status.EXPIRED:
        return None
    practitioner = booking.practitioner
    meeting = booking.offering.meeting_word
    context = {
        "client_name": booking.client_name,
        "practitioner_name": practitioner.name,
        "practice_name": practitioner.practice_name,
        "meeting": meeting,
        "when": format_span_in_two_zones(
            booking.start, booking.end, booking.client_timezone, practitioner.timezone
        ),
        "contact_note": contact_line(practitioner),
    }
    return simple_message(
        template="email/hold_released",
        context=context,
        subject=f"The time {practitioner.name} held for you is free again",
        to=booking.client_email,
        practitioner=practitioner,
    )


def register() -> None:
    """Called from PaymentsConfig.ready()."""
    effects.register_email(RELEASED_EMAIL, lambda effect: released_message(effect.booking))
