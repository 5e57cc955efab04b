import email
import email.policy
import logging
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from booking import booking_changes, free_calls, links
from booking.emails import changes as change_emails
from booking.emails import compose
from tests.factories import booking_emails, insert_booking, make_session_offering

THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
NOTE = "my partner controls money"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and the emails it queues on commit; return the emails sent."""

    def run(service, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**kwargs)
        return result, booking_emails(mail.outbox)

    return run


def book(send, offering, start=THURSDAY_10_BERLIN, **fields):
    defaults = {
        "client_name": "Ana Sousa",
        "client_email": "ana@example.org",
        "client_timezone": "America/New_York",
        "note": NOTE,
    }
    return send(free_calls.book_assessment, offering=offering, start=start, **(defaults | fields))


def split(messages):
    """(client's email, practitioner's email)."""
    [client] = [m for m in messages if m.to == ["ana@example.org"]]
    [practitioner] = [m for m in messages if m.to == ["mara@example.org"]]
    return client, practitioner


def as_sent(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def text(message) -> str:
    return message.body


def words(message) -> str:
    """The text part without its links: what the reader reads, not the links' own data."""
    return re.sub(r"https?://\S+", "<link>", message.body)


def html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def invite(sent: email.message.EmailMessage):
    """The one calendar part of a message as received: (its MIME part, its VEVENT)."""
    [part] = [p for p in sent.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.events
    return part, calendar, event


def everything(message) -> str:
    """Every header and every decoded part of the message as it goes out, .ics unfolded."""
    sent = as_sent(message)
    chunks = [f"{name}: {value}" for name, value in sent.items()]
    for part in sent.walk():
        if not part.is_multipart():
            chunks.append(part.get_content())
    return "\n".join(chunks).replace("\r\n ", "")


def test_booking_emails_both_sides_with_a_calendar_request(assessment, now, send):
    booking, messages = book(send, assessment)
    client, practitioner = split(messages)

    assert client.subject == (
        "Confirmed: your call with Lindqvist Coaching on Thu 3 Dec, 4:00 AM (New York time)"
    )
    assert practitioner.subject == "Confirmed: new booking on Thu 3 Dec, 10:00 (Berlin time)"
    for message in (client, practitioner):
        part, calendar, event = invite(as_sent(message))
        assert part.get_filename() == "invite.ics"
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"
        assert part.get_param("charset").lower() == "utf-8"
        assert calendar["METHOD"] == "REQUEST"
        assert event.uid == booking.ical_uid
        assert event.start == booking.start == THURSDAY_10_BERLIN
        assert event.end == booking.end
        assert str(event["ORGANIZER"]) == "mailto:mara@example.org"
        assert [str(a) for a in event.attendees] == ["mailto:ana@example.org"]
    assert invite(as_sent(client))[2]["SUMMARY"] == "Call with Lindqvist Coaching"
    assert invite(as_sent(practitioner))[2]["SUMMARY"] == "Ana · Free assessment call"
    assert client.reply_to == ["mara@example.org"]
    assert practitioner.reply_to == ["ana@example.org"]


def test_each_email_shows_both_local_times(assessment, now, send):
    _, messages = book(send, assessment)
    client, practitioner = split(messages)

    assert "Thursday 3 December, 4:00–4:30 AM (New York time) · 10:00–10:30 in Berlin" in text(
        client
    )
    assert "Thursday 3 December, 4:00–4:30 AM (New York time)" in html(client)
    assert "10:00–10:30 in Berlin" in html(client)
    assert "Thursday 3 December, 10:00–10:30 (Berlin time) · 4:00–4:30 AM in New York" in text(
        practitioner
    )
    assert "Thursday 3 December, 10:00–10:30 (Berlin time)" in html(practitioner)
    assert "4:00–4:30 AM in New York" in html(practitioner)


@pytest.fixture
def early_march():
    """A Monday in March 2026: New York moves to summer time on the 8th, Berlin on the 29th."""
    moment = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=True):
        yield moment


