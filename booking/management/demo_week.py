"""A lived-in fortnight for the demo practice, relative to now: free calls, paid sessions,
a couples session, a hold for payment, a cancelled call, last week's completed session,
intakes in each state (one that needs her attention), a day off and a busy block.

Rows are written as the services leave them, each with its history row, so that seeding
sends no confirmation or invite; intake answers go through ``intake.services`` so that
they are encrypted like any client's. Run again, it adds nothing while the demo's bookings
are still ahead or recent; once they are all in the past it lays out a fresh fortnight.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from booking.availability import to_instant
from booking.models import Booking, BookingEvent, BusyBlock, TimeOff
from booking.payments.models import Payment
from intake import assignments as intake_assignments
from intake import services as intake_services
from intake.models import Assignment
from practice.models import Offering, Practitioner

DEMO_DOMAIN = "example.net"  # every demo client's address but Sam's
TIME_OFF_NOTE = "Training day (demo)"
NOTICE_VERSION = "demo"


@dataclass(frozen=True)
class Planned:
    day: int  # working days from today (negative: before it)
    at: time
    slug: str
    name: str
    email: str
    status: str = Booking.Status.CONFIRMED
    partner: str = ""
    zone: str = "Europe/Berlin"
    intake: str = ""  # "", "started", "sent", "flagged"
    partner_intake: str = ""


PLAN = [
    Planned(
        -4,
        time(10),
        "session",
        "Sam Rivera",
        "sam@example.org",
        Booking.Status.COMPLETED,
        intake="sent",
    ),
    Planned(0, time(10), "assessment", "Lena Hoffmann", f"lena@{DEMO_DOMAIN}", intake="flagged"),
    Planned(0, time(14), "session", "Sam Rivera", "sam@example.org"),  # a check-in, not started
    Planned(
        0,
        time(16),
        "couples_session",
        "Alex Moreau",
        f"alex@{DEMO_DOMAIN}",
        partner="Jo Moreau",
        intake="sent",
        partner_intake="started",
    ),
    Planned(
        1, time(9, 30), "assessment", "Priya Nair", f"priya@{DEMO_DOMAIN}", zone="Asia/Kolkata"
    ),
    Planned(1, time(15), "session", "Tomás Ruiz", f"tomas@{DEMO_DOMAIN}", Booking.Status.HELD),
    Planned(2, time(11), "session", "Noor Haddad", f"noor@{DEMO_DOMAIN}", intake="started"),
    Planned(
        2, time(10), "assessment", "Ben Okafor", f"ben@{DEMO_DOMAIN}", Booking.Status.CANCELLED
    ),
    Planned(3, time(10), "assessment", "Mia Schulz", f"mia@{DEMO_DOMAIN}", intake="sent"),
    Planned(4, time(17), "session", "Eli Brandt", f"eli@{DEMO_DOMAIN}", intake="sent"),
    Planned(6, time(9), "assessment", "Hana Sato", f"hana@{DEMO_DOMAIN}", zone="America/New_York"),
    Planned(7, time(11, 30), "session", "Noor Haddad", f"noor@{DEMO_DOMAIN}"),
]
TIME_OFF_DAY = 5  # a working day with nothing booked
BUSY = (2, time(15), timedelta(minutes=90))  # her dentist, entered by hand


def working_day(today: date, offset: int) -> date:
    """The ``offset``-th working day (Monday–Friday) from today (today itself, if one)."""
    day = today
    while day.weekday() > 4:
        day += timedelta(days=1)
    step = 1 if offset >= 0 else -1
    for _ in range(abs(offset)):
        day += timedelta(days=step)
        while day.weekday() > 4:
            day += timedelta(days=step)
    return day


def already_seeded(practitioner: Practitioner, now: datetime) -> bool:
    return Booking.objects.filter(
        practitioner=practitioner,
        client_email__iendswith="@" + DEMO_DOMAIN,
        start__gte=now - timedelta(days=8),
    ).exists()


def _write_booking(plan: Planned, offering: Offering, start: datetime, now: datetime) -> Booking:
    status = plan.status
    booking = Booking.objects.create(
        practitioner=offering.practitioner,
        offering=offering,
        status=Booking.Status.CONFIRMED if status == Booking.Status.COMPLETED else status,
        start=start,
        end=start + offering.duration,
        blocked_start=start - offering.buffer_before,
        blocked_end=start + offering.duration + offering.buffer_after,
        hold_expires_at=now + timedelta(hours=1) if status == Booking.Status.HELD else None,
        client_name=plan.name,
        client_email=plan.email,
        client_timezone=plan.zone,
        partner_name=plan.partner,
        partner_email=f"{plan.partner.split()[0].lower()}@{DEMO_DOMAIN}" if plan.partner else "",
        consented_at=min(now, start) - timedelta(days=3),
        privacy_notice_version=NOTICE_VERSION,
    )
    booked_at = min(now, start) - timedelta(days=3)
    BookingEvent.objects.create(booking=booking, kind="created", actor="client", at=booked_at)
    if status == Booking.Status.CANCELLED:
        BookingEvent.objects.create(
            booking=booking, kind="cancelled", actor="client", at=booked_at + timedelta(days=1)
        )
    if not offering.is_free and status != Booking.Status.CANCELLED:
        paid = status != Booking.Status.HELD
        Payment.objects.create(
            booking=booking,
            checkout_session_id=f"cs_demo_{booking.public_id.hex}",
            amount=offering.price,
            currency=offering.currency,
            state=Payment.State.PAID if paid else Payment.State.PENDING,
            created_at=booked_at,
            paid_at=booked_at if paid else None,
        )
    return booking


def _fill(assignment: Assignment, how: str, now: datetime) -> None:
    """Answers through the intake services (encrypted as a client's would be)."""
    if not how:
        return
    intake_services.give_consent(assignment=assignment, now=now)
    answers = {"what_brings_you": "Demo answer: wanting steadier days."}
    if how == "flagged":
        answers["safe_now"] = "not_sure"
    intake_services.save_answers(assignment=assignment, answers=answers, now=now)
    if how in ("sent", "flagged"):
        intake_services.submit(assignment=assignment, now=now)


def seed_demo_week(practitioner: Practitioner, *, now: datetime) -> int:
    """Lay out the demo fortnight; the number of bookings written (0 if already there)."""
    if already_seeded(practitioner, now):
        return 0
    zone = practitioner.zone
    today = now.astimezone(zone).date()
    offerings = {o.slug: o for o in Offering.objects.filter(practitioner=practitioner)}
    written = []
    with transaction.atomic():
        for plan in PLAN:
            day = working_day(today, plan.day)
            start = to_instant(day, plan.at, zone, is_end=False)
            written.append((plan, _write_booking(plan, offerings[plan.slug], start, now)))
        off = working_day(today, TIME_OFF_DAY)
        TimeOff.objects.get_or_create(
            practitioner=practitioner,
            first_day=off,
            last_day=off,
            defaults={"note": TIME_OFF_NOTE},
        )
        busy_day, busy_at, busy_for = BUSY
        busy_start = to_instant(working_day(today, busy_day), busy_at, zone, is_end=False)
        BusyBlock.objects.create(
            practitioner=practitioner, start=busy_start, end=busy_start + busy_for
        )
    if settings.INTAKE_ENCRYPTION_KEYS:
        # The demo's intakes email no one: what a Send would tell her is on her pages.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for plan, booking in written:  # in plan order: last week's intake comes first
                if booking.status != Booking.Status.CONFIRMED:
                    continue
                intake_assignments.assign_for_booking(booking_id=booking.pk, now=now)
                for assignment in Assignment.objects.filter(booking=booking):
                    how = plan.partner_intake if assignment.role == "partner" else plan.intake
                    _fill(assignment, how, min(now, booking.start) - timedelta(days=1))
    completed = [b.pk for p, b in written if p.status == Booking.Status.COMPLETED]
    with transaction.atomic():
        for booking in Booking.objects.filter(pk__in=completed):
            Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.COMPLETED)
            BookingEvent.objects.create(
                booking=booking, kind="completed", actor="practitioner", at=booking.end
            )
    return len(written)
