"""The queue's side of the effect path: one task per Effect row, and the periodic sweep.

The row, not the task, is the record of what must happen: a task enqueued twice, or run
after its row was voided, does nothing (``effect_runs.claim``). On the database backend a
row due later is enqueued with ``run_after``; the immediate backend cannot wait, so such a
row is left to the sweep once it is due.
"""

from django.utils import timezone
from django_tasks import task

from booking import effect_runs
from booking.models import Effect


def enqueue(effect: Effect) -> None:
    """Put the row's task on the queue for its due time, if the backend can hold it till then."""
    now = timezone.now()
    deferred = effect.due_at > now
    if deferred and not run_effect.get_backend().supports_defer:
        return
    Effect.objects.filter(pk=effect.pk).update(enqueued_at=max(effect.due_at, now))
    (run_effect.using(run_after=effect.due_at) if deferred else run_effect).enqueue(
        effect_id=effect.pk
    )


def run_and_requeue(effect_id: int) -> None:
    """Run the row once; a failed attempt goes back on the queue for its back-off time."""
    again = effect_runs.run(effect_id)
    if again is not None:
        enqueue(again)


def sweep() -> int:
    """Enqueue what was never enqueued; give events written without their rows their effects.

    Returns how many rows it enqueued. Safe with two workers sweeping at once: rows are
    created by unique key and a row's task runs its handler once however often enqueued.
    """
    now = timezone.now()
    found = list(effect_runs.due_unqueued(now))
    for event in effect_runs.events_without_rows(now):
        found.extend(effect_runs.rows_for_event(event))
    for effect in found:
        enqueue(effect)
    return len(found)


@task()
def run_effect(effect_id: int) -> None:
    """Run one Effect row (an email, a reminder, a hold's expiry) exactly once."""
    run_and_requeue(effect_id)


@task()
def sweep_effects() -> int:
    """Every minute, from the scheduler: the safety net for rows whose task never ran."""
    return sweep()