def test_local_times_are_right_when_only_new_york_has_changed_clocks(
    assessment, early_march, send
):
    # 10:00 in Berlin (UTC+1) is 05:00 in New York (UTC−4): five hours apart, not six.
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    booking, messages = book(send, assessment, start=start)
    client, practitioner = split(messages)

    assert client.subject.endswith("on Tue 10 Mar, 5:00 AM (New York time)")
    assert "Tuesday 10 March, 5:00–5:30 AM (New York time) · 10:00–10:30 in Berlin" in text(client)
    assert practitioner.subject.endswith("on Tue 10 Mar, 10:00 (Berlin time)")
    assert "Tuesday 10 March, 10:00–10:30 (Berlin time) · 5:00–5:30 AM in New York" in text(
        practitioner
    )
    assert "5:00–5:30 AM in New York" in html(practitioner)
    _, _, event = invite(as_sent(client))
    assert event.start == start
    assert event.start.astimezone(ZoneInfo("America/New_York")).hour == 5


def test_the_client_gets_the_video_link_the_manage_link_and_the_cut_off(assessment, now, send):
    booking, messages = book(send, assessment)
    client, _ = split(messages)
    manage_url = links.manage_url(booking)

    for body in (text(client), html(client)):
        assert "Hi Ana Sousa," in body
        assert "https://video.example.org/mara" in body
        assert manage_url in body
        assert (
            "You can change or cancel online until "
            "Wednesday 2 December, 4:00 AM (New York time)." in body
        )
        assert "Reply to this email and Mara will get back to you." in body


def test_without_her_own_contact_words_the_email_says_to_reply(assessment, now, send):
    practitioner = assessment.practitioner
    practitioner.contact_note = ""
    practitioner.save(update_fields=["contact_note"])

    _, messages = book(send, assessment)
    client, _ = split(messages)

    for body in (text(client), html(client)):
        assert f"Reply to this email to reach {practitioner.practice_name}." in body


def test_the_manage_link_in_the_email_opens(assessment, now, send, client):
    booking, messages = book(send, assessment)
    client_email, _ = split(messages)
    path = links.manage_path(booking)

    assert "http://testserver" + path in text(client_email)
    assert client.get(path).status_code == 200


def test_too_close_to_the_start_the_email_says_so_instead_of_offering_the_link(
    assessment, now, send
):
    assessment.practitioner.manage_cutoff = timedelta(hours=48)
    assessment.practitioner.save()
    booking, messages = book(send, assessment)
    client, _ = split(messages)

    assert links.manage_url(booking) not in text(client)
    assert links.manage_url(booking) not in html(client)
    assert booking_changes.TOO_LATE_TO_CHANGE in text(client)
    assert "Reply to this email and Mara will get back to you." in text(client)


def test_the_practitioner_gets_the_client_and_the_booking_in_her_console(assessment, now, send):
    booking, messages = book(send, assessment)
    _, practitioner = split(messages)
    path = reverse("console:booking", kwargs={"public_id": booking.public_id})

    for body in (text(practitioner), html(practitioner)):
        assert "Ana Sousa" in body
        assert "ana@example.org" in body
        assert "Free assessment call" in body
        assert "http://testserver" + path in body
    # Her copy of the invite does not hold the client's key to the booking.
    assert links.manage_path(booking) not in everything(practitioner)
    assert "/admin/" not in everything(practitioner)


def test_a_reschedule_updates_the_same_event_and_says_what_changed(assessment, now, send):
    booking, first = book(send, assessment)
    new_start = THURSDAY_10_BERLIN + timedelta(days=1, hours=2)
    moved, messages = send(booking_changes.reschedule, booking=booking, new_start=new_start)
    client, practitioner = split(messages)

    assert client.subject == (
        "Updated: your call with Lindqvist Coaching is now on Fri 4 Dec, 6:00 AM (New York time)"
    )
    assert practitioner.subject == "Updated: booking moved to Fri 4 Dec, 12:00 (Berlin time)"
    _, _, before = invite(as_sent(split(first)[0]))
    for message in (client, practitioner):
        part, calendar, event = invite(as_sent(message))
        assert part.get_param("method") == "REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        assert event.uid == before.uid == booking.ical_uid
        assert event.sequence > before.sequence
        assert event.start == new_start
    assert "Friday 4 December, 6:00–6:30 AM (New York time)" in text(client)
    assert "Before: Thursday 3 December, 4:00–4:30 AM (New York time)" in text(client)
    assert "moved by the client" in text(practitioner)
    # The old link no longer works; the email carries the new one.
    assert links.manage_url(moved) in text(client)


