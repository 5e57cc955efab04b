"""A booking in her console: the page, and its actions (cancel, move, attendance, note).

Thin views: each finds her booking (another's is a 404), cleans a small form and calls one
service; what the page says is read by console.booking_facts. Cancelling a paid booking
refunds, so its POST asks her to confirm who she is (console.access.sensitive).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from booking import attendance as attendance_marks
from booking import refusals, selectors
from booking.booking_changes import mark_attendance
from booking.booking_changes import reschedule as reschedule_booking
from booking.models import Booking
from booking.payments.models import Payment
from booking.payments.practitioner_cancel import cancel_by_practitioner, captured_payment
from booking.services import BookingError, ChangeNotAllowed, SlotUnavailable
from console import booking_facts as facts
from console.access import practitioner_required, sensitive
from console.booking_forms import (
    CancelForm,
    HardshipAnswerForm,
    MoveForm,
    NoteForm,
    TypedTimeForm,
)
from console.durations import in_words
from console.night import at_night, night_note
from intake import services as intake_services
from intake import session_notes
from practice.timezones import clock, day

Unbookable = refusals.Unbookable
# Why a time she picked is outside what clients can book: she may still choose it.
OUTSIDE_WHY = {
    Unbookable.TOO_SOON: "It is sooner than the {notice} notice clients must give.",
    Unbookable.TOO_FAR: "It is further ahead than clients can book ({days} days).",
    Unbookable.DAY_OFF: "You do not work that day.",
    Unbookable.OFF_GRID: "It is not one of the times your hours offer.",
    Unbookable.FULLY_BOOKED: "That day already has as many of these as you allow.",
    Unbookable.BUSY: "Your own calendar shows you busy then.",
}
# What still says no, outside her open times too.
REFUSED = {
    Unbookable.PAST: "That time has passed. Please choose a time still ahead.",
    Unbookable.TAKEN: "Another booking keeps that time (its buffers included). Please choose "
    "another.",
    Unbookable.OWN_HOLD: "Another booking keeps that time (its buffers included). Please "
    "choose another.",
}
NOT_CONFIRMED = "This booking is {status}: it can no longer be moved or cancelled."


def _first(name: str) -> str:
    return name.split()[0] if name else "The client"


def _who_is_told(booking: Booking) -> str:
    names = _first(booking.client_name)
    if booking.partner_email:
        names += f" and {_first(booking.partner_name)}"
    return names


@practitioner_required
@require_http_methods(["GET"])
def booking(request, public_id):
    """Who, when, money, intakes, history, her note, and what she can do now."""
    return _page(request, facts.booking_of(request.practitioner, public_id))


def _page(request, found: Booking, *, hardship_form=None, status: int = 200):
    now = timezone.now()
    note = ""
    if found.note_encrypted is not None:
        intake_services.record_reads(user=request.user, responses=[], note_of=found, now=now)
        note = selectors.booking_note(found)
    confirmed = found.status == Booking.Status.CONFIRMED
    money, hardship = facts.money(found), facts.open_hardship(found)
    context = {
        "nav": "week",
        "booking": found,
        "status": facts.status_words(found, now),
        "when": facts.when(found),
        "calendar_conflict": found.calendar_conflicts.filter(resolved_at__isnull=True)
        .select_related("calendar")
        .first(),
        "client_zone": found.client_timezone,
        "money": money,
        "intakes": facts.intakes(found),
        "history": facts.history(found),
        "client_note": note,
        "session_note": session_notes.note_exists(found),
        "can_change": confirmed,
        "can_mark": confirmed and facts.has_started(found, now),
        "can_undo_mark": attendance_marks.can_undo(found, now),
        "hold_ends": found.hold_expires_at if found.status == Booking.Status.HELD else None,
        "hardship": hardship,
        "hardship_rest": facts.refundable(money.payment)
        if hardship and money.payment and found.status == Booking.Status.CANCELLED
        else "",
        "hardship_form": hardship_form or HardshipAnswerForm(),
    }
    return render(request, "console/booking/page.html", context, status=status)


def _back(booking: Booking):
    return redirect("console:booking", public_id=booking.public_id)


@practitioner_required
@require_http_methods(["GET", "POST"])
def cancel(request, public_id):
    """The confirmation step of her cancelling; a paid booking's POST goes through the
    re-authentication first, since it refunds."""
    found = facts.booking_of(request.practitioner, public_id)
    if request.method == "POST" and captured_payment(found) is not None:
        return _cancel_with_refund(request, public_id=public_id)
    return _cancel(request, found)


@sensitive
def _cancel_with_refund(request, public_id):
    return _cancel(request, facts.booking_of(request.practitioner, public_id))


def _cancel(request, found: Booking):
    if found.status != Booking.Status.CONFIRMED:
        messages.info(request, NOT_CONFIRMED.format(status=found.get_status_display().lower()))
        return _back(found)
    payment = captured_payment(found)
    form = CancelForm(request.POST if request.method == "POST" else None, paid=payment is not None)
    if request.method == "POST" and form.is_valid():
        try:
            done = cancel_by_practitioner(
                booking=found,
                plan=form.plan(),
                personal_line=form.cleaned_data["personal_line"],
                actor_user=request.user,
            )
        except ChangeNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _cancelled_words(found, done))
            return _back(found)
    context = {
        "nav": "week",
        "booking": found,
        "when": facts.when(found),
        "form": form,
        "money": facts.money(found) if payment else None,
        "refundable": facts.refundable(payment) if payment else "",
    }
    return render(request, "console/booking/cancel.html", context)


def _cancelled_words(found: Booking, done) -> str:
    told = _who_is_told(found)
    first = _first(found.client_name)
    if done.refund is not None:
        money = facts.format_money(done.refund.amount, done.refund.payment.currency)
        whole = "a full refund" if done.percent == 100 else "a refund"
        if done.refund.payment.method == Payment.Method.OUTSIDE:
            refund = (
                " It was paid outside, so Stripe sends nothing."
                f" To give back yourself: {money} ({whole} for {first})."
            )
        else:
            refund = f" {first} gets {whole} of {money}; Stripe sends it now."
    elif captured_payment(found) is not None:
        refund = " No refund is made."
    else:
        refund = ""
    return (
        f"Cancelled.{refund} {told} {'have' if ' and ' in told else 'has'} been emailed, "
        "with an invite that takes it out of their calendar."
    )


def _week_start(request, now: datetime, zone) -> date:
    today = now.astimezone(zone).date()
    try:
        asked = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return today
    return max(asked, today) if asked < today + timedelta(days=400) else today


def _candidate(request, found: Booking, zone):
    """The start she is about to confirm, from a slot's link (``start``) or a typed time
    (``at``); (start, typed form) — start None when there is none or it does not parse."""
    typed = TypedTimeForm(request.GET if "at" in request.GET else None, zone=zone)
    if "start" in request.GET:
        form = MoveForm({"start": request.GET["start"]})
        if form.is_valid():
            return form.cleaned_data["start"], typed
    if "at" in request.GET and typed.is_valid():
        return typed.cleaned_data["at"], typed
    return None, typed


def _judge(found: Booking, start: datetime, now: datetime):
    """(refusal in her words or "", why it is outside her open times or "")."""
    offering = found.offering
    reason = refusals.unbookable_reason(offering=offering, start=start, now=now, exclude=found)
    if reason is None:
        return "", ""
    if reason in REFUSED:
        return REFUSED[reason], ""
    why = OUTSIDE_WHY[reason].format(
        notice=in_words(offering.min_notice_minutes), days=offering.horizon_days
    )
    return "", why


@practitioner_required
@require_http_methods(["GET", "POST"])
def move(request, public_id):
    """Move the booking for the client: a week of her open times to pick from (as clients
    see them, its own time free), or a time she types; then a confirmation step, which for a
    time outside her open times asks "Book it anyway?"."""
    found = facts.booking_of(request.practitioner, public_id)
    if found.status != Booking.Status.CONFIRMED:
        messages.info(request, NOT_CONFIRMED.format(status=found.get_status_display().lower()))
        return _back(found)
    practitioner, now = request.practitioner, timezone.now()
    zone = practitioner.zone
    if request.method == "POST":
        form = MoveForm(request.POST)
        start = None
        if form.is_valid():
            start = form.cleaned_data["start"]
            refusal, outside_why = _judge(found, start, now)
            if refusal:
                form.add_error(None, refusal)
            elif outside_why and not form.cleaned_data["outside"]:
                pass  # it stopped being an open time since: ask again, below
            else:
                try:
                    reschedule_booking(
                        booking=found,
                        new_start=start,
                        actor="practitioner",
                        actor_user=request.user,
                        now=now,
                        outside_open_times=bool(outside_why),
                        personal_line=form.cleaned_data["personal_line"],
                    )
                except SlotUnavailable as refused:
                    form.add_error(None, REFUSED.get(refused.reason, str(refused)))
                except BookingError as refused:
                    form.add_error(None, str(refused))
                else:
                    messages.success(
                        request,
                        f"Moved to {facts.when_in_both(found, start)}. "
                        f"{_who_is_told(found)} {'have' if found.partner_email else 'has'} "
                        "been emailed the new time, with an updated invite.",
                    )
                    return _back(found)
        return _confirm_move(request, found, start, form, now)
    start, typed = _candidate(request, found, zone)
    if start is not None:
        form = MoveForm(initial={"start": start.isoformat()})
        return _confirm_move(request, found, start, form, now)
    first_day = _week_start(request, now, zone)
    days = selectors.slots_by_day(
        offering=found.offering, zone=zone, first_day=first_day, days=7, now=now, exclude=found
    )
    today = now.astimezone(zone).date()
    differ = found.client_timezone not in ("", practitioner.timezone)
    context = {
        "nav": "week",
        "booking": found,
        "when": facts.when(found),
        "typed": typed,
        "client_first": _first(found.client_name),
        "client_zone": found.client_timezone if differ else "",
        "days": [
            {
                "label": day(entry.day, practitioner.timezone, now=now),
                "date": entry.day,
                "fully_booked": entry.fully_booked,
                "slots": [
                    {
                        "start": slot.start.isoformat(),
                        "label": clock(slot.start, practitioner.timezone),
                        "theirs": _their_time(slot.start, entry.day, found) if differ else "",
                        "night": at_night(slot.start, found.client_timezone),
                        "current": slot.start == found.start,
                    }
                    for slot in entry.slots
                ],
            }
            for entry in days
        ],
        "previous_week": (first_day - timedelta(days=7)).isoformat() if first_day > today else "",
        "next_week": (first_day + timedelta(days=7)).isoformat(),
        "week_label": f"{day(first_day, practitioner.timezone, now=now)} – "
        f"{day(first_day + timedelta(days=6), practitioner.timezone, now=now)}",
    }
    return render(request, "console/booking/move.html", context)


def _their_time(start: datetime, her_day: date, found: Booking) -> str:
    """The client's clock for a slot, with their day when it is not hers."""
    zone_name = found.client_timezone
    theirs = clock(start, zone_name)
    if start.astimezone(ZoneInfo(zone_name)).date() != her_day:
        theirs += f" ({day(start, zone_name)})"
    return theirs


