"""The effect path: a change's effects are recorded with it and each runs once, alone.

Handlers here are test effects that count their runs; the real emails are registered by
the apps and covered by their own tests. Committed for real (transactional), since the
path's promises are about commits, other connections and a real SMTP server.
"""

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from booking import effect_mail, effect_runs, effects
from booking.models import BookingEvent, Effect
from tests.conftest import NOW
from tests.factories import insert_booking
from tests.smtp import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booking(assessment, now):
    return insert_booking(assessment, NOW + timedelta(days=2))


@pytest.fixture
def runs(monkeypatch):
    """Only this test's effects are registered; ``runs`` lists each handler call by name."""
    monkeypatch.setattr(effect_runs, "_registry", {})
    return []


def counted(runs, name, *, fail_times=0, on=("created",)):
    failures = iter(range(fail_times))

    def run(effect):
        runs.append(name)
        if next(failures, None) is not None:
            raise ConnectionRefusedError("smtp is down")

    effects.register(name, on=on and set(on), run=run)


def status(name: str) -> Effect:
    return Effect.objects.get(name=name)


def test_a_change_writes_its_event_and_one_row_per_effect_that_follows_it(booking, runs):
    counted(runs, "test.client_email")
    counted(runs, "test.partner_email")
    counted(runs, "test.on_cancel", on=("cancelled",))

    event = effects.record(booking, "created", actor="client")

    assert event.kind == "created"
    assert sorted(Effect.objects.filter(event=event).values_list("key", flat=True)) == [
        f"event:{event.pk}:test.client_email",
        f"event:{event.pk}:test.partner_email",
    ]
    assert sorted(runs) == ["test.client_email", "test.partner_email"]
    assert set(Effect.objects.values_list("status", flat=True)) == {"done"}


def test_a_rolled_back_change_leaves_no_event_no_effect_and_sends_nothing(booking, runs):
    counted(runs, "test.client_email")

    with pytest.raises(RuntimeError), transaction.atomic():
        effects.record(booking, "created", actor="client")
        raise RuntimeError("the booking failed after its event")

    assert not BookingEvent.objects.exists()
    assert not Effect.objects.exists()
    assert runs == []


