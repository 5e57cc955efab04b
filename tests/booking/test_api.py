"""The JSON API's contract: every endpoint, every error code, exact bodies.

Time is frozen at Wednesday 2026-12-02 08:00 UTC (``now``); the practitioner works Mon–Fri
09:00–17:00 Berlin time, and the free assessment call needs 12 hours' notice and can be
booked up to 60 days ahead.
"""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, reverse

from booking import api, api_forms, free_calls, links, selectors
from booking import forms as fields
from booking.models import AvailabilityRule, Booking, BusyBlock, DateOverride, TimeOff
from booking.selectors import booking_note
from tests.factories import (
    insert_booking,
    make_offering,
    make_practitioner,
    make_session_offering,
)

# Thursday 2026-12-03, 10:00 in Berlin (UTC+1), 04:00 in New York (UTC-5).
THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
UNKNOWN_ZONE = "Unknown time zone. Pick one from the list, like Europe/Berlin."
REQUIRED = "This field is required."

BOOKING = {
    "offering": "assessment",
    "start": "2026-12-03T04:00:00-05:00",
    "name": "Ana",
    "email": "ana@example.org",
    "timezone": "America/New_York",
    "note": "Trust after a breakup",
    "consent": True,
}


@pytest.fixture
def api_client():
    """A client that enforces CSRF like a browser would, with no cookies at all."""
    return Client(enforce_csrf_checks=True)


def url(name: str) -> str:
    return reverse(f"api:{name}")


def get_slots(client, **params):
    return client.get(url("slots"), {"offering": "assessment", **params})


def post_booking(client, body=None, **fields):
    data = json.dumps(BOOKING | fields) if body is None else body
    # The header too: the test client leaves Content-Type out when the body is empty.
    return client.post(
        url("bookings"),
        data=data,
        content_type="application/json",
        headers={"Content-Type": "application/json"},
    )


def slots(day: str, first: str, count: int, offset: str, minutes: int = 30) -> list[dict]:
    """``count`` back-to-back slots written out as the API should give them (plain string
    arithmetic on wall times, so the expectation does not reuse the code under test)."""
    start = datetime.fromisoformat(f"{day}T{first}")
    length = timedelta(minutes=minutes)
    return [
        {
            "start": f"{(start + i * length).isoformat()}{offset}",
            "end": f"{(start + (i + 1) * length).isoformat()}{offset}",
        }
        for i in range(count)
    ]


# The document's schemas, checked against real answers: a small validator for the subset
# of JSON Schema the document uses.


