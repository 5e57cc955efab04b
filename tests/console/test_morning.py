"""Her morning email: today's sessions on her clock, once a day at her time, never answers."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from booking import effect_runs
from booking.models import Effect
from console import morning
from practice.models import Offering
from tests.console.client_data import SECRET_ANSWER, SECRET_NOTE, intake_for, with_note
from tests.console.test_day import intake, page_text
from tests.console.test_hours import SETTINGS, settings_post
from tests.factories import insert_booking, make_offering, make_practitioner

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# NOW (tests/conftest.py) is Wednesday 2 December 2026, 09:00 in Berlin.
TODAY = date(2026, 12, 2)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def her(practitioner):
    practitioner.morning_email_at = time(7, 30)
    practitioner.save(update_fields=["morning_email_at"])
    return practitioner


def sweep(at: datetime, capture) -> int:
    """One sweep at ``at``, its effects run after commit as a worker would."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        return morning.schedule_summaries(now=at)


def test_the_email_lists_her_day_on_her_clock_with_first_names_and_intake_states(
    settings, her, session, couples, mailoutbox, django_capture_on_commit_callbacks
):
    sam = insert_booking(session, berlin(TODAY, 10), client_name="Sam Okafor")
    intake(sam, "Sam", sent=True, attention=True)
    pair = insert_booking(
        couples,
        berlin(TODAY, 14),
        email="alex@example.org",
        client_name="Alex Moreau",
        partner_name="Jo Moreau",
        partner_email="jo@example.org",
    )
    intake(pair, "Alex", started=True)
    intake(pair, "Jo", role="partner")
    # 00:30 tomorrow in Berlin is still today in UTC: not hers today.
    insert_booking(session, berlin(TODAY + timedelta(days=1), 0, 30), client_name="Kim Lee")

    assert sweep(berlin(TODAY, 7, 35), django_capture_on_commit_callbacks) == 1

    [email] = mailoutbox
    assert email.to == [her.email]
    assert email.subject == "Your day, Wed 2 Dec: 2 sessions"
    text = email.body
    assert "10:00–11:00  Sam · Session\n  Intake sent · needs your attention" in text
    assert "14:00–15:30  Alex & Jo · Couples session\n" in text
    assert "Alex: intake started, not sent yet; Jo: intake not started" in text
    assert "Kim" not in text
    assert "Okafor" not in text and "Moreau" not in text  # first names only
    assert f"Your day in the console: {settings.SITE_URL}/console/" in text
    html = email.alternatives[0][0]
    assert "Sam" in html and "needs your attention" in html and 'href="' in html


def test_no_answers_notes_or_topics_reach_the_email(
    her, session, mailoutbox, django_capture_on_commit_callbacks
):
    booking = with_note(insert_booking(session, berlin(TODAY, 10), client_name="Sam Okafor"))
    intake_for(booking, answers={"what_brings_you": SECRET_ANSWER})

    sweep(berlin(TODAY, 7, 30), django_capture_on_commit_callbacks)

    [email] = mailoutbox
    assert "Intake sent" in email.body
    for content in (email.body, email.alternatives[0][0], email.subject):
        assert SECRET_ANSWER not in content
        assert SECRET_NOTE not in content


