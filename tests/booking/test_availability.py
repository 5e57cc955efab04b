"""Rules → open windows: wall-clock hours in the practitioner's zone, DST on purpose.

Pure: no database. Clock changes used throughout (all checked against the tz database):

* Europe/Berlin    2027-03-28 02:00 → 03:00 (gap)      2026-10-25 03:00 → 02:00 (02:00–03:00 twice)
* America/New_York 2027-03-14 02:00 → 03:00 (gap)      2026-11-01 02:00 → 01:00 (01:00–02:00 twice)
* Australia/Sydney 2026-10-04 02:00 → 03:00 (gap)      2027-04-04 03:00 → 02:00 (02:00–03:00 twice)
* Asia/Kolkata     +05:30 all year
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import (
    Schedule,
    expand_ranges,
    local_days,
    open_windows,
    to_instant,
    windows_for_day,
)
from booking.intervals import Interval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")

NINE_TO_FIVE = ((time(9), time(17)),)
MONDAY = date(2026, 12, 7)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def every_day(*windows) -> dict:
    return {weekday: windows for weekday in range(7)}


def schedule(zone=BERLIN, weekly=None, overrides=None, days_off=()) -> Schedule:
    return Schedule(
        zone=zone,
        weekly=every_day(*NINE_TO_FIVE) if weekly is None else weekly,
        overrides=overrides or {},
        days_off=frozenset(days_off),
    )


def one_night(zone: ZoneInfo, day: date, start: time, end: time) -> list[Interval]:
    return open_windows(schedule(zone, weekly={day.weekday(): ((start, end),)}), day, day)


def test_several_windows_a_day_stay_separate_and_in_order():
    weekly = {
        0: ((time(14), time(18)), (time(9), time(12))),
        1: ((time(8), time(10)),),
    }
    windows = open_windows(schedule(weekly=weekly), MONDAY, MONDAY + timedelta(days=2))

    assert windows == [
        Interval(utc(2026, 12, 7, 8), utc(2026, 12, 7, 11)),
        Interval(utc(2026, 12, 7, 13), utc(2026, 12, 7, 17)),
        Interval(utc(2026, 12, 8, 7), utc(2026, 12, 8, 9)),
    ]


def test_overlapping_and_touching_rules_join_into_one_window():
    weekly = {0: ((time(9), time(12)), (time(11), time(13)), (time(13), time(14)))}

    assert open_windows(schedule(weekly=weekly), MONDAY, MONDAY) == [
        Interval(utc(2026, 12, 7, 8), utc(2026, 12, 7, 13))
    ]


def test_a_weekday_without_rules_has_no_open_time():
    weekly = {0: NINE_TO_FIVE}

    assert (
        open_windows(schedule(weekly=weekly), MONDAY + timedelta(days=1), MONDAY + timedelta(6))
        == []
    )


# zone, the day before the change, 09:00 local that day in UTC, 09:00 local on the change day
CLOCK_CHANGES = [
    pytest.param(
        BERLIN, date(2027, 3, 27), utc(2027, 3, 27, 8), utc(2027, 3, 28, 7), id="berlin-forward"
    ),
    pytest.param(
        BERLIN, date(2026, 10, 24), utc(2026, 10, 24, 7), utc(2026, 10, 25, 8), id="berlin-back"
    ),
    pytest.param(
        NEW_YORK,
        date(2027, 3, 13),
        utc(2027, 3, 13, 14),
        utc(2027, 3, 14, 13),
        id="new-york-forward",
    ),
    pytest.param(
        NEW_YORK,
        date(2026, 10, 31),
        utc(2026, 10, 31, 13),
        utc(2026, 11, 1, 14),
        id="new-york-back",
    ),
    pytest.param(
        SYDNEY, date(2026, 10, 3), utc(2026, 10, 2, 23), utc(2026, 10, 3, 22), id="sydney-forward"
    ),
    pytest.param(
        SYDNEY, date(2027, 4, 3), utc(2027, 4, 2, 22), utc(2027, 4, 3, 23), id="sydney-back"
    ),
    pytest.param(
        KOLKATA,
        date(2027, 3, 27),
        utc(2027, 3, 27, 3, 30),
        utc(2027, 3, 28, 3, 30),
        id="kolkata-none",
    ),
]


@pytest.mark.parametrize(("zone", "day_before", "nine_before", "nine_after"), CLOCK_CHANGES)
def test_nine_to_five_stays_nine_to_five_across_the_clock_change(
    zone, day_before, nine_before, nine_after
):
    change_day = day_before + timedelta(days=1)

    windows = open_windows(schedule(zone), day_before, change_day)

    assert windows == [
        Interval(nine_before, nine_before + timedelta(hours=8)),
        Interval(nine_after, nine_after + timedelta(hours=8)),
    ]
    for window, day in zip(windows, (day_before, change_day), strict=True):
        assert window.start.astimezone(zone) == datetime.combine(day, time(9), tzinfo=zone)
        assert window.end.astimezone(zone).time() == time(17)


# zone, the spring-forward date, the instant its clocks jump from 02:00 to 03:00
SPRING_FORWARD = [
    pytest.param(BERLIN, date(2027, 3, 28), utc(2027, 3, 28, 1), id="berlin"),
    pytest.param(NEW_YORK, date(2027, 3, 14), utc(2027, 3, 14, 7), id="new-york"),
    pytest.param(SYDNEY, date(2026, 10, 4), utc(2026, 10, 3, 16), id="sydney"),
]


@pytest.mark.parametrize(("zone", "day", "jump"), SPRING_FORWARD)
def test_a_window_from_a_time_that_does_not_exist_starts_when_the_clocks_jump(zone, day, jump):
    windows = one_night(zone, day, time(2, 30), time(5))

    assert windows == [Interval(jump, jump + timedelta(hours=2))]
    assert windows[0].start.astimezone(zone).time() == time(3)
    assert windows[0].end.astimezone(zone).time() == time(5)


@pytest.mark.parametrize(("zone", "day", "jump"), SPRING_FORWARD)
def test_a_window_ending_at_a_time_that_does_not_exist_ends_when_the_clocks_jump(zone, day, jump):
    windows = one_night(zone, day, time(1), time(2, 30))

    assert windows == [Interval(jump - timedelta(hours=1), jump)]


@pytest.mark.parametrize(("zone", "day", "jump"), SPRING_FORWARD)
def test_a_window_wholly_inside_the_gap_gives_no_open_time(zone, day, jump):
    assert one_night(zone, day, time(2, 15), time(2, 45)) == []


@pytest.mark.parametrize(("zone", "day", "jump"), SPRING_FORWARD)
def test_to_instant_reads_a_missing_wall_time_as_the_jump_for_starts_and_ends(zone, day, jump):
    assert to_instant(day, time(2), zone, is_end=False) == jump
    assert to_instant(day, time(2, 59), zone, is_end=True) == jump
    assert to_instant(day, time(3), zone, is_end=False) == jump


# zone, the fall-back date, a window ending in the repeated hour, its UTC span
FALL_BACK_ENDS = [
    pytest.param(
        BERLIN,
        date(2026, 10, 25),
        time(1),
        time(2, 30),
        utc(2026, 10, 24, 23),
        utc(2026, 10, 25, 1, 30),
        id="berlin",
    ),
    pytest.param(
        NEW_YORK,
        date(2026, 11, 1),
        time(0),
        time(1, 30),
        utc(2026, 11, 1, 4),
        utc(2026, 11, 1, 6, 30),
        id="new-york",
    ),
    pytest.param(
        SYDNEY,
        date(2027, 4, 4),
        time(1),
        time(2, 30),
        utc(2027, 4, 3, 14),
        utc(2027, 4, 3, 16, 30),
        id="sydney",
    ),
]


@pytest.mark.parametrize(("zone", "day", "start", "end", "first", "last"), FALL_BACK_ENDS)
def test_a_window_ending_at_a_repeated_time_runs_to_its_second_occurrence(
    zone, day, start, end, first, last
):
    windows = one_night(zone, day, start, end)

    # 1.5 hours on the wall clock, 2.5 hours of real time: never shorter than it reads.
    assert windows == [Interval(first, last)]
    assert last - first == timedelta(hours=2, minutes=30)
    assert windows[0].end.astimezone(zone).fold == 1


# zone, the fall-back date, a window starting in the repeated hour, its UTC span
FALL_BACK_STARTS = [
    pytest.param(
        BERLIN,
        date(2026, 10, 25),
        time(2, 30),
        time(4),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 3),
        id="berlin",
    ),
    pytest.param(
        NEW_YORK,
        date(2026, 11, 1),
        time(1, 30),
        time(3),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 8),
        id="new-york",
    ),
    pytest.param(
        SYDNEY,
        date(2027, 4, 4),
        time(2, 30),
        time(4),
        utc(2027, 4, 3, 15, 30),
        utc(2027, 4, 3, 18),
        id="sydney",
    ),
]


@pytest.mark.parametrize(("zone", "day", "start", "end", "first", "last"), FALL_BACK_STARTS)
def test_a_window_starting_at_a_repeated_time_starts_at_its_first_occurrence(
    zone, day, start, end, first, last
):
    windows = one_night(zone, day, start, end)

    assert windows == [Interval(first, last)]
    assert windows[0].start.astimezone(zone).fold == 0
    assert windows[0].start.astimezone(zone).time() == start


def test_a_window_inside_the_repeated_hour_covers_both_passes_of_it():
    windows = one_night(BERLIN, date(2026, 10, 25), time(2, 15), time(2, 45))

    # From the first 02:15 (CEST) to the second 02:45 (CET).
    assert windows == [Interval(utc(2026, 10, 25, 0, 15), utc(2026, 10, 25, 1, 45))]


def test_a_half_hour_zone_without_dst_keeps_its_offset_all_year():
    days = [date(2027, 1, 4), date(2027, 3, 28), date(2027, 7, 5), date(2026, 10, 25)]
    for day in days:
        assert open_windows(schedule(KOLKATA), day, day) == [
            Interval(
                datetime.combine(day, time(3, 30), tzinfo=UTC),
                datetime.combine(day, time(11, 30), tzinfo=UTC),
            )
        ]


def test_an_override_without_windows_makes_the_day_off():
    windows = open_windows(schedule(overrides={MONDAY: ()}), MONDAY, MONDAY + timedelta(days=1))

    assert windows == [Interval(utc(2026, 12, 8, 8), utc(2026, 12, 8, 16))]


def test_override_hours_replace_the_weekly_hours_for_that_date_only():
    overrides = {MONDAY: ((time(7), time(8)), (time(18), time(20, 30)))}

    windows = open_windows(schedule(overrides=overrides), MONDAY, MONDAY + timedelta(days=1))

    assert windows == [
        Interval(utc(2026, 12, 7, 6), utc(2026, 12, 7, 7)),
        Interval(utc(2026, 12, 7, 17), utc(2026, 12, 7, 19, 30)),
        Interval(utc(2026, 12, 8, 8), utc(2026, 12, 8, 16)),
    ]


def test_an_override_opens_a_day_without_weekly_hours():
    saturday = date(2026, 12, 12)
    weekly = {day: NINE_TO_FIVE for day in range(5)}

    windows = open_windows(
        schedule(weekly=weekly, overrides={saturday: ((time(10), time(12)),)}),
        saturday,
        saturday + timedelta(days=1),
    )

    assert windows == [Interval(utc(2026, 12, 12, 9), utc(2026, 12, 12, 11))]


def test_override_hours_on_a_spring_forward_day_are_read_in_summer_time():
    day = date(2027, 3, 28)

    windows = open_windows(schedule(overrides={day: ((time(10), time(12)),)}), day, day)

    assert windows == [Interval(utc(2027, 3, 28, 8), utc(2027, 3, 28, 10))]


def test_vacation_days_are_closed_even_where_an_override_opens_them():
    vacation = expand_ranges([(MONDAY, MONDAY + timedelta(days=2))])
    overrides = {MONDAY + timedelta(days=1): ((time(10), time(11)),)}

    windows = open_windows(
        schedule(overrides=overrides, days_off=vacation), MONDAY, MONDAY + timedelta(days=3)
    )

    assert windows == [Interval(utc(2026, 12, 10, 8), utc(2026, 12, 10, 16))]


def test_a_vacation_range_includes_its_first_and_last_day():
    assert expand_ranges([(date(2026, 12, 30), date(2027, 1, 2)), (MONDAY, MONDAY)]) == {
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        MONDAY,
    }


def test_the_days_off_outrank_overrides_which_outrank_weekly_rules():
    day = MONDAY
    weekly = {0: NINE_TO_FIVE}
    extra = ((time(7), time(8)),)

    assert windows_for_day(schedule(weekly=weekly), day) == NINE_TO_FIVE
    assert windows_for_day(schedule(weekly=weekly, overrides={day: extra}), day) == extra
    assert (
        windows_for_day(schedule(weekly=weekly, overrides={day: extra}, days_off={day}), day) == ()
    )


def test_local_days_are_her_dates_and_the_end_is_exclusive():
    # 00:30 on Thursday in Berlin up to (not including) 00:00 on Friday.
    start, end = utc(2026, 12, 2, 23, 30), utc(2026, 12, 3, 23)

    assert local_days(start, end, BERLIN) == (date(2026, 12, 3), date(2026, 12, 3))
    assert local_days(start, end + timedelta(minutes=1), BERLIN) == (
        date(2026, 12, 3),
        date(2026, 12, 4),
    )
    assert local_days(start, end, NEW_YORK) == (date(2026, 12, 2), date(2026, 12, 3))


# Property: open windows equal an oracle that only reads the wall clock. For each date it
# scans every quarter-hour instant whose local date is that date, and decides by the module
# docstring: a window starts at the first instant showing its start time (or, if that time
# never shows, the first instant after it) and ends at the last instant showing its end time
# (or the first instant after it). Which rules apply on a date (days off, then overrides,
# then weekly rules) it takes from windows_for_day, tested on its own above.

# Each zone with the dates its clocks change (none for the last two).
CHANGES = {
    "Europe/Berlin": [date(2026, 10, 25), date(2027, 3, 28)],
    "America/New_York": [date(2026, 11, 1), date(2027, 3, 14)],
    "Australia/Sydney": [date(2026, 10, 4), date(2027, 4, 4)],
    "Australia/Lord_Howe": [date(2026, 10, 4), date(2027, 4, 4)],  # half-hour jumps
    "America/Santiago": [date(2026, 9, 6), date(2027, 4, 4)],  # at midnight
    "Asia/Kolkata": [date(2027, 3, 28)],
    "UTC": [date(2027, 3, 28)],
}
QUARTER = timedelta(minutes=15)


def _odd_wall_times(zone: ZoneInfo, change_day: date) -> list[tuple[int, int]]:
    """(day offset, quarter hour) at and next to wall times that happen never or twice."""
    odd = set()
    for offset in (-1, 0, 1):
        day = change_day + timedelta(days=offset)
        for quarter in range(96):
            local = datetime.combine(day, time(quarter // 4, quarter % 4 * 15), tzinfo=zone)
            if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
                odd.update((offset, n) for n in (quarter - 1, quarter, quarter + 1) if 0 <= n < 96)
    return sorted(odd)


def _build(zone: ZoneInfo, change_day: date, rules: list[tuple], days_off: int):
    days = [change_day + timedelta(days=n) for n in (-1, 0, 1)]
    weekly: dict[int, list] = {}
    overrides: dict[date, list] = {}
    for kind, offset, one, other in rules:
        day = change_day + timedelta(days=offset)
        first, last = sorted((one, other))
        window = (time(first // 4, first % 4 * 15), time(last // 4, last % 4 * 15))
        if kind == 0:
            weekly.setdefault(day.weekday(), []).append(window)
        else:
            overrides.setdefault(day, [])
            if kind == 1:
                overrides[day].append(window)
    off = frozenset(day for n, day in enumerate(days) if days_off >> n & 1)
    return Schedule(zone=zone, weekly=weekly, overrides=overrides, days_off=off), days


@st.composite
def schedules(draw):
    """Three days around a clock change, with window ends drawn at or next to the missing or
    repeated wall times about half the time. Each rule is a weekly rule, an override window
    or an override day off (kind 0, 1, 2)."""
    zone_name, change_day = draw(
        st.sampled_from([(zone, day) for zone, days in CHANGES.items() for day in days])
    )
    zone = ZoneInfo(zone_name)
    odd = _odd_wall_times(zone, change_day)
    anchor = st.tuples(st.sampled_from([-1, 0, 1]), st.integers(0, 95))
    other = st.integers(0, 95)
    if odd:
        anchor = anchor | st.sampled_from(odd)
        other = other | st.sampled_from(sorted({quarter for _, quarter in odd}))
    rule = st.tuples(st.sampled_from([0, 0, 1, 1, 2]), anchor, other).filter(
        lambda rule: rule[1][1] != rule[2]
    )
    rules = [
        (kind, offset, one, two)
        for kind, (offset, one), two in draw(st.lists(rule, min_size=1, max_size=6))
    ]
    return _build(zone, change_day, rules, draw(st.sampled_from([0, 0, 0, 1, 2, 4])))


@cache
def _instants_of(day: date, zone: ZoneInfo) -> list[datetime]:
    moment = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=16)
    instants = []
    while moment < datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=40):
        if moment.astimezone(zone).date() == day:
            instants.append(moment)
        moment += QUARTER
    return instants


def _oracle(sched: Schedule, days: list[date]) -> list[Interval]:
    spans = []
    for day in days:
        instants = _instants_of(day, sched.zone)
        walls = [moment.astimezone(sched.zone).time() for moment in instants]
        for start, end in windows_for_day(sched, day):
            showing_start = [m for m, wall in zip(instants, walls, strict=True) if wall == start]
            showing_end = [m for m, wall in zip(instants, walls, strict=True) if wall == end]
            first = (
                showing_start[0]
                if showing_start
                else next(m for m, wall in zip(instants, walls, strict=True) if wall > start)
            )
            last = (
                showing_end[-1]
                if showing_end
                else next(m for m, wall in zip(instants, walls, strict=True) if wall > end)
            )
            if first < last:
                spans.append((first, last))
    joined: list[Interval] = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1].end:
            joined[-1] = Interval(joined[-1].start, max(joined[-1].end, last))
        else:
            joined.append(Interval(first, last))
    return joined


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_open_windows_match_a_wall_clock_oracle_in_any_zone_around_any_clock_change(case):
    sched, days = case

    assert open_windows(sched, days[0], days[-1]) == _oracle(sched, days)
