"""Shared helpers of the console's booking tests: bookings of each kind, the invite, a
book-for form at its review step, and a page's words."""

import email
import email.policy
from datetime import UTC, datetime
from html import unescape

from django.test import Client
from django.utils.html import strip_tags
from icalendar import Calendar

from booking import free_calls
from practice.models import Offering
from tests.factories import make_offering

# Thursday 3 December 2026, 10:00 in Berlin (open hours 9–17 there); NOW is Wed 08:00 UTC.
THURSDAY_10 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
THURSDAY_14 = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
THURSDAY_20 = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 20:00 Berlin: after her hours


def book_free(offering, start=THURSDAY_10, **fields):
    return free_calls.book_assessment(
        offering=offering,
        start=start,
        client_name=fields.pop("client_name", "Sam Rivera"),
        client_email=fields.pop("client_email", "sam@example.org"),
        client_timezone=fields.pop("client_timezone", "America/New_York"),
        **fields,
    )


def couples_offering(practitioner) -> Offering:
    return make_offering(
        practitioner,
        slug="couples",
        name="Couples call",
        kind=Offering.Kind.COUPLES_SESSION,
        duration_minutes=60,
    )


def invite(message):
    """(METHOD, SEQUENCE, DTSTART) of the message's calendar part."""
    sent = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    [part] = [p for p in sent.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.events
    return str(calendar["METHOD"]), int(event["SEQUENCE"]), event.decoded("DTSTART")


def to(outbox, address):
    return [m for m in outbox if address in m.to and "a few optional questions" not in m.subject]


BOOK = "/console/book/"


def answers(what, **fields) -> dict:
    """A whole book-for form at its review step: Omar, Thursday 10:00 in Berlin."""
    return {
        "step": "review",
        "name": "Omar Haddad",
        "email": "omar@example.org",
        "tz": "Europe/Berlin",
        "offering": what.slug,
        "slot": THURSDAY_10.strftime("%Y-%m-%dT%H:%M:%SZ"),
    } | fields


def page(client: Client, url: str) -> str:
    """The page at ``url`` as she reads it: its words, one space apart."""
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(unescape(strip_tags(response.content.decode())).split())