def test_an_effect_runs_once_however_often_its_task_runs(booking, runs):
    counted(runs, "test.client_email")
    effects.record(booking, "created", actor="client")
    effect = status("test.client_email")

    effects.run_effect(effect.pk)
    effects.enqueue_effect(effect)

    assert runs == ["test.client_email"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections racing: PG")
def test_two_workers_taking_one_row_at_once_run_it_once(booking, runs, monkeypatch):
    both_started = threading.Barrier(2)
    counted(runs, "test.client_email")
    effect = effects.schedule(
        "test.client_email", "race", due_at=NOW + timedelta(hours=1), booking=booking
    )
    Effect.objects.filter(pk=effect.pk).update(due_at=NOW)

    def worker():
        try:
            both_started.wait()
            effects.run_effect(effect.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert runs == ["test.client_email"]
    assert status("test.client_email").status == "done"


def test_a_failing_effect_is_retried_after_its_back_off_without_repeating_the_others(
    booking, runs, settings
):
    settings.EFFECT_RETRY_BASE = 30
    counted(runs, "test.client_email")
    counted(runs, "test.partner_email", fail_times=1)

    effects.record(booking, "created", actor="client")

    failed = status("test.partner_email")
    assert failed.status == "pending"
    assert failed.attempts == 1
    assert failed.last_error == "ConnectionRefusedError: smtp is down"
    assert timedelta(seconds=29) < failed.due_at - NOW < timedelta(seconds=40)
    effects.run_effect(failed.pk)  # not yet due: nothing happens
    assert sorted(runs) == ["test.client_email", "test.partner_email"]

    with time_machine.travel(NOW + timedelta(seconds=45)):
        effects.sweep()

    assert sorted(runs) == ["test.client_email", "test.partner_email", "test.partner_email"]
    assert status("test.partner_email").status == "done"
    assert status("test.client_email").attempts == 1


def test_the_back_off_doubles_and_stops_at_an_hour(settings):
    settings.EFFECT_RETRY_BASE = 30
    assert [effect_runs.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert effect_runs.backoff(20) == timedelta(hours=1)


def test_after_its_last_attempt_an_effect_fails_and_try_again_runs_it(booking, runs, settings):
    settings.EFFECT_MAX_ATTEMPTS = 3
    counted(runs, "test.client_email", fail_times=3)
    effects.record(booking, "created", actor="client")

    later = NOW
    for _ in range(3):
        later += timedelta(hours=1)
        with time_machine.travel(later):
            effects.sweep()

    failed = status("test.client_email")
    assert failed.status == "failed"
    assert runs == ["test.client_email"] * 3
    with time_machine.travel(later + timedelta(days=1)):
        effects.sweep()
    assert len(runs) == 3  # failed rows wait for her, not the sweep

    effects.retry(failed)

    assert status("test.client_email").status == "done"
    assert len(runs) == 4


def test_the_sweep_runs_rows_that_were_never_enqueued(booking, runs):
    counted(runs, "test.reminder", on=None)
    # The process died between commit and enqueue: the row exists, its task does not.
    Effect.objects.create(key="reminder:1", name="test.reminder", booking=booking, due_at=NOW)

    effects.sweep()
    assert runs == []  # within the first minute the normal path may still enqueue it

    with time_machine.travel(NOW + timedelta(minutes=2)):
        effects.sweep()
        effects.sweep()

    assert runs == ["test.reminder"]


def test_the_sweep_gives_an_event_written_without_its_rows_its_effects(booking, runs):
    counted(runs, "test.client_email")
    effects.record(booking, "created", actor="client")
    lost = BookingEvent.objects.create(
        booking=booking, kind="created", actor="client", at=timezone.now()
    )

    with time_machine.travel(NOW + timedelta(minutes=2)):
        effects.sweep()
        effects.sweep()

    assert Effect.objects.get(event=lost).status == "done"
    assert runs == ["test.client_email"] * 2


def test_void_stops_the_pending_rows_of_a_booking(booking, runs):
    counted(runs, "test.reminder", on=None)
    later = NOW + timedelta(days=1)
    effects.schedule("test.reminder", "reminder:a:24h", due_at=later, booking=booking)
    effects.schedule("test.reminder", "reminder:a:2h", due_at=later, booking=booking)
    assert effects.schedule("test.reminder", "reminder:a:2h", due_at=later) is None

    assert effects.void(booking, prefix="reminder:a:") == 2

    with time_machine.travel(later + timedelta(minutes=5)):
        effects.sweep()
    assert runs == []
    assert set(Effect.objects.values_list("status", flat=True)) == {"void"}


def email_effect(runs):
    def run(effect):
        runs.append(effect.pk)
        message = EmailMessage("Your session", "See you soon.", to=["client@example.org"])
        effects.deliver(effect, message)

    effects.register("test.email", on={"created"}, run=run)


def test_deliver_sends_one_message_with_a_message_id_from_its_key(booking, runs, smtp_sink):
    email_effect(runs)

    effects.record(booking, "created", actor="client")
    effects.run_effect(status("test.email").pk)

    effect = status("test.email")
    assert effect.status == "done"
    [envelope] = smtp_sink.envelopes
    assert envelope.rcpt_tos == ["client@example.org"]
    assert f"Message-ID: {effect_mail.message_id(effect)}" in envelope.content.decode()


def test_with_the_smtp_server_down_the_email_is_retried_and_arrives_once(
    booking, runs, smtp_sink, settings
):
    email_effect(runs)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    effects.record(booking, "created", actor="client")

    waiting = status("test.email")
    assert waiting.status == "pending"
    assert waiting.last_error.startswith("ConnectionRefusedError")
    assert smtp_sink.envelopes == []

    settings.EMAIL_PORT = port
    with time_machine.travel(NOW + timedelta(minutes=5)):
        effects.sweep()
        effects.sweep()

    assert len(smtp_sink.envelopes) == 1
    assert status("test.email").status == "done"
    assert effect_mail.message_id(waiting).encode() in smtp_sink.envelopes[0].content


def test_a_worker_that_lost_its_row_leaves_the_server_an_unfinished_message(
    booking, runs, smtp_sink
):
    email_effect(runs)
    effect = effects.schedule("test.email", "mail:1", due_at=NOW + timedelta(hours=1))
    Effect.objects.filter(pk=effect.pk).update(due_at=NOW)
    stale = effect_runs.claim(effect.pk)
    # Its lease ran out and another worker took the row over before this one finished.
    Effect.objects.filter(pk=effect.pk).update(lease_until=NOW + timedelta(hours=1))

    with pytest.raises(effect_mail.LeaseLost):
        effects.deliver(stale, EmailMessage("Your session", "Soon.", to=["client@example.org"]))

    assert smtp_sink.envelopes == []
    assert status("test.email").status == "running"


def test_a_server_gone_before_the_final_dot_gets_the_email_again(booking, runs, smtp_sink):
    email_effect(runs)
    send = smtplib.SMTP.send

    def gone_before_the_dot(smtp, data):
        if data == b".\r\n":
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(smtp, data)

    with mock.patch.object(smtplib.SMTP, "send", gone_before_the_dot):
        effects.record(booking, "created", actor="client")

    waiting = status("test.email")
    assert waiting.status == "pending"
    assert waiting.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert smtp_sink.envelopes == []
    with time_machine.travel(NOW + timedelta(minutes=5)):
        effects.sweep()
    assert len(smtp_sink.envelopes) == 1
    assert status("test.email").status == "done"