def test_a_cancellation_cancels_the_event_in_both_calendars(assessment, now, send):
    booking, _ = book(send, assessment)
    cancelled, messages = send(booking_changes.cancel, booking=booking)
    client, practitioner = split(messages)

    assert client.subject == (
        "Cancelled: your call with Lindqvist Coaching on Thu 3 Dec, 4:00 AM (New York time)"
    )
    assert practitioner.subject == "Cancelled: booking on Thu 3 Dec, 10:00 (Berlin time)"
    for message in (client, practitioner):
        part, calendar, event = invite(as_sent(message))
        assert part.get_param("method") == "CANCEL"
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event.uid == booking.ical_uid
        assert event.sequence == 1
    assert "/booking/" not in everything(client)  # no manage link: it is void now
    assert "http://testserver/book/assessment/" in text(client)
    assert "cancelled by the client" in text(practitioner)


def test_the_clients_note_never_leaves_in_any_email(assessment, now, send):
    booking, booked = book(send, assessment)
    _, moved = send(
        booking_changes.reschedule,
        booking=booking,
        new_start=THURSDAY_10_BERLIN + timedelta(hours=1),
    )
    _, cancelled = send(booking_changes.cancel, booking=booking)

    messages = booked + moved + cancelled
    assert len(messages) == 6
    for message in messages:
        sent = everything(message)
        assert "Ana Sousa" in sent or "ana@example.org" in sent  # the check reads real text
        assert NOTE not in sent
        assert "partner" not in sent
        assert "money" not in sent


def test_names_are_not_html_escaped_in_the_plain_text(assessment, now, send):
    _, messages = book(send, assessment, client_name="Zoë O'Brien & co")
    client, practitioner = split(messages)

    assert "Hi Zoë O'Brien & co," in text(client)
    assert "Hi Zoë O&#x27;Brien &amp; co," in html(client)
    assert "Zoë O'Brien & co <ana@example.org>" in text(practitioner)


def test_no_personal_data_is_logged(assessment, now, send, caplog):
    caplog.set_level(logging.DEBUG)
    booking, _ = book(send, assessment)
    send(booking_changes.cancel, booking=booking)

    assert "email of booking" in caplog.text
    for private in ("Ana", "ana@example.org", NOTE, "America/New_York"):
        assert private not in caplog.text


def test_a_confirmation_overtaken_by_a_cancellation_is_not_sent(assessment, now, send):
    booking, _ = book(send, assessment)
    send(booking_changes.cancel, booking=booking)
    mail.outbox.clear()

    booking.refresh_from_db()
    for recipient in change_emails.RECIPIENTS:
        message = change_emails.change_message(
            booking, change="confirmed", recipient=recipient, now=now
        )
        assert message is None


def test_an_unknown_change_is_refused(assessment, now, send):
    booking, _ = book(send, assessment)
    with pytest.raises(ValueError, match="Unknown booking change 'moved'"):
        change_emails.change_message(booking, change="moved", recipient="client", now=now)


@pytest.mark.parametrize(
    ("start", "end", "zone", "other", "expected"),
    [
        (
            datetime(2026, 12, 3, 15, 30, tzinfo=UTC),
            datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
            "Asia/Tokyo",
            "Europe/Berlin",
            "Friday 4 December, 00:30–01:00 (Tokyo time)"
            " · Thursday 3 December, 16:30–17:00 in Berlin",
        ),
        (
            datetime(2026, 12, 3, 22, 30, tzinfo=UTC),
            datetime(2026, 12, 3, 23, 0, tzinfo=UTC),
            "Europe/Berlin",
            "Europe/Berlin",
            "Thursday 3 December, 23:30–00:00 (Berlin time)",
        ),
        (
            datetime(2026, 12, 3, 22, 45, tzinfo=UTC),
            datetime(2026, 12, 3, 23, 15, tzinfo=UTC),
            "Europe/Berlin",
            "UTC",
            "Thursday 3 December, 23:45 – Friday 4 December, 00:15 (Berlin time)"
            " · 22:45–23:15 in UTC",
        ),
    ],
)
def test_a_span_is_written_in_each_zone(start, end, zone, other, expected):
    assert compose.format_span_in_two_zones(start, end, zone, other) == expected


