"""Text with a length limit on the booking forms is refused when over it, never cut short."""

import re

from booking.forms import EMAIL_MAX_LENGTH, EMAIL_TOO_LONG, NOTE_MAX_LENGTH, TOO_LONG
from booking.models import Booking
from booking.selectors import booking_note

SLOT_PARAM = "2026-12-03T09:00:00Z"


def details(client, **data):
    form = {
        "start": SLOT_PARAM,
        "timezone": "America/New_York",
        "name": "Ana",
        "email": "ana@example.org",
        "note": "",
        "consent": "on",
    }
    return client.post("/book/assessment/details/", form | data)


def test_a_note_over_the_limit_comes_back_whole_with_how_much_is_over(client, assessment, now):
    note = "a" * (NOTE_MAX_LENGTH + 20)

    page = details(client, note=note).content.decode()

    assert TOO_LONG.format(limit=1000, length=1020) in page
    assert "Please keep this to 1,000 characters or fewer: it has 1,020 now." in page
    assert f">\n{note}</textarea>" in page  # everything typed, to shorten by hand
    assert not Booking.objects.exists()


def test_a_note_at_the_limit_is_kept_whole_counting_a_line_break_as_one(client, assessment, now):
    note = "a" * (NOTE_MAX_LENGTH - 11) + "\r\n" + "b" * 10  # as browsers send a line break

    details(client, note=note)

    assert booking_note(Booking.objects.get()) == note


def test_the_browser_is_not_told_to_cut_the_note_and_the_page_states_the_limit(
    client, assessment, now
):
    page = client.get(f"/book/assessment/details/?start={SLOT_PARAM}").content.decode()
    [textarea] = re.findall(r"<textarea[^>]*>", page)
    assert "maxlength" not in textarea
    assert 'aria-describedby="id_note_helptext id_note_count"' in textarea
    assert '<p class="help count" id="id_note_count" data-limit="1000">' in page
    assert "Up to 1,000 characters." in page


def test_an_email_longer_than_the_booking_can_hold_is_refused(client, assessment, now):
    email = "a" * (EMAIL_MAX_LENGTH - len("@example.org") + 1) + "@example.org"

    response = details(client, email=email)

    assert response.status_code == 200
    assert EMAIL_TOO_LONG in response.content.decode()
    assert "An email address has at most 254 characters" in EMAIL_TOO_LONG
    assert not Booking.objects.exists()
