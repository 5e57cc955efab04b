"""Open windows − busy time → bookable slots. Pure: no database, no clock."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import Schedule, open_windows
from booking.intervals import Interval, instant, merge_spans, micros
from booking.slots import SlotPolicy, blocked_span, bookable_slots

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")

NINE_TO_FIVE = ((time(9), time(17)),)
WEEKDAYS = {day: NINE_TO_FIVE for day in range(5)}
EVERY_DAY = {day: NINE_TO_FIVE for day in range(7)}
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = UTC) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def policy(duration=30, step=30, before=0, after=0, cap=None) -> SlotPolicy:
    return SlotPolicy(
        duration=minutes(duration),
        step=minutes(step),
        buffer_before=minutes(before),
        buffer_after=minutes(after),
        daily_cap=cap,
    )


def slots(
    windows,
    busy=(),
    rule=None,
    earliest=FAR_PAST,
    latest=FAR_FUTURE,
    zone=BERLIN,
    booked_per_day=None,
):
    return bookable_slots(
        windows=windows,
        busy=busy,
        policy=rule or policy(),
        earliest=earliest,
        latest=latest,
        day_of=lambda moment: moment.astimezone(zone).date(),
        booked_per_day=booked_per_day,
    )


def starts(found) -> list[datetime]:
    return [slot.start for slot in found]


def walls(found, zone) -> list[str]:
    return [f"{slot.start.astimezone(zone):%H:%M}" for slot in found]


def hours(zone, first_day, last_day, weekly=EVERY_DAY, overrides=None):
    sched = Schedule(zone=zone, weekly=weekly, overrides=overrides or {})
    return open_windows(sched, first_day, last_day)


THURSDAY = date(2026, 12, 3)
MORNING = [Interval(at(THURSDAY, 9), at(THURSDAY, 12))]


def test_slots_fill_a_window_on_its_grid_and_stop_where_a_meeting_no_longer_fits():
    window = [Interval(at(THURSDAY, 9), at(THURSDAY, 11, 10))]

    found = slots(window, rule=policy(duration=30, step=20))

    assert starts(found) == [at(THURSDAY, 9, m) for m in (0, 20, 40)] + [
        at(THURSDAY, 10, m) for m in (0, 20, 40)
    ]
    assert all(slot.end - slot.start == minutes(30) for slot in found)


def test_the_grid_starts_at_the_window_not_on_the_hour():
    window = [Interval(at(THURSDAY, 9, 10), at(THURSDAY, 11))]

    assert starts(slots(window)) == [
        at(THURSDAY, 9, 10),
        at(THURSDAY, 9, 40),
        at(THURSDAY, 10, 10),
    ]


def test_after_busy_time_slots_resume_on_the_grid_not_where_the_busy_time_ends():
    window = [Interval(at(THURSDAY, 9, 10), at(THURSDAY, 12))]
    busy = [Interval(at(THURSDAY, 9), at(THURSDAY, 10, 5))]

    assert starts(slots(window, busy))[:2] == [at(THURSDAY, 10, 10), at(THURSDAY, 10, 40)]


def test_busy_time_ending_as_a_slot_starts_does_not_block_it():
    busy = [Interval(at(THURSDAY, 8), at(THURSDAY, 10))]

    assert starts(slots(MORNING, busy))[0] == at(THURSDAY, 10)


def test_busy_time_starting_as_a_slot_ends_does_not_block_it():
    busy = [Interval(at(THURSDAY, 10), at(THURSDAY, 11))]

    assert starts(slots(MORNING, busy)) == [
        at(THURSDAY, 9),
        at(THURSDAY, 9, 30),
        at(THURSDAY, 11),
        at(THURSDAY, 11, 30),
    ]


def test_busy_time_overlapping_a_slot_by_one_minute_blocks_it():
    busy = [Interval(at(THURSDAY, 9, 59), at(THURSDAY, 10, 1))]

    assert starts(slots(MORNING, busy)) == [
        at(THURSDAY, 9),
        at(THURSDAY, 10, 30),
        at(THURSDAY, 11),
        at(THURSDAY, 11, 30),
    ]


def test_a_slots_blocked_span_is_the_meeting_with_its_buffers():
    span = blocked_span(at(THURSDAY, 10), policy(duration=50, before=10, after=15))

    assert span == Interval(at(THURSDAY, 9, 50), at(THURSDAY, 11, 5))


def test_buffer_after_keeps_a_slot_clear_of_busy_time_that_follows():
    busy = [Interval(at(THURSDAY, 10, 10), at(THURSDAY, 11))]

    found = slots(MORNING, busy, policy(after=15))

    # 09:30 would end at 10:00 and need until 10:15; 09:00 needs until 09:45.
    assert starts(found) == [at(THURSDAY, 9), at(THURSDAY, 11), at(THURSDAY, 11, 30)]


def test_buffer_before_keeps_a_slot_clear_of_busy_time_that_precedes():
    busy = [Interval(at(THURSDAY, 9), at(THURSDAY, 10))]

    found = slots(MORNING, busy, policy(before=15, step=15))

    assert starts(found)[0] == at(THURSDAY, 10, 15)


def test_buffer_before_counts_busy_time_that_ends_just_before_opening_or_notice():
    rule = policy(before=15)
    just_before_opening = [Interval(at(THURSDAY, 8), at(THURSDAY, 8, 50))]
    just_before_notice = [Interval(at(THURSDAY, 9), at(THURSDAY, 9, 50))]

    assert starts(slots(MORNING, just_before_opening, rule))[0] == at(THURSDAY, 9, 30)
    found = slots(MORNING, just_before_notice, rule, earliest=at(THURSDAY, 10))
    assert starts(found)[0] == at(THURSDAY, 10, 30)


def test_adjacent_bookings_may_meet_buffer_to_buffer_but_not_overlap():
    rule = policy(step=15, before=15, after=15)
    booked = blocked_span(at(THURSDAY, 10), rule)  # 09:45–10:45

    found = starts(slots(MORNING, [booked], rule))

    assert at(THURSDAY, 9) in found  # blocks 08:45–09:45
    assert at(THURSDAY, 9, 15) not in found
    assert at(THURSDAY, 10, 45) not in found
    assert found[1] == at(THURSDAY, 11)  # blocks 10:45–11:45
    for start in found:
        assert not blocked_span(start, rule).overlaps(booked)


def test_buffers_may_reach_outside_open_hours_but_the_meeting_may_not():
    found = slots(MORNING, rule=policy(before=30, after=30))

    assert found[0].start == at(THURSDAY, 9)
    assert found[-1].end == at(THURSDAY, 12)


def test_minimum_notice_moves_the_first_slot_to_the_next_grid_point():
    assert starts(slots(MORNING, earliest=at(THURSDAY, 9, 5)))[0] == at(THURSDAY, 9, 30)
    assert starts(slots(MORNING, earliest=at(THURSDAY, 9, 30)))[0] == at(THURSDAY, 9, 30)
    assert slots(MORNING, earliest=at(THURSDAY, 11, 31)) == []


def test_a_slot_starting_at_the_horizon_is_not_offered():
    found = slots(MORNING, latest=at(THURSDAY, 11))

    assert starts(found) == [at(THURSDAY, h, m) for h in (9, 10) for m in (0, 30)]


def test_busy_time_across_midnight_blocks_the_evening_and_the_next_morning():
    friday = THURSDAY + timedelta(days=1)
    windows = hours(BERLIN, THURSDAY, friday)
    busy = [Interval(at(THURSDAY, 16, 15, BERLIN), at(friday, 9, 45, BERLIN))]

    found = [f"{slot.start.astimezone(BERLIN):%a %H:%M}" for slot in slots(windows, busy)]

    assert found == [f"Thu {h:02}:{m:02}" for h in range(9, 16) for m in (0, 30)] + [
        f"Fri {h:02}:{m:02}" for h in range(10, 17) for m in (0, 30)
    ]


def test_busy_time_spanning_the_lunch_break_blocks_both_windows():
    windows = [
        Interval(at(THURSDAY, 9), at(THURSDAY, 12)),
        Interval(at(THURSDAY, 13), at(THURSDAY, 15)),
    ]
    busy = [Interval(at(THURSDAY, 11, 45), at(THURSDAY, 13, 30))]

    assert starts(slots(windows, busy)) == [
        at(THURSDAY, 9),
        at(THURSDAY, 9, 30),
        at(THURSDAY, 10),
        at(THURSDAY, 10, 30),
        at(THURSDAY, 11),
        at(THURSDAY, 13, 30),
        at(THURSDAY, 14),
        at(THURSDAY, 14, 30),
    ]


def test_unsorted_and_overlapping_busy_intervals_are_all_respected():
    busy = [
        Interval(at(THURSDAY, 11), at(THURSDAY, 11, 10)),
        Interval(at(THURSDAY, 9), at(THURSDAY, 9, 20)),
        Interval(at(THURSDAY, 9, 10), at(THURSDAY, 9, 40)),
        Interval(at(THURSDAY, 10, 40), at(THURSDAY, 10, 50)),
    ]

    assert starts(slots(MORNING, busy, policy(step=10))) == [
        at(THURSDAY, 9, 40),
        at(THURSDAY, 9, 50),
        at(THURSDAY, 10),
        at(THURSDAY, 10, 10),
        at(THURSDAY, 11, 10),
        at(THURSDAY, 11, 20),
        at(THURSDAY, 11, 30),
    ]


def test_overlapping_windows_give_sorted_distinct_slots_clear_of_busy_time():
    windows = [
        Interval(at(THURSDAY, 9), at(THURSDAY, 12)),
        Interval(at(THURSDAY, 10), at(THURSDAY, 11)),
    ]
    busy = [Interval(at(THURSDAY, 10), at(THURSDAY, 10, 30))]

    assert starts(slots(windows, busy)) == [
        at(THURSDAY, 9),
        at(THURSDAY, 9, 30),
        at(THURSDAY, 10, 30),
        at(THURSDAY, 11),
        at(THURSDAY, 11, 30),
    ]


def test_a_day_holding_its_cap_gives_no_slots_and_other_days_keep_theirs():
    friday = THURSDAY + timedelta(days=1)
    windows = hours(BERLIN, THURSDAY, friday)

    found = slots(windows, rule=policy(cap=2), booked_per_day={THURSDAY: 2, friday: 1})

    assert {slot.start.astimezone(BERLIN).date() for slot in found} == {friday}
    assert len(found) == 16


def test_the_daily_cap_counts_her_dates_not_utc_dates():
    # 00:00–01:00 on Thursday in Berlin is still Wednesday in UTC.
    windows = hours(BERLIN, THURSDAY, THURSDAY, weekly={3: ((time(0), time(1)),)})
    wednesday = THURSDAY - timedelta(days=1)

    assert slots(windows, rule=policy(cap=1), booked_per_day={THURSDAY: 1}) == []
    assert len(slots(windows, rule=policy(cap=1), booked_per_day={wednesday: 1})) == 2


# --- DST ------------------------------------------------------------------------------------

# zone, the day before its clocks change
CHANGES = [
    pytest.param(BERLIN, date(2027, 3, 27), id="berlin-forward"),
    pytest.param(BERLIN, date(2026, 10, 24), id="berlin-back"),
    pytest.param(NEW_YORK, date(2027, 3, 13), id="new-york-forward"),
    pytest.param(NEW_YORK, date(2026, 10, 31), id="new-york-back"),
    pytest.param(SYDNEY, date(2026, 10, 3), id="sydney-forward"),
    pytest.param(SYDNEY, date(2027, 4, 3), id="sydney-back"),
]


@pytest.mark.parametrize(("zone", "day_before"), CHANGES)
def test_slots_keep_their_wall_times_across_a_clock_change_and_move_an_hour_in_utc(
    zone, day_before
):
    change_day = day_before + timedelta(days=1)
    before = slots(hours(zone, day_before, day_before), zone=zone)
    after = slots(hours(zone, change_day, change_day), zone=zone)

    assert (
        walls(before, zone)
        == walls(after, zone)
        == [f"{h:02}:{m:02}" for h in range(9, 17) for m in (0, 30)]
    )
    shift = (after[0].start - before[0].start) - timedelta(days=1)
    assert abs(shift) == timedelta(hours=1)
    assert all(
        b.start + timedelta(days=1) + shift == a.start for b, a in zip(before, after, strict=True)
    )


def test_hourly_slots_in_a_half_hour_zone_sit_on_the_half_hour_in_utc():
    found = slots(
        hours(KOLKATA, THURSDAY, THURSDAY), rule=policy(duration=60, step=60), zone=KOLKATA
    )

    assert walls(found, KOLKATA) == [f"{h:02}:00" for h in range(9, 17)]
    assert {slot.start.minute for slot in found} == {30}
    assert found[0].start == utc(2026, 12, 3, 3, 30)


def test_slots_across_the_fall_back_hour_follow_elapsed_time():
    day = date(2026, 10, 25)
    windows = hours(BERLIN, day, day, weekly={6: ((time(0), time(4)),)})

    found = slots(windows, rule=policy(duration=60, step=60))

    # Five real hours between 00:00 and 04:00 that night; 02:00 happens twice.
    assert starts(found) == [utc(2026, 10, 24, 22) + timedelta(hours=n) for n in range(5)]
    assert walls(found, BERLIN) == ["00:00", "01:00", "02:00", "02:00", "03:00"]


def test_slots_across_the_spring_forward_gap_never_start_at_a_missing_time():
    day = date(2027, 3, 28)
    windows = hours(BERLIN, day, day, weekly={6: ((time(1), time(4)),)})

    found = slots(windows)

    assert walls(found, BERLIN) == ["01:00", "01:30", "03:00", "03:30"]


# Minimum notice is elapsed time: N hours from now, not "the same wall time N hours later"
# (Cal.com #4702, #12137: notice ending on the day of a clock change gave wrong slots).


@pytest.mark.parametrize(
    ("zone", "now", "first_wall", "first_instant"),
    [
        # Saturday 10:00 CET; 24 h later it is Sunday 11:00 CEST.
        (BERLIN, utc(2027, 3, 27, 9), "11:00", utc(2027, 3, 28, 9)),
        # Saturday 10:00 CEST; 24 h later it is Sunday 09:00 CET.
        (BERLIN, utc(2026, 10, 24, 8), "09:00", utc(2026, 10, 25, 8)),
        # Saturday 10:00 EST; 24 h later it is Sunday 11:00 EDT.
        (NEW_YORK, utc(2027, 3, 13, 15), "11:00", utc(2027, 3, 14, 15)),
        # Saturday 10:00 AEDT; 24 h later it is Sunday 09:00 AEST.
        (SYDNEY, utc(2027, 4, 2, 23), "09:00", utc(2027, 4, 3, 23)),
    ],
    ids=["berlin-forward", "berlin-back", "new-york-forward", "sydney-back"],
)
def test_notice_ending_on_a_clock_change_day_counts_elapsed_hours(
    zone, now, first_wall, first_instant
):
    today = now.astimezone(zone).date()
    windows = hours(zone, today, today + timedelta(days=1))

    found = slots(windows, earliest=now + timedelta(hours=24), zone=zone)

    assert found[0].start == first_instant
    assert walls(found, zone)[0] == first_wall
    assert walls(found, zone)[-1] == "16:30"
    assert all(slot.start >= now + timedelta(hours=24) for slot in found)


def test_notice_ending_inside_the_spring_forward_gap_starts_after_the_jump():
    day = date(2027, 3, 28)
    windows = hours(BERLIN, day, day, weekly={6: ((time(0), time(6)),)})
    now = utc(2027, 3, 27, 1, 30)  # Saturday 02:30 CET

    found = slots(windows, earliest=now + timedelta(hours=24))

    assert walls(found, BERLIN) == ["03:30", "04:00", "04:30", "05:00", "05:30"]


# --- The client's zone ------------------------------------------------------------------------
# Slots are instants; a visitor sees them in her own zone. On the days between two zones'
# clock changes the distance between them is an hour off its usual value.


@pytest.mark.parametrize(
    ("day", "zone", "first", "last"),
    [
        # Both on winter time: Berlin +1, New York -5.
        (date(2027, 3, 12), NEW_YORK, "2027-03-12 03:00", "2027-03-12 10:30"),
        # New York on EDT since 03-14, Berlin not until 03-28: five hours apart, not six.
        (date(2027, 3, 15), NEW_YORK, "2027-03-15 04:00", "2027-03-15 11:30"),
        (date(2027, 3, 26), NEW_YORK, "2027-03-26 04:00", "2027-03-26 11:30"),
        (date(2027, 3, 29), NEW_YORK, "2027-03-29 03:00", "2027-03-29 10:30"),
        # Berlin back on CET since 10-25, New York on EDT until 11-01.
        (date(2026, 10, 26), NEW_YORK, "2026-10-26 04:00", "2026-10-26 11:30"),
        (date(2026, 11, 2), NEW_YORK, "2026-11-02 03:00", "2026-11-02 10:30"),
        # Sydney: AEDT +11 until 04-04, Berlin +1 → +2 on 03-28.
        (date(2027, 3, 26), SYDNEY, "2027-03-26 19:00", "2027-03-27 02:30"),
        (date(2027, 3, 29), SYDNEY, "2027-03-29 18:00", "2027-03-30 01:30"),
        (date(2027, 4, 5), SYDNEY, "2027-04-05 17:00", "2027-04-06 00:30"),
        # Kolkata +05:30 all year.
        (date(2027, 3, 26), KOLKATA, "2027-03-26 13:30", "2027-03-26 21:00"),
        (date(2027, 3, 29), KOLKATA, "2027-03-29 12:30", "2027-03-29 20:00"),
    ],
)
def test_a_berlin_practitioners_slots_show_at_the_right_local_time_for_the_visitor(
    day, zone, first, last
):
    found = slots(hours(BERLIN, day, day, weekly=WEEKDAYS))

    shown = [slot.start.astimezone(zone) for slot in found]
    assert f"{shown[0]:%Y-%m-%d %H:%M}" == first
    assert f"{shown[-1]:%Y-%m-%d %H:%M}" == last
    assert len(found) == 16
    assert [moment.astimezone(BERLIN) for moment in shown] == [
        at(day, h, m, BERLIN) for h in range(9, 17) for m in (0, 30)
    ]


def test_a_sydney_monday_morning_moves_from_monday_to_sunday_in_berlin_when_berlin_falls_back():
    monday = date(2026, 10, 5)  # Sydney on AEDT since 10-04, Berlin still on CEST
    found = slots(hours(SYDNEY, monday, monday, weekly=WEEKDAYS), zone=SYDNEY)

    shown = [f"{slot.start.astimezone(BERLIN):%a %H:%M}" for slot in found]
    assert shown[0] == "Mon 00:00"
    assert shown[-1] == "Mon 07:30"
    found_later = slots(
        hours(SYDNEY, monday + timedelta(days=21), monday + timedelta(days=21), weekly=WEEKDAYS)
    )
    # Berlin back on CET from 10-25: ten hours apart.
    assert f"{found_later[0].start.astimezone(BERLIN):%a %H:%M}" == "Sun 23:00"


def merge(intervals: list[Interval]) -> list[Interval]:
    """merge_spans, on intervals."""
    spans = merge_spans((micros(each.start), micros(each.end)) for each in intervals)
    return [Interval(instant(start), instant(end)) for start, end in spans]


def test_merge_joins_overlapping_and_touching_intervals_and_drops_empty_ones():
    pieces = [
        Interval(at(THURSDAY, 12), at(THURSDAY, 13)),
        Interval(at(THURSDAY, 9), at(THURSDAY, 10)),
        Interval(at(THURSDAY, 10), at(THURSDAY, 11)),
        Interval(at(THURSDAY, 9, 30), at(THURSDAY, 9, 45)),
        Interval(at(THURSDAY, 14), at(THURSDAY, 14)),
        Interval(at(THURSDAY, 16), at(THURSDAY, 15)),
    ]

    assert merge(pieces) == [
        Interval(at(THURSDAY, 9), at(THURSDAY, 11)),
        Interval(at(THURSDAY, 12), at(THURSDAY, 13)),
    ]


# --- Properties -------------------------------------------------------------------------------

BASE = datetime(2027, 3, 26, tzinfo=UTC)
DAYS = [date(2027, 3, 26) + timedelta(days=n) for n in range(5)]  # Berlin springs forward
ZONES = [BERLIN, NEW_YORK, SYDNEY, KOLKATA, ZoneInfo("UTC")]
FIVE_MINUTES_IN_A_WEEK = 7 * 24 * 12


def _windows(zone: ZoneInfo, rules: list[tuple], days_off: int) -> list[Interval]:
    """Open windows from (kind, day, first quarter hour, length in quarter hours) rules; kind
    0 is a weekly rule, 1 an override window, 2 an override day off."""
    weekly: dict[int, list] = {}
    overrides: dict[date, list] = {}
    for kind, day, first, length in rules:
        last = min(first + length, 95)
        window = (time(first // 4, first % 4 * 15), time(last // 4, last % 4 * 15))
        if kind == 0:
            weekly.setdefault(day.weekday(), []).append(window)
        else:
            overrides.setdefault(day, [])
            if kind == 1:
                overrides[day].append(window)
    off = frozenset(day for n, day in enumerate(DAYS) if days_off >> n & 1)
    sched = Schedule(zone=zone, weekly=weekly, overrides=overrides, days_off=off)
    return open_windows(sched, DAYS[0], DAYS[-1])


def _moment(five_minutes: int) -> datetime:
    return BASE - timedelta(days=1) + minutes(5 * five_minutes)


busy_intervals = st.lists(
    st.builds(
        lambda start, length: Interval(_moment(start), _moment(start + length)),
        st.integers(0, FIVE_MINUTES_IN_A_WEEK),
        st.integers(1, 120),  # up to ten hours
    ),
    max_size=10,
)
policies = st.builds(
    policy,
    duration=st.sampled_from([15, 20, 30, 45, 50, 60, 90]),
    step=st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90]),
    before=st.sampled_from([0, 0, 5, 10, 15, 30]),
    after=st.sampled_from([0, 0, 5, 10, 15, 30]),
    cap=st.none() | st.integers(1, 3),
)


def _case(zone, window_rules, days_off, busy, rule, earliest, length, booked):
    earliest = _moment(earliest)
    return {
        "windows": _windows(zone, window_rules, days_off),
        "busy": busy,
        "policy": rule,
        "earliest": earliest,
        "latest": earliest + minutes(5 * length),
        "zone": zone,
        "booked_per_day": booked,
    }


cases = st.builds(
    _case,
    st.sampled_from(ZONES),
    st.lists(
        st.tuples(
            st.sampled_from([0, 0, 1, 1, 2]),
            st.sampled_from(DAYS),
            st.integers(0, 94),
            st.integers(1, 48),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([0, 0, 0, 1, 4]),
    busy_intervals,
    policies,
    st.integers(0, FIVE_MINUTES_IN_A_WEEK // 2),  # earliest, from a day before the first day
    st.integers(FIVE_MINUTES_IN_A_WEEK // 7, FIVE_MINUTES_IN_A_WEEK),  # latest - earliest
    st.dictionaries(st.sampled_from(DAYS), st.integers(0, 3), max_size=3),
)


def _run(case) -> list[Interval]:
    return bookable_slots(
        windows=case["windows"],
        busy=case["busy"],
        policy=case["policy"],
        earliest=case["earliest"],
        latest=case["latest"],
        day_of=lambda moment: moment.astimezone(case["zone"]).date(),
        booked_per_day=case["booked_per_day"],
    )


def _brute_force(case) -> list[Interval]:
    """Every grid point of every (joined) open window, checked one by one."""
    rule: SlotPolicy = case["policy"]
    cap = rule.daily_cap
    found = []
    for window in merge(case["windows"]):
        start = window.start
        while start + rule.duration <= window.end:
            span = Interval(start - rule.buffer_before, start + rule.duration + rule.buffer_after)
            day = start.astimezone(case["zone"]).date()
            if (
                case["earliest"] <= start < case["latest"]
                and not any(span.overlaps(busy) for busy in case["busy"])
                and (cap is None or case["booked_per_day"].get(day, 0) < cap)
            ):
                found.append(Interval(start, start + rule.duration))
            start += rule.step
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(cases)
def test_every_slot_is_inside_an_open_window_on_its_grid_within_bounds_and_clear_of_busy_time(
    case,
):
    rule: SlotPolicy = case["policy"]

    found = _run(case)

    assert found == sorted(set(found))
    for slot in found:
        assert slot.end - slot.start == rule.duration
        window = next(w for w in case["windows"] if w.start <= slot.start and slot.end <= w.end)
        assert (slot.start - window.start) % rule.step == timedelta(0)
        assert case["earliest"] <= slot.start < case["latest"]
        span = Interval(slot.start - rule.buffer_before, slot.end + rule.buffer_after)
        assert not any(span.overlaps(busy) for busy in case["busy"])
        if rule.daily_cap is not None:
            day = slot.start.astimezone(case["zone"]).date()
            assert case["booked_per_day"].get(day, 0) < rule.daily_cap


@settings(max_examples=200, deadline=None)
@given(cases)
def test_slots_are_exactly_the_grid_points_a_brute_force_check_accepts(case):
    assert _run(case) == _brute_force(case)


raw_windows = st.lists(
    st.builds(
        lambda start, length: Interval(_moment(start), _moment(start + length)),
        st.integers(0, 4 * 24 * 12),
        st.integers(1, 144),  # up to twelve hours
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(raw_windows, busy_intervals, policies)
def test_windows_given_in_any_order_or_overlapping_give_the_brute_force_slots(windows, busy, rule):
    case = {
        "windows": windows,
        "busy": busy,
        "policy": rule,
        "earliest": BASE,
        "latest": BASE + timedelta(days=4),
        "zone": BERLIN,
        "booked_per_day": {},
    }

    assert _run(case) == _brute_force(case)