def resolve(ref: str) -> dict:
    node = api.DOCUMENT
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def assert_matches(value, schema: dict, where: str = "body") -> None:
    if "$ref" in schema:
        return assert_matches(value, resolve(schema["$ref"]), where)
    if "oneOf" in schema:
        fits = []
        for option in schema["oneOf"]:
            try:
                assert_matches(value, option, where)
            except AssertionError:
                continue
            fits.append(option)
        assert len(fits) == 1, f"{where}: fits {len(fits)} of oneOf"
        return None
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], where
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    python = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "boolean": bool,
        "null": type(None),
    }
    if types:
        assert any(isinstance(value, python[t]) for t in types), f"{where}: {value!r} {types}"
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), where
    if isinstance(value, str) and schema.get("format") == "date-time":
        assert datetime.fromisoformat(value).utcoffset() is not None, where
    if isinstance(value, dict):
        assert set(schema.get("required", ())) <= set(value), where
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                assert_matches(item, properties[key], f"{where}.{key}")
            else:
                assert extra is not False, f"{where}: {key} is not documented"
                if isinstance(extra, dict):
                    assert_matches(item, extra, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            assert_matches(item, schema["items"], f"{where}[{index}]")


def assert_documented(response, path: str, method: str) -> None:
    """The answer is JSON and fits the schema the document gives for its status."""
    assert response["Content-Type"] == "application/json"
    operation = api.DOCUMENT["paths"][path][method]
    documented = operation["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = resolve(documented["$ref"])
    assert_matches(response.json(), documented["content"]["application/json"]["schema"])


# GET /offerings


def test_offerings_lists_the_active_ones_in_order_with_prices_as_text(
    api_client, practitioner, assessment
):
    make_session_offering(practitioner, position=1)
    make_offering(practitioner, slug="retired", name="Retired call", is_active=False)

    response = api_client.get(url("offerings"))

    assert response.status_code == 200
    assert response.json() == {
        "offerings": [
            {
                "slug": "assessment",
                "name": "Free assessment call",
                "kind": "assessment",
                "duration_minutes": 30,
                "price": "0.00",
                "currency": "EUR",
                "returning_clients_only": False,
            },
            {
                "slug": "session",
                "name": "Single session",
                "kind": "session",
                "duration_minutes": 60,
                "price": "120.00",
                "currency": "EUR",
                "returning_clients_only": True,
            },
        ]
    }
    assert_documented(response, "/offerings", "get")


def test_head_is_answered_like_get(api_client, assessment):
    response = api_client.head(url("offerings"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


# GET /slots


def test_slots_are_given_with_the_offset_of_the_zone_asked_for(api_client, assessment, now):
    response = get_slots(
        api_client, start="2026-12-03", end="2026-12-03", timezone="America/New_York"
    )

    assert response.status_code == 200
    assert response.json() == {
        "offering": "assessment",
        "timezone": "America/New_York",
        # Berlin 09:00–17:00 is 03:00–11:00 in New York in December.
        "slots": slots("2026-12-03", "03:00", 16, "-05:00"),
    }
    assert_documented(response, "/slots", "get")


def test_slots_default_to_the_practitioners_zone(api_client, assessment, now):
    response = get_slots(api_client, start="2026-12-03", end="2026-12-03")

    assert response.status_code == 200
    assert response.json() == {
        "offering": "assessment",
        "timezone": "Europe/Berlin",
        "slots": slots("2026-12-03", "09:00", 16, "+01:00"),
    }


def test_the_dates_asked_for_are_days_in_the_zone_asked_for(api_client, assessment, now):
    # Thursday in Tokyo ends at 15:00 UTC, 16:00 in Berlin: the last hour is Friday there.
    response = get_slots(api_client, start="2026-12-03", end="2026-12-03", timezone="Asia/Tokyo")

    assert response.json()["slots"] == slots("2026-12-03", "17:00", 14, "+09:00")


def test_the_end_date_is_included(api_client, assessment, now):
    response = get_slots(api_client, start="2026-12-03", end="2026-12-04")

    assert response.json()["slots"] == (
        slots("2026-12-03", "09:00", 16, "+01:00") + slots("2026-12-04", "09:00", 16, "+01:00")
    )


@pytest.fixture
def early_hours(db):
    """A practitioner in Berlin with 09:00–10:00 every day, bookable 150 days ahead."""
    practitioner = make_practitioner(hours=((time(9), time(10)),))
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=practitioner, weekday=day, start_time=time(9), end_time=time(10)
        )
        for day in (5, 6)
    )
    return make_offering(practitioner, horizon_days=150)


def test_slots_take_the_clients_new_offset_after_their_dst_change(api_client, early_hours, now):
    # New York springs forward on Sunday 2027-03-14; Berlin is still on winter time.
    response = get_slots(
        api_client, start="2027-03-13", end="2027-03-15", timezone="America/New_York"
    )

    assert response.status_code == 200
    assert response.json()["slots"] == (
        slots("2027-03-13", "03:00", 2, "-05:00")
        + slots("2027-03-14", "04:00", 2, "-04:00")
        + slots("2027-03-15", "04:00", 2, "-04:00")
    )


def test_the_practitioners_hours_keep_their_wall_time_across_her_dst_change(
    api_client, early_hours, now
):
    # Berlin springs forward on Sunday 2027-03-28.
    response = get_slots(api_client, start="2027-03-27", end="2027-03-29")

    assert response.json() == {
        "offering": "assessment",
        "timezone": "Europe/Berlin",
        "slots": slots("2027-03-27", "09:00", 2, "+01:00")
        + slots("2027-03-28", "09:00", 2, "+02:00")
        + slots("2027-03-29", "09:00", 2, "+02:00"),
    }


def test_a_booked_slot_disappears_from_the_slots(api_client, assessment, now):
    query = {"start": "2026-12-03", "end": "2026-12-03", "timezone": "America/New_York"}
    before = get_slots(api_client, **query).json()["slots"]
    assert {"start": BOOKING["start"], "end": "2026-12-03T04:30:00-05:00"} in before

    assert post_booking(api_client).status_code == 201

    after = get_slots(api_client, **query).json()["slots"]
    assert after == [slot for slot in before if slot["start"] != BOOKING["start"]]


def test_slots_can_be_asked_for_62_days_at_a_time_but_not_more(api_client, assessment, now):
    ok = get_slots(api_client, start="2026-12-03", end="2027-02-02")
    too_long = get_slots(api_client, start="2026-12-03", end="2027-02-03")

    assert ok.status_code == 200
    assert too_long.status_code == 400
    assert too_long.json() == {"errors": {"end": ["Ask for at most 62 days at a time."]}}
    assert_documented(too_long, "/slots", "get")


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"start": "2026-12-04", "end": "2026-12-03"},
            {"end": ["The end date must not be before the start date."]},
        ),
        (
            {"start": "2026-13-45", "end": "03.12.2026"},
            {"start": ["Enter a valid date."], "end": ["Enter a valid date."]},
        ),
        (
            {"start": "2026-12-03T00:00:00Z", "end": ""},
            {"start": ["Enter a valid date."], "end": [REQUIRED]},
        ),
        ({"start": "2026-12-03"}, {"end": [REQUIRED]}),
        (
            {"start": "2026-12-03", "end": "2026-12-03", "timezone": "Mars/Olympus"},
            {"timezone": [UNKNOWN_ZONE]},
        ),
        (
            {"start": "9999-12-31", "end": "9999-12-31"},
            {"start": ["This date is out of range."], "end": ["This date is out of range."]},
        ),
        ({"start": "0001-01-01", "end": "0001-01-02"}, {"start": ["This date is out of range."]}),
        ({"offering": "", "start": "2026-12-03", "end": "2026-12-03"}, {"offering": [REQUIRED]}),
        (
            {"offering": "\x00", "start": "2026-12-03", "end": "2026-12-03"},
            {"offering": ["Null characters are not allowed."]},
        ),
    ],
)
def test_a_malformed_slot_query_is_a_400_naming_each_field(
    api_client, assessment, now, params, errors
):
    response = get_slots(api_client, **params)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


