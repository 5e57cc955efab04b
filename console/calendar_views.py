"""Her calendars, under Hours: her own feed of bookings to subscribe to, and the addresses
read for busy time, added, tested, paused and removed here. Thin views:
booking.calendars.services changes them, imports reads them."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from booking.calendars import busy_times, caldav_client, fetch, imports, services
from booking.models import ExternalCalendar
from console.access import practitioner_required
from console.calendar_forms import CalDAVForm, FeedDetailForm, FeedForm, RefreshForm

TESTED = "That address works: it has {count} busy time{s} in the next 30 days."
ADDED = "Added “{name}”: its busy times now close those times on your booking pages."
CONNECTED = "Connected “{name}”: it has {count} busy time{s} in the next 30 days, now closed here."
WRITING = " Your bookings ahead are being written into it."


def feed_url(practitioner) -> str:
    path = reverse("booking:calendar_feed", kwargs={"token": practitioner.feed_token})
    return settings.SITE_URL + path


def _found(calendar: ExternalCalendar) -> list[tuple[str, str, bool]]:
    """The calendars her CalDAV server holds, to choose among when there are several."""
    if calendar.kind != ExternalCalendar.Kind.CALDAV:
        return []
    secrets = calendar.secrets
    found = secrets.get("found", [])
    if len(found) < 2:
        return []
    return [(name, url, url == secrets["calendar_url"]) for name, url in found]


def _page(request, *, form=None, caldav_form=None, status=200):
    practitioner = request.practitioner
    url = feed_url(practitioner)
    return render(
        request,
        "console/calendars.html",
        {
            "nav": "hours",
            "tab": "calendars",
            "calendars": [
                (calendar, _found(calendar)) for calendar in practitioner.calendars.all()
            ],
            "form": form or FeedForm(),
            "caldav_form": caldav_form or CalDAVForm(),
            "refresh_form": RefreshForm(
                initial={"minutes": practitioner.calendar_refresh_minutes}
            ),
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1],
            "detail_form": FeedDetailForm(initial={"detail": practitioner.feed_detail}),
        },
        status=status,
    )


@practitioner_required
@require_http_methods(["GET", "POST"])
def calendars(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = FeedForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    url = form.cleaned_data["url"]
    try:
        if "test" in request.POST:
            count = imports.probe(url, request.practitioner)
            messages.info(request, TESTED.format(count=count, s="" if count == 1 else "s"))
            return _page(request, form=form)
        calendar = services.add_feed(request.practitioner, name=form.cleaned_data["name"], url=url)
    except (fetch.FetchRefused, busy_times.UnreadableCalendar) as error:
        form.add_error("url", str(error))
        return _page(request, form=form, status=400)
    messages.success(request, ADDED.format(name=calendar.name))
    return redirect("console:calendars")


@practitioner_required
@require_POST
def calendar_caldav(request: HttpRequest) -> HttpResponse:
    form = CalDAVForm(request.POST)
    if not form.is_valid():
        return _page(request, caldav_form=form, status=400)
    try:
        calendar = services.add_caldav(request.practitioner, **form.cleaned_data)
    except (fetch.FetchRefused, busy_times.UnreadableCalendar) as error:
        refused = isinstance(error, caldav_client.RefusedCredentials)
        form.add_error("password" if refused else "url", str(error))
        return _page(request, caldav_form=form, status=400)
    count = imports.busy_ahead(calendar, days=30)
    said = CONNECTED.format(name=calendar.name, count=count, s="" if count == 1 else "s")
    messages.success(request, said + (WRITING if calendar.push_bookings else ""))
    return redirect("console:calendars")


@practitioner_required
@require_POST
def calendar_choose(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    if services.choose_caldav_calendar(calendar, request.POST.get("calendar_url", "")):
        messages.success(
            request, f"“{calendar.name}” now reads and writes the calendar you chose."
        )
    else:
        messages.warning(request, "That calendar is not one your server offered.")
    return redirect("console:calendars")


def _calendar(request, calendar_id: int) -> ExternalCalendar:
    return get_object_or_404(ExternalCalendar, pk=calendar_id, practitioner=request.practitioner)


@practitioner_required
@require_POST
def calendar_pause(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    if calendar.paused:
        services.resume(calendar)
        messages.success(request, f"“{calendar.name}” is read again.")
    else:
        services.pause(calendar)
        messages.success(
            request, f"Paused “{calendar.name}”: the times it held are open for booking again."
        )
    return redirect("console:calendars")


@practitioner_required
@require_POST
def calendar_refresh(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    if imports.sync(calendar):
        messages.success(request, f"Read “{calendar.name}” just now.")
    else:
        calendar.refresh_from_db()
        messages.warning(request, f"“{calendar.name}” could not be read: {calendar.last_error}")
    return redirect("console:calendars")


@practitioner_required
@require_POST
def calendar_remove(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    services.remove(calendar)
    said = f"Removed “{calendar.name}”: its address is deleted and its times are open again."
    if calendar.push_bookings:
        said += " The bookings already written into it stay there, for you to delete if you like."
    messages.success(request, said)
    return redirect("console:calendars")


@practitioner_required
@require_POST
def calendar_refresh_every(request: HttpRequest) -> HttpResponse:
    form = RefreshForm(request.POST)
    if form.is_valid():
        services.set_refresh_minutes(request.practitioner, form.cleaned_data["minutes"])
        messages.success(request, "Saved: your calendars are read that often now.")
    return redirect("console:calendars")


@practitioner_required
@require_POST
def feed_detail(request: HttpRequest) -> HttpResponse:
    form = FeedDetailForm(request.POST)
    if form.is_valid():
        services.set_feed_detail(request.practitioner, form.cleaned_data["detail"])
        messages.success(
            request, "Saved: your calendar shows that on its next read (usually within the hour)."
        )
    return redirect("console:calendars")


@practitioner_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    services.rotate_feed_token(request.practitioner)
    messages.success(
        request,
        "Your feed has a new address. The old one stopped working just now: subscribe to the "
        "new one below in your calendar app, and remove the old subscription there.",
    )
    return redirect("console:calendars")
