"""The support box speaks of where the person filling in is, not where the booking was made."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escapejs

from intake import crisis, services
from intake.models import Assignment, Consent, Response
from intake.views import COUNTRY_COOKIE, ZONE_COOKIE

pytestmark = pytest.mark.django_db


def flagged(assignment, now):
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers={"safe_now": "no"}, now=now)
    return assignment


def page_of(browser, assignment) -> str:
    url = reverse("intake:section", kwargs={"token": assignment.token, "section_id": "safety"})
    return browser.get(url + "?start=1").content.decode()


def choose(browser, assignment, country, next_url=None):
    return browser.post(
        reverse("intake:support_country", kwargs={"token": assignment.token}),
        {
            "country": country,
            "next": next_url or reverse("intake:review", kwargs={"token": assignment.token}),
        },
    )


def test_a_partner_never_sees_the_bookers_country(partner, now):
    assert partner.booking.client_timezone == "Europe/Berlin"

    page = page_of(Client(), flagged(partner, now))

    assert "your local emergency number." in page and "findahelpline.com" in page
    assert "112" not in page and "Germany</option>" in page  # offered, not assumed
    assert "Choose your country to see helplines there" in page
    assert '<option value="DE" selected>' not in page


def test_the_client_still_gets_the_country_they_booked_from(assignment, now):
    page = page_of(Client(), flagged(assignment, now))

    assert "112 (police 110) in Germany" in page
    assert "Not in Germany? Choose your country" in page
    assert '<option value="DE" selected>' in page


def test_the_devices_own_zone_wins_over_the_booked_one(assignment, partner, now):
    for person in (assignment, partner):
        browser = Client()
        browser.cookies[ZONE_COOKIE] = "Europe/London"

        page = page_of(browser, flagged(person, now))

        assert "999 in the United Kingdom" in page and "Samaritans" in page
        assert "Not in the United Kingdom? Choose your country" in page


def test_a_zone_the_server_does_not_know_is_ignored(partner, now):
    browser = Client()
    browser.cookies[ZONE_COOKIE] = "Mars/Olympus_Mons"

    assert "your local emergency number." in page_of(browser, flagged(partner, now))


def test_every_page_tells_the_script_which_zone_it_has_and_where_to_keep_it(partner, now):
    page = page_of(Client(), flagged(partner, now))

    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in page
    assert "path=" + escapejs(f"/intake/{partner.token}/") + ";" in page


def test_choosing_a_country_works_without_script_and_opens_the_box_again(partner, now):
    browser = Client()
    flagged(partner, now)
    here = reverse("intake:section", kwargs={"token": partner.token, "section_id": "safety"})

    chosen = choose(browser, partner, "US", here + "?start=1")

    assert chosen.status_code == 302
    assert chosen.url == here + "?start=1&support=1"
    cookie = chosen.cookies[COUNTRY_COOKIE]
    assert cookie.value == "US"
    assert cookie["path"] == f"/intake/{partner.token}/"  # this link only
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # for the browser session
    page = browser.get(chosen.url).content.decode()
    assert '<details class="notice crisis" open>' in page
    assert "911 in the United States" in page and "988 Suicide" in page
    assert "Not in the United States? Choose your country" in page


def test_a_chosen_country_wins_over_the_device_zone_and_somewhere_else_is_generic(assignment, now):
    browser = Client()
    browser.cookies[ZONE_COOKIE] = "Europe/London"
    flagged(assignment, now)

    choose(browser, assignment, "AU")
    assert "000 in Australia" in page_of(browser, assignment)

    choose(browser, assignment, crisis.ELSEWHERE)
    page = page_of(browser, assignment)
    assert "your local emergency number." in page and "999" not in page
    assert f'<option value="{crisis.ELSEWHERE}" selected>' in page


def test_the_partners_choice_is_stored_nowhere_on_the_server(partner, assignment, now):
    flagged(assignment, now)
    flagged(partner, now)
    models = (Assignment, Response, Consent, type(partner.booking))
    before = [list(model.objects.order_by("pk").values()) for model in models]

    choose(Client(), partner, "GB")

    assert [list(model.objects.order_by("pk").values()) for model in models] == before
    assert "112 (police 110) in Germany" in page_of(Client(), assignment)


def test_the_country_form_only_goes_back_to_this_links_own_pages(partner, assignment, now):
    start = reverse("intake:start", kwargs={"token": partner.token})
    for elsewhere in (
        "https://evil.example/",
        "//evil.example/intake/",
        reverse("intake:start", kwargs={"token": assignment.token}),
    ):
        assert choose(Client(), partner, "GB", elsewhere).url == start + "?support=1"


def test_an_unknown_country_is_not_kept(partner, now):
    chosen = choose(Client(), partner, "XX")

    assert COUNTRY_COOKIE not in chosen.cookies