@pytest.mark.parametrize("zone", ["Europe/Berlin\x00", "\x00", "Mars/\x00Olympus"])
def test_an_error_never_repeats_a_control_character_sent_in_the_time_zone(
    api_client, assessment, now, zone
):
    answers = [
        get_slots(api_client, start="2026-12-03", end="2026-12-03", timezone=zone),
        post_booking(api_client, timezone=zone),
    ]

    for response in answers:
        assert response.status_code == 400
        assert "\x00" not in response.content.decode()
        assert "\\u0000" not in response.content.decode()
        assert UNKNOWN_ZONE in response.json()["errors"]["timezone"]
    assert not Booking.objects.exists()


def test_a_made_up_method_is_not_repeated_in_the_405(api_client, db):
    response = api_client.generic("BR\x00EW", url("offerings"))

    assert response.status_code == 405
    assert response.json() == {
        "error": "This method is not allowed here. Allowed: GET, HEAD, OPTIONS."
    }


def test_dates_at_the_edge_of_the_calendar_give_no_slots_and_no_error(api_client, assessment, now):
    for start, end in [("9999-12-30", "9999-12-30"), ("0001-01-02", "0001-01-02")]:
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            response = get_slots(api_client, start=start, end=end, timezone=zone)
            assert (response.status_code, response.json()["slots"]) == (200, [])


