"""Her own crisis lines, under Hours: each change's effect on her list and on the support box
a client reads, bad input back with its errors and nothing written, nobody but her gets in.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from intake import services
from intake.crisis import own_lines
from intake.models import Assignment, CrisisLine
from tests.console.support import make_account, sign_in_with_factor
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

URL = "/console/hours/support/"


@pytest.fixture
def london_client(practitioner, now):
    """A client in London whose intake says they may not be safe: their box is open."""
    booking = insert_booking(
        make_session_offering(practitioner),
        now + timedelta(days=3),
        client_timezone="Europe/London",
    )
    assignment = Assignment.objects.create(
        booking=booking, email=booking.client_email, name=booking.client_name
    )
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers={"safe_now": "no"}, now=now)
    return assignment


def box_of(assignment) -> str:
    """The support box the client reads on their intake page."""
    url = reverse("intake:section", kwargs={"token": assignment.token, "section_id": "safety"})
    page = Client().get(url + "?start=1").content.decode()
    return page.split('<details class="notice crisis"')[1].split("</details>")[0]


def add(console, **fields):
    data = {"country": "GB", "name": "Shout", "contact": "Text SHOUT to 85258"} | fields
    return console.post(URL, data, follow=True)


def test_a_line_she_adds_shows_in_the_clients_box_and_beside_the_shipped_ones(
    console, london_client
):
    assert "Shout" not in box_of(london_client)

    page = add(console).content.decode()

    line = CrisisLine.objects.get()
    assert (line.country, line.name, line.contact) == ("GB", "Shout", "Text SHOUT to 85258")
    assert "Added: Shout now shows in the support box for clients in the United Kingdom." in page
    assert "Shout: Text SHOUT to 85258" in box_of(london_client)
    assert "Samaritans: 116 123, free, day and night" in box_of(london_client)
    # Her page: the country's shipped lines and hers side by side, and the box as it reads.
    section = page.split('id="country-GB"')[1].split("</section>")[0]
    assert "Came with the site" in section and "Samaritans" in section
    assert "Yours" in section and "Shout" in section
    preview = page.split('id="preview"')[1]
    assert "How the box reads in the United Kingdom" in preview
    assert "999 in the United Kingdom" in preview and "Shout: Text SHOUT to 85258" in preview


def test_a_line_named_as_a_shipped_one_takes_its_place_and_removing_it_brings_it_back(
    console, london_client
):
    add(console, name="samaritans", contact="116 123, free, any time")
    box = box_of(london_client)
    assert "samaritans: 116 123, free, any time" in box
    assert "116 123, free, day and night" not in box
    assert "Yours shows instead" in console.get(URL).content.decode()

    line = CrisisLine.objects.get()
    page = console.post(f"{URL}{line.pk}/remove/", follow=True).content.decode()

    assert not CrisisLine.objects.exists()
    assert "Removed: samaritans no longer shows for clients in the United Kingdom." in page
    assert "Samaritans: 116 123, free, day and night" in box_of(london_client)
    # A second press (another tab) changes nothing and says nothing wrong.
    assert console.post(f"{URL}{line.pk}/remove/").status_code == 302


def test_changing_a_line_changes_the_box(console, london_client):
    line = own_lines.add_line(country="GB", name="Shout", contact="85258")
    form = console.get(f"{URL}{line.pk}/").content.decode()
    assert "Change Shout" in form and 'value="85258"' in form

    page = console.post(
        f"{URL}{line.pk}/",
        {"country": "GB", "name": "Shout", "contact": "Text SHOUT to 85258, day and night"},
        follow=True,
    ).content.decode()

    assert (
        "Saved: the support box for clients in the United Kingdom shows your change now." in page
    )
    assert "Shout: Text SHOUT to 85258, day and night" in box_of(london_client)
    assert CrisisLine.objects.get().contact == "Text SHOUT to 85258, day and night"


def test_moving_a_line_to_another_country_moves_it_out_of_the_first_box(console, london_client):
    line = own_lines.add_line(country="GB", name="Shout", contact="85258")
    console.post(f"{URL}{line.pk}/", {"country": "IE", "name": "Shout", "contact": "50808"})

    assert "Shout" not in box_of(london_client)
    assert CrisisLine.objects.get().country == "IE"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": ""}, own_lines.UNKNOWN_COUNTRY),
        ({"country": "XX"}, own_lines.UNKNOWN_COUNTRY),
        ({"name": "  "}, own_lines.NEEDS_NAME),
        ({"contact": ""}, own_lines.NEEDS_CONTACT),
        ({"contact": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"name": "a\x00b"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_comes_back_with_its_error_and_writes_nothing(console, fields, message):
    response = add(console, **fields)

    assert response.status_code == 400
    page = response.content.decode()
    assert "One thing to fix before we can save this" in page
    assert message in page
    assert not CrisisLine.objects.exists()


def test_a_second_line_of_the_same_name_is_refused(console):
    own_lines.add_line(country="GB", name="Shout", contact="85258")

    response = add(console, name="SHOUT")

    assert response.status_code == 400
    assert (
        "You already have a line called “SHOUT” in the United Kingdom. Change that one instead."
        in response.content.decode()
    )
    assert CrisisLine.objects.count() == 1
    # The same name in another country is another line.
    assert add(console, country="IE", name="Shout").status_code == 200
    assert CrisisLine.objects.count() == 2


def test_the_page_is_reached_from_the_hours_tabs_and_previews_any_country(console):
    hours = console.get("/console/hours/").content.decode()
    assert f'href="{URL}"' in hours and "Support lines" in hours

    page = console.get(URL, {"country": "JP"}).content.decode()
    assert "You have no lines of your own yet" in page
    assert "How the box reads in Japan" in page
    assert '<option value="JP" selected>' in page


@pytest.mark.parametrize(
    "fields",
    [{}, {"is_staff": True}, {"is_staff": True, "is_superuser": True}],
    ids=["client", "staff", "superuser"],
)
def test_nobody_but_her_gets_in_or_changes_a_line(client, practitioner, fields):
    line = own_lines.add_line(country="GB", name="Shout", contact="85258")
    sign_in_with_factor(client, make_account("sam@example.org", **fields))

    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}{line.pk}/").status_code == 404
    assert client.post(URL, {"country": "GB", "name": "X", "contact": "1"}).status_code == 404
    assert client.post(f"{URL}{line.pk}/", {"country": "GB", "name": "X"}).status_code == 404
    assert client.post(f"{URL}{line.pk}/remove/").status_code == 404
    line.refresh_from_db()
    assert (CrisisLine.objects.count(), line.name) == (1, "Shout")


def test_a_line_that_is_gone_is_a_404(console):
    assert console.get(f"{URL}999/").status_code == 404
    assert (
        console.post(f"{URL}999/", {"country": "GB", "name": "a", "contact": "b"}).status_code
        == 404
    )
