"""Holds lapse on time without any webhook: free at once, marked expired by a task at
their time, and by the expire_holds command as a safety net."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks import task_backends

from booking import selectors, services
from booking.models import Booking, BookingEvent, Effect
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lapsed_hold_frees_the_slot_before_anything_marks_it(hold, session_offering, now):
    booking, _, _ = hold()
    after = booking.hold_expires_at

    assert not selectors.is_bookable(offering=session_offering, start=booking.start, now=now)
    assert selectors.is_bookable(offering=session_offering, start=booking.start, now=after)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def test_the_command_marks_lapsed_holds_and_leaves_live_ones(hold, now):
    lapsed, _, _ = hold()
    with time_machine.travel(lapsed.hold_expires_at + timedelta(minutes=10), tick=True):
        live, _, _ = hold(start=THURSDAY_10_BERLIN + timedelta(hours=2), email="ben@example.org")
        out = io.StringIO()
        call_command("expire_holds", stdout=out)
        call_command("expire_holds", stdout=io.StringIO())  # twice: nothing more

    assert out.getvalue() == "1 hold(s) expired.\n"
    lapsed.refresh_from_db()
    live.refresh_from_db()
    assert (lapsed.status, live.status) == (Booking.Status.EXPIRED, Booking.Status.HELD)
    assert lapsed.events.filter(kind=BookingEvent.Kind.EXPIRED).count() == 1


def test_expiring_a_hold_early_does_nothing(hold, now):
    booking, _, _ = hold()
    assert not services.expire_hold(booking_id=booking.pk, now=now)
    assert services.expire_hold(booking_id=booking.pk, now=booking.hold_expires_at)
    assert not services.expire_hold(booking_id=booking.pk, now=booking.hold_expires_at)


def test_the_expiry_is_queued_for_the_holds_own_time(hold, settings, now):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    booking, _, _ = hold()

    expiry = Effect.objects.get(booking=booking, name=services.HOLD_EXPIRY)
    assert expiry.due_at == booking.hold_expires_at
    [queued] = [
        r for r in task_backends["default"].results if r.kwargs == {"effect_id": expiry.pk}
    ]
    assert queued.task.run_after == booking.hold_expires_at


def test_the_expiry_runs_when_due_and_marks_the_hold_expired(hold, now):
    from booking import effects

    booking, _, _ = hold()
    with time_machine.travel(booking.hold_expires_at + timedelta(seconds=1), tick=False):
        effects.sweep()  # the immediate backend cannot wait: the sweep runs it once due

    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert Effect.objects.get(booking=booking, name=services.HOLD_EXPIRY).status == "done"


def test_the_immediate_backend_queues_no_expiry_and_nothing_breaks(hold, now):
    booking, _, _ = hold()  # tests.settings: the immediate backend, which cannot wait
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD
