"""Builders for her clients' pages: bookings with payments, refunds, intakes and answers,
written straight to the tables as the services leave them."""

from datetime import datetime, timedelta
from decimal import Decimal

from booking.models import Booking
from booking.payments.models import HardshipRequest, Payment, Refund
from intake.models import Assignment, Response
from practice import crypto
from tests.factories import insert_booking

SECRET_ANSWER = "I have been struggling with my sleep since the move"
SECRET_NOTE = "Worried about my brother"


def paid_session(
    offering, start: datetime, *, email: str, name: str, refund: Decimal | None = None, **fields
) -> Booking:
    booking = insert_booking(offering, start, email=email, client_name=name, **fields)
    payment = Payment.objects.create(
        booking=booking,
        checkout_session_id=f"cs_test_{booking.pk}",
        payment_intent_id=f"pi_test_{booking.pk}",
        amount=offering.price,
        currency=offering.currency,
        state=Payment.State.PARTIALLY_REFUNDED if refund else Payment.State.PAID,
        amount_refunded=refund or Decimal("0"),
        created_at=start - timedelta(days=5),
        paid_at=start - timedelta(days=5),
    )
    if refund:
        Refund.objects.create(
            payment=payment,
            provider_refund_id=f"re_test_{booking.pk}",
            amount=refund,
            percent=50,
            decided_by=Refund.DecidedBy.POLICY,
            reason=f"{name} could not come",
            state=Refund.State.SUCCEEDED,
            created_at=start - timedelta(days=1),
            succeeded_at=start - timedelta(days=1),
        )
    return booking


def intake_for(booking: Booking, *, answers: dict | None = None, role=Assignment.Role.CLIENT):
    """The booking's attendee's intake, invited; sent with ``answers`` if given."""
    email = booking.client_email if role == Assignment.Role.CLIENT else booking.partner_email
    name = booking.client_name if role == Assignment.Role.CLIENT else booking.partner_name
    assignment = Assignment.objects.create(
        booking=booking, email=email, name=name, role=role, invited_at=booking.consented_at
    )
    if answers is not None:
        response = Response(
            assignment=assignment,
            questionnaire_id="full",
            questionnaire_version=2,
            started_at=booking.consented_at,
            updated_at=booking.consented_at,
            submitted_at=booking.consented_at,
        )
        response.keep_answers(answers, attention={})
        response.save()
    return assignment


def with_note(booking: Booking, note: str = SECRET_NOTE) -> Booking:
    booking.note_encrypted = crypto.encrypt_json(note)
    booking.save(update_fields=["note_encrypted"])
    return booking


def hardship_for(booking: Booking, *, state=HardshipRequest.State.APPROVED) -> HardshipRequest:
    return HardshipRequest.objects.create(
        booking=booking,
        state=state,
        requested_at=booking.start - timedelta(days=2),
        decided_at=booking.start - timedelta(days=1),
    )
