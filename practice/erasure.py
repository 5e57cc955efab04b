"""Erasing a client at their request: their personal data and answers go, the money stays.

A client is one email address (any case). Erasing them anonymises the bookings they made
(name, email, the note they wrote, the account they booked from), takes them off the
couples sessions they joined as a partner, erases their intake answers (a tombstone stays,
as when a client erases their own intake), and deletes their returning-client mark and
their sign-in account. Payments and refunds stay, with their amounts, dates, currencies and
Stripe's ids, because bookkeeping law asks the practice to keep them (10 years in Germany):
they stay attached to bookings now named "Erased client". A couples partner's own name,
email and answers are the partner's, not the client's: they stay.

``plan_erasure`` says all of this for one client before anything happens (the page that
asks for the confirmation shows it); ``erase_client`` does it in one transaction and leaves
a ``ClientErasure`` with counts, a date and who did it, and nothing about who was erased.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q

from booking.models import Booking, BookingEvent
from booking.payments.models import HardshipRequest, Payment, Refund
from intake.models import Assignment, Response, SessionNote, new_token
from intake.services import wipe_answers
from practice.errors import UserFacingError
from practice.models import ERASED_NAME, ClientErasure, KnownClient, Practitioner

UPCOMING = (
    "This client still has a session ahead. Cancel it first (with a refund if it was paid), "
    "then come back to erase their details."
)
NOTHING_LEFT = "There is nothing left to erase for this client."

# Audit data worth keeping once the person is gone: times, money and who acted, never words.
_KEPT_EVENT_KEYS = {
    "start",
    "old_start",
    "new_start",
    "hold_expires_at",
    "by",
    "late",
    "awaiting_email_confirmation",
    "refund_percent",
    "refund_amount",
    "refund_currency",
    "refund_decided_by",
}
_CODE = re.compile(r"^[a-z_]{1,40}$")  # a reason given by the system, e.g. "hold_expired"


class ErasureRefused(UserFacingError):
    """The client cannot be erased now; ``message`` says why and what to do."""


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing one client removes and keeps, counted before anything is touched."""

    email: str
    booking_ids: list[int]
    partner_booking_ids: list[int]
    intakes: int  # intake questionnaires of theirs with answers (or started) to delete
    account_ids: list[int]  # sign-in accounts to delete
    staff_accounts: int  # accounts with staff rights or hers: kept, never deleted here
    known_client: bool
    payments: int
    refunds: int
    hardship_requests: int
    partners_kept: int = 0  # couples sessions of theirs whose partner's details stay
    upcoming: list[Booking] = field(default_factory=list)

    @property
    def bookings(self) -> int:
        return len(self.booking_ids)

    @property
    def partner_bookings(self) -> int:
        return len(self.partner_booking_ids)

    @property
    def accounts(self) -> int:
        return len(self.account_ids)

    @property
    def is_empty(self) -> bool:
        return not (
            self.booking_ids or self.partner_booking_ids or self.account_ids or self.known_client
        )


def _accounts(email: str):
    """The accounts that sign in with ``email``: by an allauth address or by their own."""
    by_address = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    return get_user_model().objects.filter(Q(pk__in=by_address) | Q(email__iexact=email))


def _own_bookings(practitioner: Practitioner, email: str, account_ids: list[int]):
    mine = Q(client_email__iexact=email)
    if account_ids:
        mine |= Q(client_id__in=account_ids)
    return Booking.objects.filter(mine, practitioner=practitioner)


def _their_assignments(booking_ids: list[int], partner_booking_ids: list[int], email: str):
    """Their own intakes: the client's on their bookings, theirs as a partner elsewhere."""
    return Assignment.objects.filter(
        Q(booking_id__in=booking_ids, role=Assignment.Role.CLIENT)
        | Q(booking_id__in=partner_booking_ids, email__iexact=email)
    )


