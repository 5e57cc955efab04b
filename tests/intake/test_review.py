"""The practitioner's review of a booking's intakes: flags, answers, the power picture."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from intake import review, services
from intake.models import AccessLog
from intake.questionnaires import PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL
from tests.console.support import sign_in_with_factor

SVG = "{http://www.w3.org/2000/svg}"
CLIENT_SECRET = "Client-Heron-5521 is what brings me"
PARTNER_SECRET = "Partner-Otter-8830 is what brings me"


def fill(assignment, now, answers, *, skip=(), submit=True):
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers=answers, now=now)
    for section_id in skip:
        services.skip_section(assignment=assignment, section_id=section_id, now=now)
    if submit:
        services.submit(assignment=assignment, now=now)
    return assignment


CLIENT_ANSWERS = {
    "what_brings_you": CLIENT_SECRET,
    "in_relationship": "yes",
    "money_balance": 2,
    "money_lean": "partner",
    "emotional_labour_balance": 1,
    "emotional_labour_lean": "me",
    "social_capital_balance": 5,
    "social_capital_lean": "balanced",
    "age_health_balance": PREFER_NOT_TO_SAY,
    "communication_balance": 3,
    "communication_lean": "not_sure",
}
PARTNER_ANSWERS = {
    "what_brings_you": PARTNER_SECRET,
    "in_relationship": "yes",
    "money_balance": 5,
    "money_lean": "balanced",
    "emotional_labour_balance": 4,
    "emotional_labour_lean": "me",
    "safe_now": "no",
}


@pytest.fixture
def filled(assignment, now):
    return fill(assignment, now, CLIENT_ANSWERS, skip=["experiences"])


@pytest.fixture
def couple(filled, partner, now):
    fill(partner, now, PARTNER_ANSWERS)
    return filled, partner


def review_url(booking):
    return reverse("intake:booking_review", kwargs={"public_id": booking.public_id})


def svg_of(page):
    html = page.content.decode()
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])  # noqa: S314 - our own page, parsed in a test


@pytest.mark.django_db
def test_the_practitioner_sees_flags_answers_and_the_picture(client, practitioner_user, filled):
    sign_in_with_factor(client, practitioner_user)
    page = client.get(review_url(filled.booking))
    assert page.status_code == 200
    html = page.content.decode()
    assert CLIENT_SECRET in html
    assert PREFER_NOT_TO_SAY_LABEL.replace("'", "&#x27;") in html
    assert "<strong>Sam Client</strong> skipped: Past experiences." in html
    assert html.index("flags-heading") < html.index("power-heading") < html.index(CLIENT_SECRET)
    assert page["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_every_read_writes_one_access_log_row_per_response(client, practitioner_user, couple):
    sign_in_with_factor(client, practitioner_user)
    client.get(review_url(couple[0].booking))
    client.get(review_url(couple[0].booking))
    rows = AccessLog.objects.all()
    assert rows.count() == 4
    assert {row.response.assignment for row in rows} == set(couple)
    assert {(row.user, row.action) for row in rows} == {(practitioner_user, "read")}


@pytest.mark.django_db
def test_an_unsent_response_is_not_shown_but_its_safety_flag_is(
    client, practitioner_user, filled, partner, now
):
    fill(partner, now, {"what_brings_you": PARTNER_SECRET, "safe_now": "no"}, submit=False)
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(filled.booking)).content.decode()
    assert PARTNER_SECRET not in html
    assert "Robin Partner answered that they may not be safe" in html
    assert "Started, not sent yet" in html
    assert AccessLog.objects.filter(response__assignment=partner).count() == 1


@pytest.mark.django_db
def test_nothing_is_logged_when_nothing_is_shown(client, practitioner_user, booking):
    sign_in_with_factor(client, practitioner_user)
    page = client.get(review_url(booking))
    assert page.status_code == 200
    assert "No answers have been sent yet" in page.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_the_svg_for_one_person_has_the_five_dimensions_and_one_series(
    client, practitioner_user, filled
):
    sign_in_with_factor(client, practitioner_user)
    svg = svg_of(client.get(review_url(filled.booking)))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text
    assert "Money and financial decisions" in svg.find(f"{SVG}desc").text
    dimensions = [g.get("data-dimension") for g in svg.iter(f"{SVG}g") if g.get("data-dimension")]
    assert dimensions == list(review.DIMENSIONS)
    markers = [el for el in svg.iter() if "marker" in (el.get("class") or "")]
    assert {m.get("class") for m in markers} == {"marker series-0"}
    assert all(m.find(f"{SVG}title").text for m in markers)
    assert not list(svg.iter(f"{SVG}script"))


@pytest.mark.django_db
def test_the_svg_for_a_couple_overlays_two_series_with_a_legend(client, practitioner_user, couple):
    sign_in_with_factor(client, practitioner_user)
    svg = svg_of(client.get(review_url(couple[0].booking)))
    classes = {el.get("class") for el in svg.iter() if "marker" in (el.get("class") or "")}
    assert classes == {"marker series-0", "marker series-1"}
    legend = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert ["".join(g.itertext()) for g in legend][1].endswith("Robin Partner")
    assert len(legend) == 2
    money = next(g for g in svg.iter(f"{SVG}g") if g.get("data-dimension") == "money")
    assert money.find(f"{SVG}line[@class='gap']") is not None
    circles = money.findall(f"{SVG}circle")
    diamonds = money.findall(f"{SVG}polygon")
    assert len(circles) == 2 and len(diamonds) == 2


@pytest.mark.django_db
def test_a_couples_answers_are_side_by_side_per_question(client, practitioner_user, couple):
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(couple[0].booking)).content.decode()
    at = html.index(CLIENT_SECRET)
    row = html[html.rindex("<tr>", 0, at) : html.index("</tr>", at)]
    assert CLIENT_SECRET in row and PARTNER_SECRET in row
    assert row.index(CLIENT_SECRET) < row.index(PARTNER_SECRET)
    assert "Robin Partner answered that they may not be safe" in html


def section_card(html: str, title: str) -> str:
    at = html.index(f"<h2>{title}</h2>")
    return html[at : html.index("</section>", at)]


@pytest.mark.django_db
def test_a_part_one_person_skipped_says_so_once(client, practitioner_user, filled):
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(filled.booking)).content.decode()

    card = section_card(html, "Past experiences")
    assert card.count("Skipped this part") == 1
    assert "This part" not in card and "<dl" not in card


@pytest.mark.django_db
def test_a_part_skipped_after_some_answers_says_so_once_and_keeps_them(
    client, practitioner_user, assignment, now
):
    fill(assignment, now, {"high_control_group": PREFER_NOT_TO_SAY}, skip=["experiences"])
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()

    card = section_card(html, "Past experiences")
    assert card.count("Skipped this part") == 1
    assert "answers given before skipping are kept" in card
    assert PREFER_NOT_TO_SAY_LABEL.replace("'", "&#x27;") in card


@pytest.mark.django_db
def test_side_by_side_a_skipped_part_has_one_row_saying_whose(client, practitioner_user, couple):
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(couple[0].booking)).content.decode()

    card = section_card(html, "Past experiences")
    assert card.count("Skipped this part") == 1
    assert '<th scope="row">This part</th><td>Skipped this part</td><td>Not answered</td>' in card


def test_one_persons_skipped_part_is_listed_without_a_stand_in_row():
    from intake.questionnaires import load

    person = review.Person("client", "Sam", load("full", 1), {}, skipped=("experiences",))

    [section] = review.answers_by_section([person])
    assert (section.id, section.skipped, section.rows) == ("experiences", [True], [])


@pytest.mark.django_db
def test_no_power_answer_at_all_is_said_in_one_line_not_drawn(
    client, practitioner_user, assignment, now
):
    fill(assignment, now, {"what_brings_you": CLIENT_SECRET}, skip=["relationship"])
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    assert "The power questions were not answered." in html
    assert "<svg" not in html and "Not answered" not in html


@pytest.mark.django_db
def test_the_picture_comes_stacked_for_a_phone_with_the_same_markers(
    client, practitioner_user, filled
):
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(filled.booking)).content.decode()
    wide, stacked = html.split('<div class="power-stacked">')
    assert wide.count('class="marker series-0"') == stacked.count('class="marker series-0"')
    assert 'aria-labelledby="power-stacked-title power-stacked-desc"' in stacked