def test_a_query_string_too_big_to_read_is_a_json_400(api_client, assessment, now, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    query = "&".join(f"x{i}=1" for i in range(6))

    response = api_client.get(f"{url('slots')}?{query}")

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["The request could not be read."]}}


@pytest.mark.parametrize("active", [True, False])
def test_slots_of_an_unknown_or_inactive_offering_are_a_404(api_client, practitioner, now, active):
    make_offering(practitioner, slug="retired", is_active=active)
    slug = "nonesuch" if active else "retired"

    response = get_slots(api_client, offering=slug, start="2026-12-03", end="2026-12-03")

    assert response.status_code == 404
    assert response.json() == {
        "error": "There is no offering by this name that can be booked at the moment."
    }
    assert_documented(response, "/slots", "get")


def test_slot_queries_do_not_grow_with_days_or_bookings(
    api_client, assessment, now, django_assert_max_num_queries
):
    # The offering with its practitioner, then rules, overrides, time off, bookings and
    # busy blocks, each read once.
    with django_assert_max_num_queries(6) as one_day:
        response = get_slots(api_client, start="2026-12-10", end="2026-12-10")
    assert len(response.json()["slots"]) == 16

    practitioner = assessment.practitioner
    first = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    for day in range(60):
        for hour in (0, 2, 4):
            insert_booking(assessment, first + timedelta(days=day, hours=hour))
    BusyBlock.objects.bulk_create(
        BusyBlock(
            practitioner=practitioner,
            start=first + timedelta(days=day, hours=6),
            end=first + timedelta(days=day, hours=7),
        )
        for day in range(60)
    )
    DateOverride.objects.create(practitioner=practitioner, date=date(2026, 12, 24))
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 12, 28), last_day=date(2027, 1, 1)
    )

    with django_assert_max_num_queries(len(one_day)) as sixty_days:
        response = get_slots(api_client, start="2026-12-03", end="2027-01-31")

    assert len(sixty_days) == len(one_day)
    assert response.status_code == 200
    found = response.json()["slots"]
    assert {"start": "2026-12-03T10:30:00+01:00", "end": "2026-12-03T11:00:00+01:00"} in found
    assert {"start": "2026-12-03T10:00:00+01:00", "end": "2026-12-03T10:30:00+01:00"} not in found
    assert not any(slot["start"].startswith("2026-12-24") for slot in found)


# POST /bookings


def test_booking_a_free_slot_answers_201_with_times_in_the_clients_zone(
    api_client, assessment, now
):
    response = post_booking(api_client)

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert response.json() == {
        "id": str(booking.public_id),
        "status": "confirmed",
        "start": "2026-12-03T04:00:00-05:00",
        "end": "2026-12-03T04:30:00-05:00",
        "manage_url": links.manage_url(booking),
    }
    assert response.json()["manage_url"].startswith(
        f"http://testserver/booking/{booking.public_id}/"
    )
    assert booking.start == THURSDAY_10_BERLIN
    assert (booking.client_name, booking.client_email, booking.client_timezone) == (
        "Ana",
        "ana@example.org",
        "America/New_York",
    )
    assert booking_note(booking) == "Trust after a breakup"
    assert_documented(response, "/bookings", "post")


def test_the_offset_given_does_not_have_to_be_the_clients(api_client, assessment, now):
    response = post_booking(api_client, start="2026-12-03T09:00:00Z", note=None)

    assert response.status_code == 201
    assert response.json()["start"] == "2026-12-03T04:00:00-05:00"
    assert booking_note(Booking.objects.get()) == ""


def test_a_taken_slot_is_a_409_that_says_someone_else_booked_it(api_client, assessment, now):
    insert_booking(assessment, THURSDAY_10_BERLIN, email="first@example.org")

    response = post_booking(api_client)

    assert response.status_code == 409
    assert response.json() == {
        "error": "Someone else booked Thursday 3 December, 4:00 AM (New York time) a moment "
        "before you.",
        "reason": "taken",
    }
    assert Booking.objects.count() == 1
    assert_documented(response, "/bookings", "post")


