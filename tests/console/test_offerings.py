"""Her offerings in the console: what each action changes, as clients and she would notice."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from booking import booking_changes, free_calls, links, selectors
from booking.payments.models import Payment, RefundTier
from booking.video_rooms import PATTERN_NEEDS_ONE_ROOM, PATTERN_NOT_HTTPS
from console.offering_forms import NEGATIVE_PRICE, NOT_MONOTONIC
from practice.models import Offering
from tests.booking.test_notifications import as_sent, invite
from tests.factories import booking_emails, insert_booking, make_session_offering

NEW = reverse("console:offering_new")
LIST = reverse("console:offerings")
THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def form_data(**changes) -> dict:
    """Everything the form posts for a paid 50-minute session with 48 h / 24 h terms."""
    data = {
        "name": "Intensive session",
        "description": "Ninety minutes for what needs more room.",
        "kind": "session",
        "duration_minutes": "90",
        "is_paid": "1",
        "price": "150.00",
        "currency": "CHF",
        "returning_clients_only": "0",
        "questionnaire_id": "",
        "buffer_before_minutes_0": "0",
        "buffer_before_minutes_1": "minutes",
        "buffer_after_minutes_0": "30",
        "buffer_after_minutes_1": "minutes",
        "min_notice_minutes_0": "2",
        "min_notice_minutes_1": "days",
        "horizon_minutes_0": "2",
        "horizon_minutes_1": "weeks",
        "daily_cap": "1",
        "slot_step_minutes": "60",
        "video_link": "",
        "video_room_pattern": "https://meet.jit.si/mara-{room}",
        "tier_1_notice_0": "48",
        "tier_1_notice_1": "hours",
        "tier_1_percent": "100",
        "tier_2_notice_0": "1",
        "tier_2_notice_1": "days",
        "tier_2_percent": "50",
    }
    for row in (3, 4):
        data |= {f"tier_{row}_notice_0": "", f"tier_{row}_notice_1": "hours"}
        data[f"tier_{row}_percent"] = ""
    return data | changes


def test_a_new_paid_offering_with_terms_and_rules_is_bookable_by_its_rules(
    console, practitioner, assessment, now, client
):
    response = console.post(NEW, form_data())
    assert response.status_code == 302

    offering = Offering.objects.get(name="Intensive session")
    assert offering.slug == "intensive-session"
    assert (offering.price, offering.currency, offering.duration_minutes) == (
        Decimal("150.00"),
        "CHF",
        90,
    )
    assert offering.position == assessment.position + 1
    assert list(
        RefundTier.objects.filter(offering=offering).values_list(
            "min_hours_before_start", "refund_percent"
        )
    ) == [(48, 100), (24, 50)]

    listing = console.get(LIST).content.decode()
    assert "Intensive session" in listing
    assert "150.00 CHF" in listing
    assert "30 minutes kept free after; booked at least 2 days ahead" in listing
    assert "48 hours or more before the start: a full refund" in listing

    api = client.get("/api/v1/offerings").json()["offerings"]
    assert "intensive-session" in [o["slug"] for o in api]
    assert "Intensive session" in client.get("/").content.decode()
    slots_page = client.get(reverse("booking:slots", args=["intensive-session"])).content.decode()
    assert "Ninety minutes for what needs more room." in slots_page

    slots = selectors.available_slots(
        offering=offering, start=now, end=now + timedelta(days=30), now=now
    )
    assert slots, "it can be booked"
    first = min(slot.start for slot in slots)
    assert first >= now + timedelta(days=2), "two days' notice"
    assert max(slot.start for slot in slots) < now + timedelta(days=15), "two weeks ahead"
    assert all(slot.start.minute == 0 for slot in slots), "start times every hour"

    # A daily cap of one: a booking on a day takes that day's other times away.
    insert_booking(offering, first)
    after = selectors.available_slots(
        offering=offering, start=now, end=now + timedelta(days=30), now=now
    )
    assert first.date() not in {slot.start.date() for slot in after}


def test_the_form_says_back_terms_and_rules_before_saving(console, practitioner):
    response = console.post(NEW, form_data(preview="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "48 hours or more before the start: a full refund" in page
    assert "24 to 48 hours before: 50 % back" in page
    assert "Less than 24 hours before: no refund" in page
    assert "Up to 2 weeks ahead" in page or "up to 2 weeks ahead" in page
    assert not Offering.objects.filter(name="Intensive session").exists()


def test_editing_changes_what_new_bookings_get_and_leaves_payments_alone(
    console, practitioner, now
):
    session = make_session_offering(practitioner)
    booking = insert_booking(session, THURSDAY_10_BERLIN)
    Payment.objects.create(
        booking=booking, amount=Decimal("120.00"), currency="EUR", state="paid", created_at=now
    )
    edit = reverse("console:offering_edit", args=[session.pk])

    page = console.get(edit).content.decode()
    assert "It has bookings, so its kind stays as it is." in page

    response = console.post(
        edit,
        form_data(
            name="Single session (50 min)",
            kind="couples_session",
            duration_minutes="50",
            price="140.00",
            currency="EUR",
            returning_clients_only="1",
            video_room_pattern="",
            video_link="https://meet.example.org/room",
        ),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.name == "Single session (50 min)"
    assert session.kind == "session", "the kind stays while it has bookings"
    assert session.price == Decimal("140.00")
    assert session.returning_clients_only
    assert session.video_link == "https://meet.example.org/room"
    assert session.slug == "session", "links already sent keep working"
    payment = Payment.objects.get(booking=booking)
    assert (payment.amount, payment.currency) == (Decimal("120.00"), "EUR")


def test_a_free_offering_asks_no_currency_and_shows_free(console, practitioner):
    console.post(NEW, form_data(name="Hello call", is_paid="0", price="", currency=""))
    offering = Offering.objects.get(name="Hello call")
    assert offering.price == 0
    assert offering.is_free
    assert "<dd>Free</dd>" in console.get(LIST).content.decode()


def test_pausing_hides_it_from_the_public_pages_but_keeps_its_bookings(
    console, practitioner, assessment, client, now
):
    booking = insert_booking(assessment, THURSDAY_10_BERLIN)
    pause = reverse("console:offering_pause", args=[assessment.pk])

    response = console.post(pause, {"paused": "1"}, follow=True)
    assert "is paused: no one can book it now" in response.content.decode()
    assert "Paused" in response.content.decode()
    assert "Book a free assessment call" not in client.get("/").content.decode()
    assert client.get("/api/v1/offerings").json()["offerings"] == []
    assert client.get(reverse("booking:slots", args=["assessment"])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert client.get(links.manage_path(booking)).status_code == 200

    console.post(pause, {"paused": "0"})
    assert "Book a free assessment call" in client.get("/").content.decode()


def test_moving_changes_the_order_clients_and_she_see(console, practitioner, assessment):
    session = make_session_offering(practitioner, position=1)
    console.post(reverse("console:offering_move", args=[session.pk]), {"direction": "up"})
    names = [o.name for o in Offering.objects.order_by("position")]
    assert names == ["Single session", "Free assessment call"]
    page = console.get(LIST).content.decode()
    assert page.index("Single session") < page.index("Free assessment call")

    console.post(reverse("console:offering_move", args=[session.pk]), {"direction": "down"})
    assert [o.name for o in Offering.objects.order_by("position")] == [
        "Free assessment call",
        "Single session",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "-5"}, NEGATIVE_PRICE),
        ({"tier_2_percent": "100", "tier_1_percent": "50"}, NOT_MONOTONIC),
        ({"video_room_pattern": "https://meet.jit.si/mara"}, PATTERN_NEEDS_ONE_ROOM),
        ({"video_room_pattern": "https://meet.jit.si/{room}-{room}"}, PATTERN_NEEDS_ONE_ROOM),
        ({"video_room_pattern": "http://meet.jit.si/{room}"}, PATTERN_NOT_HTTPS),
        ({"name": ""}, "This field is required."),
        ({"min_notice_minutes_0": "-3"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_input_comes_back_with_its_error_and_changes_nothing(
    console, practitioner, assessment, changes, message
):
    edit = reverse("console:offering_edit", args=[assessment.pk])
    before = Offering.objects.values().get(pk=assessment.pk)
    for url in (NEW, edit):
        response = console.post(url, form_data(**changes))
        page = response.content.decode()
        assert response.status_code == 400
        assert "to fix before we can save this offering" in page
        assert message.replace("'", "&#x27;") in page
    assert Offering.objects.count() == 1
    assert Offering.objects.values().get(pk=assessment.pk) == before
    assert not RefundTier.objects.exists()


def test_another_practitioners_offering_is_not_found(console, practitioner):
    from tests.factories import make_practitioner

    other = make_practitioner(email="other@example.org")
    theirs = make_session_offering(other, slug="theirs")
    assert console.get(reverse("console:offering_edit", args=[theirs.pk])).status_code == 404
    pause = reverse("console:offering_pause", args=[theirs.pk])
    assert console.post(pause, {"paused": "1"}).status_code == 404


def test_a_client_cannot_reach_the_offerings(client, practitioner):
    from tests.console.support import make_account

    client.force_login(make_account("sam@example.org"))
    assert client.get(LIST).status_code == 404
    assert client.post(NEW, form_data()).status_code == 404
    assert not Offering.objects.exists()


def test_a_chosen_questionnaire_or_none_is_what_the_booking_gets(
    console, practitioner, assessment, now, django_capture_on_commit_callbacks
):
    from intake.models import Assignment
    from intake.services import questionnaire_for

    edit = reverse("console:offering_edit", args=[assessment.pk])
    free_call = {"kind": "assessment", "is_paid": "0", "price": "", "video_room_pattern": ""}
    console.post(edit, form_data(name="Free call", questionnaire_id="full", **free_call))
    with django_capture_on_commit_callbacks(execute=True):
        first = free_calls.book_assessment(
            offering=assessment,
            start=THURSDAY_10_BERLIN,
            client_name="Ana Sousa",
            client_email="ana@example.org",
            client_timezone="Europe/Lisbon",
            note="",
        )
    [assignment] = Assignment.objects.filter(booking=first)
    assert questionnaire_for(assignment).id == "full"

    console.post(edit, form_data(name="Free call", questionnaire_id="none", **free_call))
    with django_capture_on_commit_callbacks(execute=True):
        second = free_calls.book_assessment(
            offering=assessment,
            start=THURSDAY_10_BERLIN + timedelta(hours=2),
            client_name="Bo Berg",
            client_email="bo@example.org",
            client_timezone="Europe/Lisbon",
            note="",
        )
    assert not Assignment.objects.filter(booking=second).exists()


def test_each_booking_of_a_pattern_offering_gets_its_own_room_everywhere(
    console, practitioner, assessment, now, client, django_capture_on_commit_callbacks
):
    edit = reverse("console:offering_edit", args=[assessment.pk])
    console.post(
        edit,
        form_data(
            name="Free call",
            kind="assessment",
            is_paid="0",
            price="",
            video_link="",
            video_room_pattern="https://meet.jit.si/mara-{room}",
            min_notice_minutes_0="1",
            min_notice_minutes_1="hours",
            daily_cap="",
        ),
    )
    rooms = []
    for start, email in (
        (THURSDAY_10_BERLIN, "ana@example.org"),
        (THURSDAY_10_BERLIN + timedelta(hours=2), "bo@example.org"),
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            booking = free_calls.book_assessment(
                offering=assessment,
                start=start,
                client_name="Ana Sousa",
                client_email=email,
                client_timezone="America/New_York",
                note="",
            )
        [to_client] = [m for m in booking_emails(mail.outbox) if m.to == [email]]
        sent = as_sent(to_client)
        _part, _calendar, event = invite(sent)
        in_invite = str(event["URL"])
        assert in_invite.startswith("https://meet.jit.si/mara-")
        assert len(in_invite) > len("https://meet.jit.si/mara-") + 12
        assert in_invite in to_client.body
        assert in_invite in to_client.alternatives[0][0]
        assert str(event["LOCATION"]) == in_invite
        assert in_invite in client.get(links.manage_path(booking)).content.decode()
        rooms.append(in_invite)

    assert rooms[0] != rooms[1], "another booking, another room"
    assert "{room}" not in rooms[0]


def test_a_fixed_room_is_the_same_for_every_booking(assessment, now):
    from booking.video_rooms import video_link_for

    first = insert_booking(assessment, THURSDAY_10_BERLIN)
    second = insert_booking(assessment, THURSDAY_10_BERLIN + timedelta(hours=2))
    assert video_link_for(first) == video_link_for(second) == "https://video.example.org/mara"


def test_a_booking_keeps_its_room_when_it_moves(assessment, now):
    from booking.video_rooms import video_link_for

    assessment.video_room_pattern = "https://meet.jit.si/mara-{room}"
    assessment.min_notice_minutes = 60
    assessment.save()
    booking = free_calls.book_assessment(
        offering=assessment,
        start=THURSDAY_10_BERLIN,
        client_name="Ana Sousa",
        client_email="ana@example.org",
        client_timezone="Europe/Lisbon",
        note="",
    )
    room = video_link_for(booking)
    moved = booking_changes.reschedule(
        booking=booking, new_start=THURSDAY_10_BERLIN + timedelta(hours=3)
    )
    assert video_link_for(moved) == room
