"""The one path from a change to its effects (the transactional outbox).

A service that changes a booking calls ``record``: the BookingEvent and one Effect row per
registered effect that follows its kind are written in the service's own transaction, and
each row is enqueued after commit. Changes that are not a booking's event (a refund
decided, a reminder due later) write their row with ``schedule``. Each row then runs once,
alone: a failing email is retried with back-off without repeating the others, and the
sweep enqueues what a dead process never did. Services never send email or enqueue tasks
themselves; handlers never change a booking except through a service.
"""

import logging

from django.db import transaction
from django.utils import timezone

from booking import effect_runs, effect_tasks
from booking.effect_mail import deliver
from booking.effect_runs import register
from booking.models import Booking, BookingEvent, Effect

logger = logging.getLogger(__name__)

run_effect = effect_tasks.run_and_requeue
enqueue_effect = effect_tasks.enqueue
sweep = effect_tasks.sweep

__all__ = [
    "deliver",
    "enqueue_effect",
    "record",
    "register",
    "register_email",
    "retry",
    "run_effect",
    "schedule",
    "sweep",
    "void",
]


def register_email(name: str, message, *, on=None, applies=None) -> None:
    """An effect that is one email: ``message(effect)`` builds it from what is true when it
    runs (the row's booking is read with its practitioner and offering), or returns None
    when there is nothing left to say (cancelled since, hold ended); it is then sent once
    (``deliver``). Log lines carry ids only."""

    def run(effect: Effect) -> None:
        built = message(effect)
        if built is None:
            logger.info("Effect %s (%s) has nothing to send any more.", effect.pk, name)
            return
        deliver(effect, built)
        logger.info(
            "Effect %s sent: the %s email of booking %s.", effect.pk, name, effect.booking_id
        )

    register(name, on=on, applies=applies, run=run)


def _enqueue_on_commit(effects: list[Effect]) -> None:
    for effect in effects:
        transaction.on_commit(lambda effect=effect: enqueue_effect(effect))


def record(booking: Booking, kind: str, *, actor: str, actor_user=None, data=None, at=None):
    """Write what changed and the effects it causes, in the caller's transaction."""
    event = BookingEvent.objects.create(
        booking=booking,
        kind=kind,
        actor=actor,
        actor_user=actor_user,
        data=data or {},
        at=at or timezone.now(),
    )
    _enqueue_on_commit(effect_runs.rows_for_event(event))
    return event


def schedule(name: str, key: str, *, due_at=None, booking=None, args=None) -> Effect | None:
    """A row to run at ``due_at`` (a reminder's time; by default now, by the clock, not a
    service's ``now``); a key seen before is a no-op."""
    effect = effect_runs.create_once(
        key=key, name=name, booking=booking, args=args or {}, due_at=due_at or timezone.now()
    )
    if effect is not None:
        _enqueue_on_commit([effect])
    return effect


def void(booking: Booking, *, names=None, prefix=None) -> int:
    """Cancel a booking's rows not yet run (a reschedule's old reminders, a cancelled hold)."""
    rows = Effect.objects.filter(booking=booking, status=Effect.Status.PENDING)
    if names is not None:
        rows = rows.filter(name__in=list(names))
    if prefix is not None:
        rows = rows.filter(key__startswith=prefix)
    return rows.update(status=Effect.Status.VOID)


def retry(effect: Effect) -> None:
    """Her "try again": a failed (or waiting) row is due now, with a fresh run of attempts."""
    now = timezone.now()
    again = Effect.objects.filter(
        pk=effect.pk, status__in=[Effect.Status.FAILED, Effect.Status.PENDING]
    ).update(status=Effect.Status.PENDING, due_at=now, attempts=0, lease_until=None)
    if again:
        effect.refresh_from_db()
        _enqueue_on_commit([effect])
