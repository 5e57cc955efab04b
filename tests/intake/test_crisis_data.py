"""Help wherever the client is: every country of the zone picker has its emergency number,
the lines come with their source, and the practitioner's own line wins on the page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from intake import crisis
from intake.crisis import data
from intake.models import CrisisLine
from intake.views import COUNTRY_COOKIE, ZONE_COOKIE
from practice.timezones import common_timezones, country_of_zone
from tests.intake.test_crisis import flagged, page_of

CHECKED = datetime.date(2026, 12, 1)


def test_every_zone_in_the_picker_lies_in_a_country_with_an_emergency_number():
    for zone in common_timezones():
        if zone == "UTC":
            continue  # not a place: the box offers the country list instead
        code = country_of_zone(zone)
        assert code, f"{zone} maps to no country"
        assert data.countries()[code].emergency, f"{zone} ({code}) has no emergency number"


def test_forty_countries_have_a_crisis_or_abuse_line_taken_from_a_cited_page():
    with_lines = {
        code
        for code, country in data.countries().items()
        if any(line.kind in data.KINDS and line.source for line in country.lines)
    }
    assert len(with_lines) >= 40
    # The countries most clients of an English-speaking practice live in, on every continent.
    assert {"US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "BR", "MX", "JP", "IN", "ZA"} <= (
        with_lines
    )


@pytest.mark.parametrize("kind", data.KINDS)
def test_forty_countries_have_a_line_of_each_kind_taken_from_a_cited_page(kind):
    with_kind = {
        code
        for code, country in data.countries().items()
        if any(line.kind == kind and line.source for line in country.lines)
    }
    assert len(with_kind) >= 40, sorted(with_kind)
    assert {"US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "BR", "MX", "JP", "IN", "ZA"} <= (
        with_kind
    )


def test_every_entry_names_its_source_and_when_it_was_read():
    for code, country in data.countries().items():
        assert country.source.startswith(("https://", "http://")), code
        assert country.checked_on == CHECKED, code
        for line in country.lines:
            assert line.source.startswith(("https://", "http://")), (code, line.name)
            assert line.checked_on == CHECKED, (code, line.name)


LINE_WITHOUT_SOURCE = """
[countries.JP]
name = "Japan"
emergency = "110 for the police, 119 for an ambulance"
source = "https://example.org/numbers"
checked_on = 2026-12-01

[[countries.JP.lines]]
name = "TELL Lifeline"
contact = "03-5774-0992"
kind = "crisis"
checked_on = 2026-12-01
"""


def test_a_line_without_its_source_fails_loading_with_the_entry_named():
    with pytest.raises(data.CrisisDataError) as failure:
        data.parse(LINE_WITHOUT_SOURCE, "countries.toml")

    assert str(failure.value) == data.NEEDS_SOURCE.format(
        where="countries.toml: JP.lines[0] (TELL Lifeline)"
    )


def test_a_country_without_its_checked_on_date_fails_loading_with_the_country_named():
    text = LINE_WITHOUT_SOURCE.replace("checked_on = 2026-12-01\n\n[[", "\n[[", 1)

    with pytest.raises(data.CrisisDataError) as failure:
        data.parse(text, "countries.toml")

    assert str(failure.value) == data.NEEDS_CHECKED_ON.format(where="countries.toml: JP")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "emergency", "line"),
    [
        ("Asia/Tokyo", "110 for the police, 119 for an ambulance in Japan", "TELL Lifeline"),
        ("America/Sao_Paulo", "190 for the police, 192 for an ambulance in Brazil", "CVV"),
        ("Europe/Berlin", "112 (police 110) in Germany", "TelefonSeelsorge"),
        ("Asia/Kolkata", "112 in India", "Tele-MANAS"),
    ],
)
def test_the_box_speaks_of_the_devices_country_wherever_it_is(partner, now, zone, emergency, line):
    browser = Client()
    browser.cookies[ZONE_COOKIE] = zone

    page = page_of(browser, flagged(partner, now))

    assert emergency in page and line in page


@pytest.mark.django_db
def test_a_country_without_a_listed_line_gets_its_number_and_the_directory(partner, now):
    browser = Client()
    browser.cookies[ZONE_COOKIE] = "Asia/Ulaanbaatar"

    page = page_of(browser, flagged(partner, now))

    assert "102 for the police, 103 for an ambulance in Mongolia" in page
    assert "I don't have a helpline for Mongolia in my list yet." in page
    assert "findahelpline.com" in page


@pytest.mark.django_db
def test_the_chooser_offers_every_country_of_the_picker(partner, now):
    page = page_of(Client(), flagged(partner, now))

    for code in ("JP", "BR", "NZ", "ZA", "AQ"):
        name = dict(crisis.choices())[code]
        assert f'<option value="{code}">{name}</option>' in page
    assert page.count("<option ") == len(data.countries()) + 1  # and "Somewhere else"
    names = [name for _, name in crisis.choices()]
    assert names.index("Åland Islands") < names.index("Albania") < names.index("Zimbabwe")
    assert names[-1] == "Somewhere else"


@pytest.mark.django_db
def test_the_practitioners_line_replaces_the_shipped_one_of_that_name_or_joins_them(
    assignment, now
):
    CrisisLine.objects.create(country="DE", name="TelefonSeelsorge", contact="0800 000 0001")
    CrisisLine.objects.create(country="DE", name="Frauenhaus Berlin", contact="030 000 0002")
    browser = Client()
    browser.cookies[COUNTRY_COOKIE] = "DE"

    page = page_of(browser, flagged(assignment, now))

    assert "<li>TelefonSeelsorge: 0800 000 0001</li>" in page
    assert "0800 111 0 111" not in page
    assert "<li>Hilfetelefon Gewalt gegen Frauen: 116 016, free, day and night</li>" in page
    assert "<li>Frauenhaus Berlin: 030 000 0002</li>" in page


@pytest.mark.django_db
def test_the_practitioner_adds_a_line_in_the_admin_for_a_country_of_the_list(client):
    admin = get_user_model().objects.create_superuser("admin@example.org", "admin@example.org")
    client.force_login(admin)
    add = reverse("admin:intake_crisisline_add")

    assert '<option value="JP">Japan</option>' in client.get(add).content.decode()
    saved = client.post(add, {"country": "JP", "name": "Her line", "contact": "03-0000-0000"})
    refused = client.post(add, {"country": "XX", "name": "Nowhere", "contact": "1"})

    assert saved.status_code == 302
    assert list(CrisisLine.objects.values_list("country", "name")) == [("JP", "Her line")]
    assert refused.status_code == 200  # the form again, with the error: XX is no country
    line = CrisisLine.objects.get()
    change = client.get(reverse("admin:intake_crisisline_change", args=[line.pk]))
    assert "TELL Lifeline: 03-5774-0992, in English" in change.content.decode()