def _confirm_move(request, found: Booking, start, form: MoveForm, now: datetime):
    refusal, outside_why = ("", "") if start is None else _judge(found, start, now)
    context = {
        "nav": "week",
        "booking": found,
        "when": facts.when(found),
        "new_when": facts.when_in_both(found, start) if start is not None else "",
        "night": night_note(start, found.client_timezone, found.client_name) if start else "",
        "start": start.isoformat() if start is not None else "",
        "refusal": refusal if not form.errors else "",
        "outside_why": outside_why,
        "form": form,
    }
    status = 400 if (form.errors or refusal or start is None) else 200
    return render(request, "console/booking/move_confirm.html", context, status=status)


@practitioner_required
@require_POST
def attendance(request, public_id):
    """Mark a session that has started as held, or as a no-show."""
    found = facts.booking_of(request.practitioner, public_id)
    attended = request.POST.get("attended") == "yes"
    try:
        mark_attendance(booking=found, attended=attended, actor_user=request.user)
    except ChangeNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Marked as held." if attended else "Marked as a no-show.")
    return _back(found)


@practitioner_required
@require_http_methods(["GET", "POST"])
def note(request, public_id):
    """Her private session note: opening it is logged; saving keeps it encrypted."""
    found = facts.booking_of(request.practitioner, public_id)
    now = timezone.now()
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            session_notes.save_note(booking=found, text=form.cleaned_data["text"], now=now)
            messages.success(request, "Your note is saved.")
            return _back(found)
    else:
        text = session_notes.read_note(booking=found, user=request.user, now=now)
        form = NoteForm(initial={"text": text})
    existing = session_notes.note_exists(found)
    context = {
        "nav": "week",
        "booking": found,
        "when": facts.when(found),
        "form": form,
        "existing": existing,
    }
    return render(
        request, "console/booking/note.html", context, status=400 if form.errors else 200
    )