def test_a_day_at_its_cap_is_a_409_that_says_it_is_fully_booked(api_client, practitioner, now):
    capped = make_offering(practitioner, daily_cap=1)
    insert_booking(capped, THURSDAY_10_BERLIN, email="first@example.org")

    response = post_booking(api_client, start="2026-12-03T14:00:00+01:00")

    assert response.status_code == 409
    assert response.json() == {
        "error": "Thursday 3 December, 8:00 AM (New York time) is on a day that is fully booked: "
        "Dr. Mara Lindqvist sees a limited number of people each day.",
        "reason": "fully_booked",
    }
    assert_documented(response, "/bookings", "post")


def test_her_own_busy_time_is_a_409_that_blames_nobody(api_client, practitioner, assessment, now):
    BusyBlock.objects.create(
        practitioner=practitioner,
        start=THURSDAY_10_BERLIN,
        end=THURSDAY_10_BERLIN + timedelta(hours=1),
    )

    response = post_booking(api_client)

    assert response.status_code == 409
    assert response.json() == {
        "error": "Dr. Mara Lindqvist is no longer free at Thursday 3 December, 4:00 AM (New "
        "York time).",
        "reason": "busy",
    }


@pytest.mark.parametrize(
    ("start", "reason", "message"),
    [
        pytest.param(
            "2026-12-03T20:00:00+01:00",
            "off_grid",
            "Thursday 3 December, 2:00 PM (New York time) is not one of the times Dr. Mara "
            "Lindqvist offers.",
            id="outside-hours",
        ),
        pytest.param(
            "2026-12-03T10:10:00+01:00",
            "off_grid",
            "Thursday 3 December, 4:10 AM (New York time) is not one of the times Dr. Mara "
            "Lindqvist offers.",
            id="off-the-grid",
        ),
        pytest.param(
            "2026-12-05T10:00:00+01:00",
            "day_off",
            "Saturday 5 December, 4:00 AM (New York time) falls on a day Dr. Mara Lindqvist "
            "does not work.",
            id="day-off",
        ),
        pytest.param(
            "2026-12-02T16:00:00+01:00",
            "too_soon",
            "Wednesday 2 December, 10:00 AM (New York time) is too soon: bookings need to be "
            "made at least "
            "12 hours ahead.",
            id="too-soon",
        ),
        pytest.param(
            "2027-02-04T10:00:00+01:00",
            "too_far",
            "Thursday 4 February 2027, 4:00 AM (New York time) is further ahead than you can "
            "book: the "
            "furthest is 60 days ahead.",
            id="beyond-the-horizon",
        ),
        pytest.param(
            "2025-12-03T10:00:00+01:00",
            "past",
            "Wednesday 3 December 2025, 4:00 AM (New York time) is already in the past.",
            id="past",
        ),
        pytest.param(
            "9998-12-31T10:00:00+01:00",
            "too_far",
            "Thursday 31 December 9998, 4:00 AM (New York time) is further ahead than you can "
            "book: the "
            "furthest is 60 days ahead.",
            id="far-future",
        ),
    ],
)
def test_a_time_that_could_not_be_booked_now_is_a_400_that_says_why(
    api_client, assessment, now, start, reason, message
):
    response = post_booking(api_client, start=start)

    assert response.status_code == 400
    assert response.json() == {"error": message, "reason": reason}
    assert not Booking.objects.exists()
    assert_documented(response, "/bookings", "post")


