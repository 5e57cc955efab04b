"""Changes to her hours: the weekly week (hers, or an offering's own), date overrides and
time off. Each entry point is one transaction that checks everything first and writes
nothing when any of it is wrong, so a half-saved week can never open or close a slot.

Her row is locked (``select_for_update``) like the booking services do, so a slot search
never reads a week that is half replaced, and two tabs saving at once end with one of them,
whole. Bookings are not touched: a booked session stays booked when hours close around it.
The few reads the hours pages need (the week as saved, the marked days of a month, the
sessions in a stretch of time off) sit at the end, beside the writes they mirror.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q

from booking.models import AvailabilityRule, Booking, DateOverride, TimeOff
from practice.models import Offering, Practitioner

Window = tuple[time, time]

GRID_MINUTES = 5
LONGEST_RANGE_DAYS = 366

ENDS_BEFORE_START = "The end must be later than the start."
OFF_GRID = "Please use times on a 5-minute step (like 09:00 or 09:05)."
OVERLAPS = "These times overlap another range on this day."
LAST_BEFORE_FIRST = "The last day must be on or after the first day."
RANGE_TOO_LONG = "Please choose at most a year at a time."
NOT_HERS = "This offering belongs to another practitioner."


class HoursError(ValueError):
    """Why a week or a date's hours cannot be saved: ``problems`` maps a place (a weekday,
    or ``None`` for the whole) to its messages, in the order they were found."""

    def __init__(self, problems: Mapping[int | None, list[str]]):
        self.problems = dict(problems)
        super().__init__("; ".join(m for messages in problems.values() for m in messages))


def window_problems(windows: Sequence[Window]) -> list[str]:
    """What is wrong with one day's ranges (each message once), or an empty list."""
    problems: list[str] = []

    def say(message: str) -> None:
        if message not in problems:
            problems.append(message)

    for start, end in windows:
        if any(t.minute % GRID_MINUTES or t.second or t.microsecond for t in (start, end)):
            say(OFF_GRID)
        if end <= start:
            say(ENDS_BEFORE_START)
    ordered = sorted(w for w in windows if w[1] > w[0])
    if any(later[0] < earlier[1] for earlier, later in zip(ordered, ordered[1:], strict=False)):
        say(OVERLAPS)
    return problems


def _check_week(week: Mapping[int, Sequence[Window]]) -> None:
    problems = {day: found for day in range(7) if (found := window_problems(week.get(day, ())))}
    if problems:
        raise HoursError(problems)


def _locked(practitioner: Practitioner) -> Practitioner:
    return Practitioner.objects.select_for_update().get(pk=practitioner.pk)


def set_weekly_hours(
    *,
    practitioner: Practitioner,
    week: Mapping[int, Sequence[Window]],
    offering: Offering | None = None,
) -> list[AvailabilityRule]:
    """Replace her weekly hours (or, with ``offering``, that offering's own week) by
    ``week`` (weekday, Monday 0, → ranges; a missing or empty day is closed). An offering
    given an empty week goes back to her general hours: "no own week" is how it uses them.
    Raises HoursError, writing nothing, when a range ends before it starts, is off the
    5-minute grid or overlaps another on its day."""
    if offering is not None and offering.practitioner_id != practitioner.pk:
        raise HoursError({None: [NOT_HERS]})
    _check_week(week)
    with transaction.atomic(durable=True):
        _locked(practitioner)
        AvailabilityRule.objects.filter(practitioner=practitioner, offering=offering).delete()
        return AvailabilityRule.objects.bulk_create(
            AvailabilityRule(
                practitioner=practitioner,
                offering=offering,
                weekday=day,
                start_time=start,
                end_time=end,
            )
            for day in range(7)
            for start, end in sorted(week.get(day, ()))
        )


def weekly_hours(practitioner: Practitioner, offering: Offering | None = None) -> dict:
    """Her week (or the offering's own, empty when it has none) as ``{weekday: [ranges]}``."""
    week: dict[int, list[Window]] = {day: [] for day in range(7)}
    rules = AvailabilityRule.objects.filter(practitioner=practitioner, offering=offering)
    for weekday, start, end in rules.values_list("weekday", "start_time", "end_time"):
        week[weekday].append((start, end))
    return week


