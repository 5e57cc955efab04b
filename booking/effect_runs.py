"""Running one effect row: the registry of handlers, the claim, the back-off.

This is the lowest layer of the effect path (``booking.effects`` is its front): it knows
the Effect rows and the handlers registered for them, and nothing about task queues, so
that the queue's tasks can call it without a circle. A row is claimed by one conditional
UPDATE, so two workers given the same row run its handler once.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from booking.models import BookingEvent, Effect

logger = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(hours=1)


@dataclass(frozen=True)
class Registered:
    name: str
    on: frozenset | None
    run: Callable[[Effect], None]
    applies: Callable[[BookingEvent], bool] | None
    due: Callable[[BookingEvent], datetime] | None

    def wants(self, event: BookingEvent) -> bool:
        return (
            self.on is not None
            and event.kind in self.on
            and (self.applies is None or self.applies(event))
        )


_registry: dict[str, Registered] = {}


def register(name, *, on=None, run, applies=None, due=None) -> None:
    """Make ``run`` the handler of effect ``name``; ``on`` names the event kinds it follows,
    ``applies`` narrows them, and ``due`` says when it runs if not at once (a hold's end)."""
    on = frozenset(on) if on is not None else None
    _registry[name] = Registered(name, on, run, applies, due)


def names() -> list[str]:
    """Every effect a handler is registered for (each needs words in console.not_sent)."""
    return sorted(_registry)


def event_key(event: BookingEvent, name: str) -> str:
    return f"event:{event.pk}:{name}"


def rows_for_event(event: BookingEvent) -> list[Effect]:
    """Create one Effect row per registered effect that follows this event (not yet there)."""
    created = []
    for registered in _registry.values():
        if registered.wants(event):
            effect = create_once(
                key=event_key(event, registered.name),
                name=registered.name,
                booking=event.booking,
                event=event,
                due_at=registered.due(event) if registered.due else timezone.now(),
            )
            if effect is not None:
                created.append(effect)
    return created


def create_once(**fields) -> Effect | None:
    """Insert an Effect row unless its key exists (then None), inside the caller's transaction."""
    try:
        with transaction.atomic():
            return Effect.objects.create(**fields)
    except IntegrityError:
        return None


def lease() -> timedelta:
    return timedelta(seconds=settings.EFFECT_LEASE)


def claimable(now) -> Q:
    """Rows a worker may take: not finished, due, and nobody holding a live lease."""
    return Q(status__in=[Effect.Status.PENDING, Effect.Status.RUNNING], due_at__lte=now) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def claim(effect_id: int) -> Effect | None:
    """Take the row for this worker (status running, a lease), or None if it is not ours."""
    now = timezone.now()
    until = now + lease()
    taken = Effect.objects.filter(claimable(now), pk=effect_id).update(
        status=Effect.Status.RUNNING, lease_until=until, attempts=F("attempts") + 1
    )
    if not taken:
        return None
    effect = Effect.objects.select_related(
        "booking__practitioner", "booking__offering", "event"
    ).get(pk=effect_id)
    if effect.event_id is not None:
        effect.event.booking = effect.booking  # one row, read once, as the handler finds it
    return effect


def holding(effect: Effect):
    """The row as long as this worker still holds its lease (the lease time is the token)."""
    return Effect.objects.filter(
        pk=effect.pk, status=Effect.Status.RUNNING, lease_until=effect.lease_until
    )


def mark_done(effect: Effect) -> bool:
    """Finish the row if the lease is still ours; False means another worker took it over."""
    return bool(
        holding(effect).update(status=Effect.Status.DONE, done_at=timezone.now(), lease_until=None)
    )


def backoff(attempts: int) -> timedelta:
    """EFFECT_RETRY_BASE doubled per earlier attempt, never more than an hour."""
    base = timedelta(seconds=settings.EFFECT_RETRY_BASE)
    return min(base * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def run(effect_id: int) -> Effect | None:
    """Run the row's handler once; on failure put it back with a back-off, or fail it.

    Returns the row when it is pending again (for the caller to enqueue at ``due_at``),
    otherwise None. The handler runs outside any transaction: ``deliver`` commits its
    own ``done`` in the middle of an SMTP session.
    """
    effect = claim(effect_id)
    if effect is None:
        return None
    try:
        registered = _registry.get(effect.name)
        if registered is None:
            raise LookupError(f"no handler registered for {effect.name}")
        registered.run(effect)
    except Exception as exc:  # noqa: BLE001 — any failure of a handler is retried alone
        return _failed(effect, exc)
    mark_done(effect)
    return None


def _failed(effect: Effect, exc: Exception) -> Effect | None:
    error = f"{type(exc).__name__}: {exc}"[:300]
    gave_up = effect.attempts >= settings.EFFECT_MAX_ATTEMPTS
    due_at = timezone.now() + backoff(effect.attempts)
    status = Effect.Status.FAILED if gave_up else Effect.Status.PENDING
    # Its task has ended: until it is enqueued again for ``due_at``, it waits for the sweep.
    holding(effect).update(
        status=status, due_at=due_at, last_error=error, lease_until=None, enqueued_at=None
    )
    # The class only: an exception's text may carry an address or a server's echo of content.
    logger.warning(
        "effect %s (%s) failed on attempt %s: %s",
        effect.pk,
        effect.name,
        effect.attempts,
        type(exc).__name__,
    )
    if gave_up:
        return None
    effect.status, effect.due_at = status, due_at
    return effect


def due_unqueued(now) -> Iterable[Effect]:
    """Rows due whose task was never enqueued (a process died after commit) or was lost.

    A new row gets a minute for its own after-commit enqueue; a row that ran and failed
    is not enqueued again where the backend cannot wait for its back-off (immediate).
    """
    fresh = now - timedelta(minutes=1)
    never = Q(enqueued_at__isnull=True) & (Q(created_at__lt=fresh) | Q(attempts__gt=0))
    return Effect.objects.filter(claimable(now)).filter(never | Q(enqueued_at__lt=now - lease()))


def events_without_rows(now) -> Iterable[BookingEvent]:
    """Recent events (a minute to a day old) with no Effect row at all.

    An event written without ``record`` (or whose rows were lost) gets its effects late
    rather than never. Events older than the first Effect row are left alone, so that
    history written before the effect path existed is not emailed again.
    """
    first = Effect.objects.order_by("pk").values_list("created_at", flat=True).first()
    if first is None:
        return BookingEvent.objects.none()
    since = max(first, now - timedelta(days=1))
    return BookingEvent.objects.filter(
        at__lt=now - timedelta(minutes=1), at__gte=since, effects__isnull=True
    ).select_related("booking")