def test_a_second_open_assessment_is_a_409_that_says_whether_its_link_was_sent(
    api_client, assessment, now, django_capture_on_commit_callbacks
):
    assert post_booking(api_client).status_code == 201
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # as it would run, committed
        response = post_booking(
            api_client, start="2026-12-04T04:00:00-05:00", email="ANA@example.org"
        )

    assert response.status_code == 409
    assert response.json() == {
        "error": free_calls.OPEN_ASSESSMENT_EXISTS,
        "reason": "already_booked",
        "link_sent": True,
    }
    assert Booking.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]

    again = post_booking(api_client, start="2026-12-04T04:00:00-05:00")

    assert again.status_code == 409
    assert again.json() == {
        "error": free_calls.OPEN_ASSESSMENT_LINK_SENT_RECENTLY,
        "reason": "already_booked",
        "link_sent": False,
    }
    assert "less than 10 minutes ago, so we have not sent them again" in again.json()["error"]
    assert len(mail.outbox) == 1  # the resend limit held the second one back


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param(
            {"start": "2026-12-03T10:00:00"},
            {"start": [fields.NAIVE_TIME]},
            id="naive-time",
        ),
        pytest.param(
            {"start": "Thursday at ten"}, {"start": [fields.BAD_TIME]}, id="malformed-time"
        ),
        pytest.param({"start": 1796288400}, {"start": [api_forms.NOT_TEXT]}, id="epoch-number"),
        pytest.param(
            {"start": "0001-01-01T00:00:00+14:00"},
            {"start": [fields.TIME_OUT_OF_RANGE]},
            id="before-year-1-in-utc",
        ),
        pytest.param(
            {"start": "9999-12-31T23:30:00+00:00"},
            {"start": [fields.TIME_OUT_OF_RANGE]},
            id="end-of-the-calendar",
        ),
        pytest.param({"timezone": "Mars/Olympus"}, {"timezone": [UNKNOWN_ZONE]}, id="zone"),
        pytest.param({"consent": False}, {"consent": [api_forms.CONSENT_REQUIRED]}, id="no"),
        pytest.param(
            {"consent": "true"}, {"consent": [api_forms.CONSENT_REQUIRED]}, id="consent-string"
        ),
        pytest.param({"consent": 1}, {"consent": [api_forms.CONSENT_REQUIRED]}, id="consent-1"),
        pytest.param({"email": "ana@"}, {"email": ["Enter a valid email address."]}, id="email"),
        pytest.param({"name": 42}, {"name": [api_forms.NOT_TEXT]}, id="name-number"),
        pytest.param({"name": ["Ana"]}, {"name": [api_forms.NOT_TEXT]}, id="name-list"),
        pytest.param({"email": {}}, {"email": [api_forms.NOT_TEXT]}, id="email-object"),
        pytest.param({"name": []}, {"name": [api_forms.NOT_TEXT]}, id="name-empty-list"),
        pytest.param({"offering": {}}, {"offering": [api_forms.NOT_TEXT]}, id="offering-object"),
        pytest.param({"start": {}}, {"start": [api_forms.NOT_TEXT]}, id="start-object"),
        pytest.param({"timezone": 1}, {"timezone": [api_forms.NOT_TEXT]}, id="zone-number"),
        pytest.param({"timezone": []}, {"timezone": [api_forms.NOT_TEXT]}, id="zone-list"),
        pytest.param({"note": {}}, {"note": [api_forms.NOT_TEXT]}, id="note-object"),
        pytest.param(
            {"partner_email": False}, {"partner_email": [api_forms.NOT_TEXT]}, id="partner-bool"
        ),
        pytest.param({"name": "   "}, {"name": [REQUIRED]}, id="name-blank"),
        pytest.param(
            {"note": "x" * 1001},
            {"note": ["Ensure this value has at most 1000 characters (it has 1001)."]},
            id="note-too-long",
        ),
        pytest.param({"offering": None}, {"offering": [REQUIRED]}, id="offering-null"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(api_client, assessment, now, fields, errors):
    response = post_booking(api_client, **fields)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not Booking.objects.exists()
    assert_documented(response, "/bookings", "post")


def test_the_exact_messages_of_the_booking_form():
    assert fields.NAIVE_TIME == (
        "Give the time with its UTC offset, like 2026-12-03T10:00:00+01:00."
    )
    assert fields.BAD_TIME == (
        "Enter a time in ISO 8601 format with its offset, like 2026-12-03T10:00:00+01:00."
    )
    assert api_forms.CONSENT_REQUIRED == (
        "Please agree to the privacy notice (consent: true) to book."
    )
    assert api_forms.NOT_TEXT == "This must be a string (JSON text in quotes)."
    assert fields.TIME_OUT_OF_RANGE == "This time is out of range."


def test_missing_fields_are_each_named(api_client, assessment, now):
    response = post_booking(api_client, body="{}")

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "offering": [REQUIRED],
            "start": [REQUIRED],
            "name": [REQUIRED],
            "email": [REQUIRED],
            "timezone": [REQUIRED],
            "consent": [api_forms.CONSENT_REQUIRED],
        }
    }


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{not json", id="malformed"),
        pytest.param("", id="empty"),
        pytest.param('["offering", "assessment"]', id="not-an-object"),
        pytest.param("null", id="null"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="too-deep"),
        pytest.param(b"\xff\xfe\x00{", id="not-text"),
        pytest.param('{"name": 1' + "0" * 5000 + "}", id="huge-number"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api_client, assessment, now, body):
    response = post_booking(api_client, body=body)

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["The request body is not a JSON object."]}}