def test_a_naive_time_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="aware"):
        compose.format_span(
            datetime(2026, 12, 3, 9, 0),  # noqa: DTZ001
            datetime(2026, 12, 3, 9, 30),  # noqa: DTZ001
            "Europe/Berlin",
        )


def test_the_invite_arrives_through_a_real_smtp_server(assessment, now, smtp_sink, send):
    booking, _ = book(send, assessment)

    # The booking's two emails, and the client's intake invitation beside them.
    assert sorted(rcpt for e in smtp_sink.envelopes for rcpt in e.rcpt_tos) == [
        "ana@example.org",
        "ana@example.org",
        "mara@example.org",
    ]
    for envelope in smtp_sink.envelopes:
        assert NOTE not in envelope.content.decode()
    received = [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in smtp_sink.envelopes
    ]
    with_invite = [
        m for m in received if any(p.get_content_type() == "text/calendar" for p in m.walk())
    ]
    assert len(with_invite) == 2
    for message in with_invite:
        part, calendar, event = invite(message)
        assert part.get_filename() == "invite.ics"
        assert part.get_param("method") == "REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        assert event.uid == booking.ical_uid
        assert event.start == THURSDAY_10_BERLIN


def test_a_refused_client_address_still_lets_the_practitioner_know(
    assessment, now, smtp_sink, send, caplog
):
    smtp_sink.refuse.add("ana@example.org")
    caplog.set_level(logging.DEBUG)
    book(send, assessment)

    assert [envelope.rcpt_tos for envelope in smtp_sink.envelopes] == [["mara@example.org"]]
    # Ours and the task runner's lines (with tracebacks), not the test SMTP server's.
    formatter = logging.Formatter()
    logged = "\n".join(
        formatter.format(record) for record in caplog.records if record.name != "mail.log"
    )
    assert "(booking.client_email) failed on attempt 1: SMTPRecipientsRefused" in logged
    assert "ana@example.org" not in logged


def test_a_session_is_called_a_session_in_its_emails_and_invite(practitioner, now):
    session = make_session_offering(practitioner)
    booking = insert_booking(session, THURSDAY_10_BERLIN, email="ana@example.org")
    client = change_emails.client_message(booking, change=change_emails.CONFIRMED, now=now)
    practitioner_copy = change_emails.practitioner_message(booking, change=change_emails.CONFIRMED)

    assert client.subject.startswith("Confirmed: your session with Lindqvist Coaching on ")
    assert "Your session with Lindqvist Coaching is booked." in text(client)
    assert "Your session with Lindqvist Coaching is booked." in html(client)
    for message, title in (
        (client, "Session with Lindqvist Coaching"),
        (practitioner_copy, "Sam · Single session"),
    ):
        _, _, event = invite(as_sent(message))
        assert event["SUMMARY"] == title
        assert "puts the session in your calendar" in text(message)
        assert "call" not in words(message).replace("Join the call", "").lower()


def test_the_practitioner_is_told_who_the_partner_of_a_couples_session_is(practitioner, now):
    couples = make_session_offering(
        practitioner, slug="couples", name="Couples session", kind="couples_session"
    )
    booking = insert_booking(
        couples,
        THURSDAY_10_BERLIN,
        email="ana@example.org",
        partner_name="Robin Partnerson",
        partner_email="robin@example.org",
    )
    client = change_emails.client_message(booking, change=change_emails.CONFIRMED, now=now)
    practitioner_copy = change_emails.practitioner_message(booking, change=change_emails.CONFIRMED)

    for body in (text(practitioner_copy), html(practitioner_copy)):
        assert "With their partner: Robin Partnerson" in body
        assert "robin@example.org" in body
    assert "Partnerson" not in text(client)  # the client's own email need not repeat it