def _days(first_day: date, last_day: date) -> list[date]:
    if last_day < first_day:
        raise HoursError({None: [LAST_BEFORE_FIRST]})
    if (last_day - first_day).days >= LONGEST_RANGE_DAYS:
        raise HoursError({None: [RANGE_TOO_LONG]})
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]


def set_date_hours(
    *,
    practitioner: Practitioner,
    first_day: date,
    last_day: date,
    windows: Sequence[Window],
    note: str = "",
) -> list[DateOverride]:
    """Give each date from ``first_day`` to ``last_day`` other hours than her week: the
    ``windows``, or none at all (closed). What those dates had before is replaced, so
    editing a date is saving it again. Raises HoursError, writing nothing, on bad ranges."""
    days = _days(first_day, last_day)
    if problems := window_problems(windows):
        raise HoursError({None: problems})
    with transaction.atomic(durable=True):
        _locked(practitioner)
        DateOverride.objects.filter(practitioner=practitioner, date__in=days).delete()
        rows = [
            DateOverride(practitioner=practitioner, date=day, start_time=s, end_time=e, note=note)
            for day in days
            for s, e in sorted(windows)
        ] or [DateOverride(practitioner=practitioner, date=day, note=note) for day in days]
        return DateOverride.objects.bulk_create(rows)


def remove_date_hours(*, practitioner: Practitioner, day: date) -> int:
    """The date follows her weekly hours again; how many rows went."""
    with transaction.atomic(durable=True):
        _locked(practitioner)
        deleted, _ = DateOverride.objects.filter(practitioner=practitioner, date=day).delete()
        return deleted


def save_time_off(
    *,
    practitioner: Practitioner,
    first_day: date,
    last_day: date,
    note: str = "",
    time_off: TimeOff | None = None,
) -> TimeOff:
    """Add time off (whole days, her zone), or change ``time_off``. Sessions already booked
    in it stay booked: closing hours never cancels anyone (see ``bookings_between``)."""
    _days(first_day, last_day)
    with transaction.atomic(durable=True):
        _locked(practitioner)
        if time_off is None:
            return TimeOff.objects.create(
                practitioner=practitioner, first_day=first_day, last_day=last_day, note=note
            )
        time_off = TimeOff.objects.get(pk=time_off.pk, practitioner=practitioner)
        time_off.first_day, time_off.last_day, time_off.note = first_day, last_day, note
        time_off.save(update_fields=["first_day", "last_day", "note"])
        return time_off


def remove_time_off(*, practitioner: Practitioner, time_off_id: int) -> bool:
    """Her hours open again on those days; whether there was such time off."""
    with transaction.atomic(durable=True):
        _locked(practitioner)
        deleted, _ = TimeOff.objects.filter(practitioner=practitioner, pk=time_off_id).delete()
        return bool(deleted)


def bookings_between(practitioner: Practitioner, first_day: date, last_day: date) -> list[Booking]:
    """Her confirmed and held sessions that start on those days (her zone), for the warning
    that they stay booked when she takes the days off."""
    zone = practitioner.zone
    start = _midnight(first_day, zone)
    end = _midnight(last_day + timedelta(days=1), zone)
    return list(
        Booking.objects.filter(
            Q(status=Booking.Status.CONFIRMED) | Q(status=Booking.Status.HELD),
            practitioner=practitioner,
            start__gte=start,
            start__lt=end,
        ).select_related("offering")
    )


def _midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def days_with(
    practitioner: Practitioner, first_day: date, last_day: date
) -> tuple[dict[date, list[DateOverride]], list[TimeOff]]:
    """The date overrides (by date) and time off meeting ``first_day``..``last_day``."""
    overrides: dict[date, list[DateOverride]] = {}
    for row in DateOverride.objects.filter(
        practitioner=practitioner, date__range=(first_day, last_day)
    ):
        overrides.setdefault(row.date, []).append(row)
    time_off = list(
        TimeOff.objects.filter(
            practitioner=practitioner, first_day__lte=last_day, last_day__gte=first_day
        )
    )
    return overrides, time_off


def offerings_with_own_hours(practitioner: Practitioner) -> set[int]:
    """The ids of her offerings that have a week of their own."""
    return set(
        AvailabilityRule.objects.filter(practitioner=practitioner, offering__isnull=False)
        .values_list("offering_id", flat=True)
        .distinct()
    )
