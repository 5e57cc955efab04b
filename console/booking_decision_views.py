"""Her decisions on a booking's page that used to be the admin's: the answer to a client's
hardship request, the release of a hold for payment, and taking back today's attendance
mark. Thin views: each finds her booking (another's is a 404) and calls one service.
Approving a hardship request is a refund, so that POST asks who she is first.
"""

from django.contrib import messages
from django.views.decorators.http import require_POST

from booking import attendance as attendance_marks
from booking.models import Booking
from booking.payments import hardship as payment_hardship
from booking.payments import hold_release
from booking.services import ChangeNotAllowed
from console import booking_facts as facts
from console.access import practitioner_required, sensitive
from console.booking_forms import HardshipAnswerForm
from console.booking_views import _back, _first, _page


@practitioner_required
@require_POST
def undo_attendance(request, public_id):
    """Take back today's "held" or "no-show" mark: the booking is confirmed again."""
    found = facts.booking_of(request.practitioner, public_id)
    was = found.status
    try:
        attendance_marks.undo_attendance(booking=found, actor_user=request.user)
    except ChangeNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        mark = "held" if was == Booking.Status.COMPLETED else "a no-show"
        messages.success(request, f"Undone: it is no longer marked as {mark}.")
    return _back(found)


@practitioner_required
@require_POST
def hardship(request, public_id):
    """Her answer to the client's hardship request. Approving is a refund (now, if they
    have cancelled; on cancelling, otherwise), so that POST asks who she is first."""
    if request.POST.get("answer") == "approve":
        return _approve_hardship(request, public_id=public_id)
    return _answer_hardship(request, facts.booking_of(request.practitioner, public_id))


@sensitive
def _approve_hardship(request, public_id):
    return _answer_hardship(request, facts.booking_of(request.practitioner, public_id))


def _answer_hardship(request, found: Booking):
    asked = facts.open_hardship(found)
    if asked is None:
        messages.info(request, "This hardship request has already been answered.")
        return _back(found)
    form = HardshipAnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, found, hardship_form=form, status=400)
    try:
        payment_hardship.decide_hardship(
            request=asked,
            approve=form.approve,
            reply_line=form.cleaned_data["reply_line"],
            actor_user=request.user,
        )
    except ChangeNotAllowed as refusal:
        messages.info(request, str(refusal))
        return _back(found)
    first = _first(found.client_name)
    if not form.approve:
        messages.success(request, f"Declined. {first} has been emailed your answer.")
    elif found.status == Booking.Status.CANCELLED:
        messages.success(
            request,
            f"Approved. {first} gets the rest of the payment back; Stripe sends it now, "
            "and they have been emailed.",
        )
    else:
        messages.success(
            request,
            f"Approved. If {first} cancels before the start, they get a full refund; "
            "they have been emailed how.",
        )
    return _back(found)


@practitioner_required
@require_POST
def release(request, public_id):
    """End a hold for payment now: the time frees and the payment link stops working."""
    found = facts.booking_of(request.practitioner, public_id)
    try:
        done = hold_release.release_by_practitioner(booking=found, actor_user=request.user)
    except ChangeNotAllowed as refusal:
        messages.info(request, str(refusal))
        return _back(found)
    first = _first(found.client_name)
    if not done.released:
        messages.info(request, f"{first} had just paid, so the booking is confirmed instead.")
    elif done.client_told:
        messages.success(
            request,
            f"Released: the time is free again. {first} has been emailed that the payment "
            "link no longer works and nothing was charged.",
        )
    else:
        messages.success(request, "Released: the time is free again.")
    return _back(found)