def test_nothing_before_her_time_and_then_one_email_however_often_it_sweeps(
    her, session, mailoutbox, django_capture_on_commit_callbacks
):
    insert_booking(session, berlin(TODAY, 10))

    assert sweep(berlin(TODAY, 7, 25), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    for minute in (30, 35, 40, 55):
        sweep(berlin(TODAY, 7, minute), django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    assert Effect.objects.get().key == f"morning:{her.pk}:2026-12-02"


def test_off_when_she_has_not_chosen_a_time(
    practitioner, session, mailoutbox, django_capture_on_commit_callbacks
):
    insert_booking(session, berlin(TODAY, 10))

    assert sweep(berlin(TODAY, 8), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    assert not Effect.objects.exists()


def test_a_day_without_sessions_sends_nothing(her, mailoutbox, django_capture_on_commit_callbacks):
    sweep(berlin(TODAY, 7, 30), django_capture_on_commit_callbacks)

    assert mailoutbox == []
    # Its day is still settled: a later sweep does not try again.
    assert sweep(berlin(TODAY, 8), django_capture_on_commit_callbacks) == 0


def test_turned_off_before_it_went_out_it_does_not_go_out(
    her, session, mailoutbox, django_capture_on_commit_callbacks
):
    insert_booking(session, berlin(TODAY, 10))
    with time_machine.travel(berlin(TODAY, 7, 30), tick=False):
        morning.schedule_summaries(now=berlin(TODAY, 7, 30))  # after commit: not yet run
    effect = Effect.objects.get()
    her.morning_email_at = None
    her.save(update_fields=["morning_email_at"])

    with time_machine.travel(berlin(TODAY, 7, 31), tick=False):
        effect_runs.run(effect.pk)

    assert mailoutbox == []
    effect.refresh_from_db()
    assert effect.status == Effect.Status.DONE


def test_a_worker_down_all_morning_does_not_send_it_in_the_afternoon(
    her, session, mailoutbox, django_capture_on_commit_callbacks
):
    insert_booking(session, berlin(TODAY, 16))

    assert sweep(berlin(TODAY, 14), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_her_zone_decides_her_morning(mailoutbox, django_capture_on_commit_callbacks):
    sydney = make_practitioner(timezone="Australia/Sydney", morning_email_at=time(7, 30))
    offering = make_offering(sydney, slug="sydney-call")
    # 07:30 on Thursday 3 December in Sydney is 20:30 UTC on Wednesday.
    insert_booking(offering, datetime(2026, 12, 2, 23, 0, tzinfo=UTC), client_name="Ana")

    assert (
        sweep(datetime(2026, 12, 2, 20, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 0
    )
    assert (
        sweep(datetime(2026, 12, 2, 20, 30, tzinfo=UTC), django_capture_on_commit_callbacks) == 1
    )

    [email] = mailoutbox
    assert email.subject == "Your day, Thu 3 Dec: 1 session"
    assert "10:00–10:30  Ana · Free call" in email.body
    assert Effect.objects.get().key == f"morning:{sydney.pk}:2026-12-03"


# The clocks change at 02:00 (forward) and 03:00 (back) local time in both zones, so 02:30
# does not exist on the first day and happens twice on the second.
CLOCK_CHANGES = [
    ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    ("Europe/Berlin", date(2026, 10, 25), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 10, 4), datetime(2026, 10, 3, 16, 0, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 4, 5), datetime(2026, 4, 4, 15, 30, tzinfo=UTC)),
]


@pytest.mark.parametrize(
    ("zone", "day", "first_due"),
    CLOCK_CHANGES,
    ids=["berlin-forward", "berlin-back", "sydney-forward", "sydney-back"],
)
def test_once_on_the_days_the_clocks_change(zone, day, first_due):
    """Swept every five minutes through the day: a 02:30 the clocks skip is sent at their
    03:00, a 02:30 they pass twice is sent at the first, and each once."""
    practitioner = make_practitioner(timezone=zone, morning_email_at=time(2, 30))
    midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    ticks = [midnight + timedelta(minutes=5 * n) for n in range(12 * 25)]
    scheduled_at = []
    for tick in ticks:
        if morning.schedule_summaries(now=tick):
            scheduled_at.append(tick)

    assert scheduled_at == [first_due]
    [effect] = Effect.objects.all()
    assert effect.key == f"morning:{practitioner.pk}:{day.isoformat()}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_schedule_it_once(mailoutbox):
    if connection.vendor == "sqlite":
        pytest.skip("two threads on one in-memory SQLite database share nothing real")
    practitioner = make_practitioner(morning_email_at=time(7, 30))
    offering = make_offering(practitioner, slug="call", kind=Offering.Kind.ASSESSMENT)
    insert_booking(offering, berlin(TODAY, 10))
    at = berlin(TODAY, 7, 30)
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(morning.schedule_summaries(now=at))
        finally:
            connection.close()

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(results) == [0, 1]
    assert Effect.objects.count() == 1
    assert len(mailoutbox) == 1


def test_she_picks_her_time_in_her_settings_and_can_turn_it_off(console, practitioner, now):
    page = page_text(console.get(SETTINGS))
    assert "Emails to you A morning email with your day Do not send" in page
    assert "only on days with sessions" in page

    console.post(SETTINGS, settings_post(morning_email_at="07:30"))
    practitioner.refresh_from_db()
    assert practitioner.morning_email_at == time(7, 30)
    assert '<option value="07:30" selected>' in console.get(SETTINGS).content.decode()

    console.post(SETTINGS, settings_post(morning_email_at=""))
    practitioner.refresh_from_db()
    assert practitioner.morning_email_at is None