def test_a_body_too_big_to_read_is_a_json_400(api_client, assessment, now, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_booking(api_client, note="x" * 1000)

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["The request could not be read."]}}


def test_a_booking_sent_as_a_form_or_plain_text_is_a_415(api_client, assessment, now):
    # A cross-site page can send these without a CORS preflight; JSON it cannot.
    as_form = api_client.post(url("bookings"), BOOKING)
    as_text = api_client.post(url("bookings"), json.dumps(BOOKING), content_type="text/plain")

    for response in (as_form, as_text):
        assert response.status_code == 415
        assert response.json() == {
            "error": "Send the booking as a JSON object with Content-Type: application/json."
        }
    assert not Booking.objects.exists()


def test_the_json_content_type_may_name_its_charset(api_client, assessment, now):
    response = api_client.post(
        url("bookings"), json.dumps(BOOKING), content_type="application/json; charset=utf-8"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("active", [True, False])
def test_booking_an_unknown_or_inactive_offering_is_a_404(api_client, practitioner, now, active):
    make_offering(practitioner, slug="retired", is_active=active)

    response = post_booking(api_client, offering="nonesuch" if active else "retired")

    assert response.status_code == 404
    assert response.json() == {
        "error": "There is no offering by this name that can be booked at the moment."
    }
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({}, api.RETURNING_CLIENTS_ONLY, id="paid-returning-clients-only"),
        pytest.param(
            {"price": 0, "slug": "follow-up"},
            api.RETURNING_CLIENTS_ONLY,
            id="free-returning-clients-only",
        ),
        pytest.param(
            {"returning_clients_only": False, "slug": "paid"}, api.SIGN_IN_TO_PAY, id="paid"
        ),
    ],
)
def test_an_offering_this_caller_may_not_book_is_a_403(
    api_client, practitioner, now, fields, message
):
    offering = make_session_offering(practitioner, **fields)

    response = post_booking(api_client, offering=offering.slug)

    assert response.status_code == 403
    assert response.json() == {"error": message}
    assert not Booking.objects.exists()
    assert_documented(response, "/bookings", "post")


def test_the_403_messages():
    assert api.RETURNING_CLIENTS_ONLY == (
        "This offering is for returning clients. If you are new, please book a free "
        "assessment call first."
    )
    assert api.SIGN_IN_TO_PAY == (
        "Please sign in to book a paid session; payment goes through Stripe Checkout."
    )


# Methods, unknown paths, failures: always JSON


@pytest.mark.parametrize(
    ("method", "name", "allow"),
    [
        ("post", "offerings", "GET, HEAD, OPTIONS"),
        ("get", "bookings", "POST, OPTIONS"),
        ("put", "slots", "GET, HEAD, OPTIONS"),
        ("delete", "bookings", "POST, OPTIONS"),
        ("patch", "openapi", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_wrong_method_is_a_json_405(api_client, db, method, name, allow):
    response = getattr(api_client, method)(url(name))

    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json() == {"error": f"{method.upper()} is not allowed here. Allowed: {allow}."}
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nowhere"),
        ("post", "/api/v1/nowhere"),
        ("get", "/api/v1/"),
        ("get", "/api/v1"),
        ("get", "/api/v1/slots/"),
        ("delete", "/api/v1/bookings/123"),
        ("get", "/api/v1/a%0Ab"),
    ],
)
def test_an_unknown_path_under_the_api_is_a_json_404(api_client, db, method, path):
    response = getattr(api_client, method)(path, follow=True)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "There is nothing here. /api/v1/openapi.json describes what there is."
    }