def plan_erasure(*, practitioner: Practitioner, email: str, now: datetime) -> ErasurePlan:
    """What ``erase_client`` would remove and keep for ``email``, with the sessions still
    ahead that stop it (held for payment or confirmed): a fixed number of queries."""
    email = email.strip().lower()
    users = list(_accounts(email).select_related("practitioner"))
    deletable = [
        u.pk
        for u in users
        if not (u.is_staff or u.is_superuser or hasattr(u, "practitioner"))
        and u.pk != practitioner.user_id
    ]
    own = _own_bookings(practitioner, email, [u.pk for u in users])
    rows = list(own.values_list("pk", "partner_email"))
    booking_ids = [pk for pk, _partner in rows]
    partner_ids = list(
        Booking.objects.filter(practitioner=practitioner, partner_email__iexact=email)
        .exclude(pk__in=booking_ids)
        .values_list("pk", flat=True)
    )
    upcoming = list(
        Booking.objects.filter(pk__in=booking_ids + partner_ids, end__gt=now)
        .filter(
            Q(status=Booking.Status.CONFIRMED)
            | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)
        )
        .select_related("offering")
        .order_by("start")
    )
    intakes = Response.objects.filter(
        assignment__in=_their_assignments(booking_ids, partner_ids, email),
        erased_at__isnull=True,
    ).count()
    payments = Payment.objects.filter(booking_id__in=booking_ids)
    return ErasurePlan(
        email=email,
        booking_ids=booking_ids,
        partner_booking_ids=partner_ids,
        intakes=intakes,
        account_ids=deletable,
        staff_accounts=len(users) - len(deletable),
        known_client=KnownClient.objects.filter(email__iexact=email).exists(),
        payments=payments.count(),
        refunds=Refund.objects.filter(payment__in=payments).count(),
        hardship_requests=HardshipRequest.objects.filter(booking_id__in=booking_ids).count(),
        partners_kept=sum(1 for _pk, partner in rows if partner and partner.lower() != email),
        upcoming=upcoming,
    )


def _scrubbed(data: dict) -> dict:
    """An audit event's data without anything a person wrote (a cancellation's reason)."""
    kept = {}
    for key, value in data.items():
        if key in _KEPT_EVENT_KEYS and not isinstance(value, str | list | dict):
            kept[key] = value
        elif key in _KEPT_EVENT_KEYS and isinstance(value, str) and len(value) <= 40:
            kept[key] = value
        elif key == "reason" and isinstance(value, str) and _CODE.match(value):
            kept[key] = value
    return kept


def _end_sessions(user_ids: list[int], now: datetime) -> None:
    """Sign the deleted accounts out everywhere: their stored sessions are deleted."""
    wanted = {str(pk) for pk in user_ids}
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=now).iterator()
        if session.get_decoded().get("_auth_user_id") in wanted
    ]
    Session.objects.filter(pk__in=stale).delete()


def erase_client(
    *, practitioner: Practitioner, email: str, actor_user, now: datetime
) -> ClientErasure:
    """Erase the client with ``email`` as ``plan_erasure`` describes, in one transaction:
    either all of it happens or none. Refused (``ErasureRefused``) while a session of
    theirs is still ahead, and when nothing of them is left."""
    with transaction.atomic(durable=True):
        # Her row serialises changes of her bookings: no booking of theirs appears meanwhile.
        Practitioner.objects.select_for_update().get(pk=practitioner.pk)
        plan = plan_erasure(practitioner=practitioner, email=email, now=now)
        if plan.upcoming:
            raise ErasureRefused(UPCOMING)
        if plan.is_empty:
            raise ErasureRefused(NOTHING_LEFT)
        record = ClientErasure.objects.create(
            erased_at=now,
            erased_by=actor_user,
            bookings=plan.bookings,
            partner_bookings=plan.partner_bookings,
            intakes=plan.intakes,
            accounts=plan.accounts,
            known_client=plan.known_client,
            payments_kept=plan.payments,
            refunds_kept=plan.refunds,
            hardship_requests_kept=plan.hardship_requests,
        )
        placeholder = record.placeholder_email
        assignments = list(
            _their_assignments(plan.booking_ids, plan.partner_booking_ids, plan.email)
        )
        for response in Response.objects.filter(assignment__in=assignments, erased_at=None):
            wipe_answers(response, now=now)
        for assignment in assignments:
            # A new token: the intake links in their old emails lead nowhere now.
            assignment.name, assignment.email, assignment.token = (
                ERASED_NAME,
                placeholder,
                new_token(),
            )
            assignment.save(update_fields=["name", "email", "token"])
        Booking.objects.filter(pk__in=plan.booking_ids).update(
            client_name=ERASED_NAME,
            client_email=placeholder,
            client=None,
            note_encrypted=None,
            updated_at=now,
        )
        Booking.objects.filter(pk__in=plan.partner_booking_ids).update(
            partner_name="", partner_email="", updated_at=now
        )
        for event in BookingEvent.objects.filter(booking_id__in=plan.booking_ids):
            scrubbed = _scrubbed(event.data)
            if scrubbed != event.data:
                event.data = scrubbed
                event.save(update_fields=["data"])
        # What a refund was for, in someone's words; the system's own codes stay.
        Refund.objects.filter(payment__booking_id__in=plan.booking_ids).exclude(
            decided_by=Refund.DecidedBy.LATE_PAYMENT
        ).update(reason="")
        SessionNote.objects.filter(booking_id__in=plan.booking_ids).delete()
        KnownClient.objects.filter(email__iexact=plan.email).delete()
        if plan.account_ids:
            _end_sessions(plan.account_ids, now)
            get_user_model().objects.filter(pk__in=plan.account_ids).delete()
    return record