def test_a_couples_partner_gets_their_own_invite_its_update_and_its_cancellation(
    practitioner, now, send
):
    couples = make_session_offering(
        practitioner, slug="couples", name="Couples session", kind="couples_session", price=0
    )
    booking = insert_booking(
        couples,
        THURSDAY_10_BERLIN,
        email="ana@example.org",
        client_name="Ana Sousa",
        partner_name="Robin Partnerson",
        partner_email="robin@example.org",
        client_timezone="America/New_York",
    )
    _, moved = send(
        booking_changes.reschedule,
        booking=booking,
        new_start=THURSDAY_10_BERLIN + timedelta(days=1),
    )
    _, cancelled = send(booking_changes.cancel, booking=booking, actor="practitioner")

    for messages, method, sequence in ((moved, "REQUEST", 1), (cancelled, "CANCEL", 2)):
        [partner] = [m for m in messages if m.to == ["robin@example.org"]]
        _, calendar, event = invite(as_sent(partner))
        assert calendar["METHOD"] == method
        assert event.uid == booking.ical_uid
        assert event["SEQUENCE"] == sequence
        assert [str(a) for a in event.attendees] == ["mailto:robin@example.org"]
        body = everything(partner)
        assert "Hi Robin Partnerson" in body
        assert "ana@example.org" not in body
        assert links.manage_path(booking) not in body
        assert NOTE not in body
    [client] = [m for m in cancelled if m.to == ["ana@example.org"]]
    assert "robin@example.org" not in everything(client)


@pytest.mark.parametrize(
    ("actor", "sentence"),
    [
        ("client", "Your call with Lindqvist Coaching is cancelled."),
        (
            "practitioner",
            "Dr. Mara Lindqvist had to cancel your call with Lindqvist Coaching, "
            "and is sorry for it.",
        ),
    ],
)
def test_the_client_is_told_who_cancelled(assessment, now, send, actor, sentence):
    booking, _ = book(send, assessment)
    _, messages = send(booking_changes.cancel, booking=booking, actor=actor)
    client, _ = split(messages)
    assert sentence in text(client)
    assert sentence in html(client)


def test_a_time_moved_by_the_practice_says_so(assessment, now, send):
    booking, _ = book(send, assessment)
    _, messages = send(
        booking_changes.reschedule,
        booking=booking,
        new_start=THURSDAY_10_BERLIN + timedelta(days=1),
        actor="practitioner",
    )
    client, _ = split(messages)
    assert "has moved your call with Lindqvist Coaching to a new time." in text(client)
    assert "has moved your call with Lindqvist Coaching to a new time." in html(client)
    assert "sorry" not in text(client) and "had to" not in text(client)


def test_an_email_names_the_year_only_when_it_is_not_this_year_for_its_reader(assessment, now):
    """New Year's Eve 20:00 UTC is 1 January 2027 in Tokyo (the client) but still 31 December
    2026 in Berlin (the practitioner): each reads the year only when it is not theirs."""
    booking = insert_booking(
        assessment,
        datetime(2026, 12, 31, 20, 0, tzinfo=UTC),
        email="ana@example.org",
        client_name="Ana Sousa",
        client_timezone="Asia/Tokyo",
    )
    client, practitioner = (
        change_emails.change_message(booking, change="confirmed", recipient=recipient, now=now)
        for recipient in (change_emails.CLIENT, change_emails.PRACTITIONER)
    )

    assert "Fri 1 Jan 2027, 05:00 (Tokyo time)" in client.subject
    assert (
        "Friday 1 January 2027, 05:00–05:30 (Tokyo time) · Thursday 31 December, 21:00–21:30"
        " in Berlin" in text(client)
    )
    assert "Friday 1 January 2027, 05:00–05:30 (Tokyo time)" in html(client)
    assert "Thu 31 Dec, 21:00 (Berlin time)" in practitioner.subject
    assert (
        "Thursday 31 December, 21:00–21:30 (Berlin time) · Friday 1 January 2027, 05:00–05:30"
        " in Tokyo" in text(practitioner)
    )
    assert "2026" not in words(client) + words(practitioner)


def test_an_email_this_year_leaves_the_year_out(assessment, now, send):
    _, messages = book(send, assessment)
    client, practitioner = split(messages)

    assert "Thu 3 Dec, 4:00 AM (New York time)" in client.subject
    assert "Thursday 3 December, 4:00–4:30 AM (New York time)" in text(client)
    assert "2026" not in client.subject + words(client) + practitioner.subject + words(
        practitioner
    )