def test_an_unexpected_failure_is_a_json_500_without_the_request(
    api_client, assessment, now, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(selectors, "available_slots", broken)

    response = get_slots(api_client, start="2026-12-03", end="2026-12-03")

    assert response.status_code == 500
    assert response.json() == {
        "error": "Something went wrong on our side. Please try again in a moment."
    }
    [record] = [record for record in caplog.records if record.name == "booking.api"]
    assert record.getMessage() == "API failure on GET /api/v1/slots"
    assert record.exc_info[0] is RuntimeError


# GET /openapi.json


def test_the_openapi_document_names_every_endpoint(api_client, db):
    response = api_client.get(url("openapi"))

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    routed = {
        "/" + str(pattern.pattern)
        for pattern in api.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name != "not_found"
    }
    assert routed == {"/offerings", "/slots", "/bookings", "/openapi.json"}
    assert set(document["paths"]) == routed
    assert set(document["paths"]["/bookings"]) == {"post"}
    assert {code for code in document["paths"]["/bookings"]["post"]["responses"]} >= {
        "201",
        "400",
        "403",
        "404",
        "405",
        "409",
    }
    for path in ("/offerings", "/slots", "/openapi.json"):
        assert set(document["paths"][path]) == {"get"}


def test_every_reference_in_the_openapi_document_resolves(api_client, db):
    document = api_client.get(url("openapi")).json()

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    found = list(refs(document))
    assert found
    for ref in found:
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict), ref


# CORS for the embedded widget


@pytest.fixture
def allowed_origin(settings):
    settings.API_ALLOWED_ORIGINS = ["https://mara-coaching.example"]
    return "https://mara-coaching.example"


def test_an_allowed_origin_is_named_in_the_answer(api_client, assessment, allowed_origin):
    response = api_client.get(url("offerings"), headers={"Origin": allowed_origin})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == allowed_origin
    assert "Origin" in response["Vary"]


def test_another_origin_gets_no_cors_header(api_client, assessment, allowed_origin):
    response = api_client.get(url("offerings"), headers={"Origin": "https://elsewhere.example"})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"]


def test_the_preflight_for_a_json_post_is_answered_for_an_allowed_origin(
    api_client, db, allowed_origin
):
    response = api_client.options(
        url("bookings"),
        headers={
            "Origin": allowed_origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == allowed_origin
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "Content-Type"
    assert response["Access-Control-Max-Age"] == "600"
    assert not Booking.objects.exists()


def test_the_preflight_from_another_origin_is_not_allowed(api_client, db, allowed_origin):
    response = api_client.options(
        url("bookings"),
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Methods" not in response


def test_errors_carry_the_cors_header_so_the_widget_can_read_them(
    api_client, assessment, now, allowed_origin
):
    insert_booking(assessment, THURSDAY_10_BERLIN)

    response = api_client.post(
        url("bookings"),
        json.dumps(BOOKING),
        content_type="application/json",
        headers={"Origin": allowed_origin},
    )
    not_found = api_client.get("/api/v1/nowhere", headers={"Origin": allowed_origin})

    assert response.status_code == 409
    assert response["Access-Control-Allow-Origin"] == allowed_origin
    assert not_found["Access-Control-Allow-Origin"] == allowed_origin


def test_a_wildcard_is_never_answered(api_client, db, settings):
    settings.API_ALLOWED_ORIGINS = []

    response = api_client.get(url("offerings"), headers={"Origin": "https://any.example"})

    assert "Access-Control-Allow-Origin" not in response
