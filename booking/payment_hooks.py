"""What booking asks of its payments without importing them.

booking.payments depends on booking, never the reverse; it fills these in from its
AppConfig.ready(). Each answers as for a booking without payment until then.
"""

from booking.models import Booking

_provided = {}


def provide(*, cancel_if_paid, money_lines, refund_note) -> None:
    """Called once by booking.payments when the apps are ready."""
    _provided.update(
        cancel_if_paid=cancel_if_paid, money_lines=money_lines, refund_note=refund_note
    )


def cancel_if_paid(
    *, booking: Booking, actor: str, reason: str, actor_user, now
) -> Booking | None:
    """Cancel a paid ``booking``, its refund decided in the cancellation's own transaction;
    None when it has no payment (the caller cancels it then)."""
    hook = _provided.get("cancel_if_paid")
    if hook is None:
        return None
    return hook(booking=booking, actor=actor, reason=reason, actor_user=actor_user, now=now)


def money_lines(booking: Booking, change: str) -> dict:
    """What a change email says of what was paid: the amount, the receipt, the terms."""
    hook = _provided.get("money_lines")
    if hook is None:
        return {"paid": "", "receipt_url": "", "policy_lines": []}
    return hook(booking, change)


def refund_note(booking: Booking, *, for_practitioner: bool) -> str:
    """One sentence on the money of a cancelled paid booking; "" without payment."""
    hook = _provided.get("refund_note")
    return hook(booking, for_practitioner=for_practitioner) if hook is not None else ""
