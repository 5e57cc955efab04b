"""What did not go out, and trying it again (console.not_sent reads; booking.effects acts)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking import effects
from console import not_sent
from console.access import practitioner_required


@practitioner_required
def not_sent_list(request: HttpRequest) -> HttpResponse:
    practitioner = request.practitioner
    context = {
        "nav": "not_sent",
        "items": not_sent.listing(practitioner, now=timezone.now()),
        "zone": practitioner.timezone,
    }
    return render(request, "console/not_sent.html", context)


@practitioner_required
@require_POST
def try_again(request: HttpRequest, effect_id: int) -> HttpResponse:
    """Try one again now. One that has meanwhile gone out (another tab, the retry by
    itself) is not an error: she is told and sees the list as it is."""
    practitioner = request.practitioner
    effect = not_sent.failing(practitioner).select_related("booking").filter(pk=effect_id).first()
    if effect is None:
        messages.info(request, not_sent.NO_LONGER_WAITING)
        return redirect("console:not_sent")
    words = not_sent.what(effect, effect.booking, practitioner.timezone, timezone.now())
    effects.retry(effect)
    messages.success(request, not_sent.TRY_AGAIN_DONE.format(what=words))
    return redirect("console:not_sent")
