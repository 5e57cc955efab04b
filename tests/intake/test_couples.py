"""A couples session: the partner is asked for on booking, invited by their own email, and
neither partner's link, pages or emails tell anything about the other's answers."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking import links as booking_links
from booking import services as booking_services
from booking.forms import PARTNER_EMAIL_IS_YOURS
from booking.models import Booking
from booking.payments import checkout, gateway
from booking.payments.models import RefundTier
from intake import links, notifications, services
from intake.models import Assignment, Response
from practice.models import KnownClient, Offering
from tests.factories import assign_intake_again, insert_booking, make_session_offering
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

SLOT_PARAM = THURSDAY_10_BERLIN.strftime("%Y-%m-%dT%H:%M:%SZ")
DETAILS = "/book/couples_session/details/"
PARTNER_NAME = "Jo Partnerson"
PARTNER_EMAIL = "jo@example.org"
SECRET = "Marmalade-Compass-8812 only I know this"


@pytest.fixture
def couples(practitioner):
    offering = make_session_offering(
        practitioner,
        slug="couples_session",
        name="Couples session",
        kind=Offering.Kind.COUPLES_SESSION,
        duration_minutes=90,
        price=Decimal("180.00"),
        min_notice_minutes=60,
    )
    RefundTier.objects.bulk_create(
        [
            RefundTier(offering=offering, min_hours_before_start=48, refund_percent=100),
            RefundTier(offering=offering, min_hours_before_start=24, refund_percent=50),
        ]
    )
    return offering


@pytest.fixture
def returning(django_user_model):
    user = django_user_model.objects.create_user(username="ana", email="ana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    KnownClient.objects.create(email=user.email)
    return user


def post_details(client, **fields):
    data = {"start": SLOT_PARAM, "timezone": "Europe/Berlin", "name": "Ana", "consent": "on"}
    return client.post(DETAILS, data | fields)


def invitations():
    subject = notifications.INVITATION_SUBJECT.format(
        meeting="session", practice="Lindqvist Coaching"
    )
    return [message for message in mail.outbox if message.subject == subject]


# Booking


def test_the_couples_page_asks_for_the_partner(client, returning, couples, standin, now):
    client.force_login(returning)
    page = client.get(f"{DETAILS}?start={SLOT_PARAM}&tz=Europe/Berlin").content.decode()
    assert "Your partner&#x27;s name" in page
    assert 'name="partner_email"' in page

    answer = post_details(client)

    assert answer.status_code == 200
    assert answer.context["form"].errors["partner_name"] == ["Please tell us your partner's name."]
    assert answer.context["form"].errors["partner_email"] == [
        "Please give your partner's email address, so they get their own link."
    ]
    page = answer.content.decode()
    assert "Two things to fix before we can book this" in page
    assert '<a href="#id_partner_name">Please tell us your partner&#x27;s name.</a>' in page
    assert not Booking.objects.exists()


def test_the_partner_email_must_not_be_the_clients_own(client, returning, couples, standin, now):
    client.force_login(returning)

    answer = post_details(client, partner_name="Jo", partner_email=" ANA@example.org ")

    assert answer.context["form"].errors["partner_email"] == [PARTNER_EMAIL_IS_YOURS]
    assert not Booking.objects.exists()


def test_a_single_session_page_has_no_partner_fields(
    client, returning, session_offering, standin, now
):
    client.force_login(returning)
    page = client.get(f"/book/session/details/?start={SLOT_PARAM}&tz=Europe/Berlin")
    assert 'name="partner_email"' not in page.content.decode()


def test_booking_on_the_pages_stores_the_partner_and_never_tells_stripe(
    client, returning, couples, standin, flush, now
):
    client.force_login(returning)

    answer = post_details(client, partner_name=PARTNER_NAME, partner_email="Jo@Example.org")
    assert answer.status_code == 302
    booking = Booking.objects.get()
    assert (booking.partner_name, booking.partner_email) == (PARTNER_NAME, PARTNER_EMAIL)
    assert booking.end - booking.start == timedelta(minutes=90)
    sent = json.dumps(standin.sessions) + json.dumps(
        gateway.checkout_params(booking, booking.payment)
    )
    assert PARTNER_EMAIL not in sent.lower()
    assert "Partnerson" not in sent

    press(answer["Location"])
    assert flush() == [200]

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    booked = client.get(booking_links.manage_path(booking) + "?booked=1").content.decode()
    assert f"{PARTNER_NAME} gets their own, and their own private questions" in booked
    client_intake, partner_intake = Assignment.objects.order_by("role")
    assert (client_intake.email, client_intake.role) == ("ana@example.org", "client")
    assert (partner_intake.email, partner_intake.name, partner_intake.role) == (
        PARTNER_EMAIL,
        PARTNER_NAME,
        "partner",
    )
    invited = invitations()
    assert sorted(letter.to[0] for letter in invited) == ["ana@example.org", PARTNER_EMAIL]
    for message in mail.outbox:
        assert "Partnerson" not in message.subject
        assert PARTNER_EMAIL not in message.subject.lower()
        if message in invited:
            continue
        text = _everything_in(message)
        if message.to == ["mara@example.org"]:  # she is told whom she will meet
            assert f"With their partner: {PARTNER_NAME} <{PARTNER_EMAIL}>" in text
            continue
        if message.to == [PARTNER_EMAIL]:  # the partner's own confirmation and invite
            assert f'ATTENDEE;CN="{PARTNER_NAME}"' in text
            assert "ana@example.org" not in text  # not the client's address
            assert booking_links.manage_path(booking) not in text  # nor the client's key
            continue
        # The client's confirmation and calendar invite never name the partner.
        assert PARTNER_EMAIL not in text.lower()
        assert "Partnerson" not in text


def test_the_service_refuses_a_couples_hold_without_a_partner(hold, couples, now):
    with pytest.raises(booking_services.BookingError) as refused:
        hold(offering=couples)
    assert refused.value.message == checkout.PARTNER_REQUIRED
    with pytest.raises(booking_services.BookingError) as refused:
        hold(offering=couples, partner_name="Jo", partner_email="ana@example.org")
    assert refused.value.message == PARTNER_EMAIL_IS_YOURS
    assert not Booking.objects.exists()


def test_a_partner_given_for_a_single_session_is_not_kept(hold, now):
    booking, _, _ = hold(partner_name="Jo", partner_email=PARTNER_EMAIL)
    assert (booking.partner_name, booking.partner_email) == ("", "")


def _everything_in(message) -> str:
    """Every decoded part of an email: text, HTML and attachments (the .ics)."""
    parts = message.message().walk()
    return "".join(
        payload.decode(errors="replace")
        for part in parts
        if (payload := part.get_payload(decode=True))
    )


def post_api(client, **fields):
    body = {
        "offering": "couples_session",
        "start": SLOT_PARAM,
        "name": "Ana",
        "email": "ana@example.org",
        "timezone": "Europe/Berlin",
        "consent": True,
    } | fields
    return client.post(
        reverse("api:bookings"), data=json.dumps(body), content_type="application/json"
    )


def test_the_api_needs_the_partner_of_a_couples_session(client, returning, couples, standin, now):
    client.force_login(returning)

    missing = post_api(client)
    own = post_api(client, partner_name="Jo", partner_email="ana@example.org")
    booked = post_api(client, partner_name=PARTNER_NAME, partner_email=PARTNER_EMAIL)

    assert missing.status_code == 400
    assert missing.json() == {
        "errors": {
            "partner_name": ["A couples session needs this for your partner."],
            "partner_email": ["A couples session needs this for your partner."],
        }
    }
    assert own.status_code == 400
    assert own.json() == {"errors": {"partner_email": [PARTNER_EMAIL_IS_YOURS]}}
    assert booked.status_code == 201
    booking = Booking.objects.get()
    assert (booking.partner_name, booking.partner_email) == (PARTNER_NAME, PARTNER_EMAIL)
    assert PARTNER_EMAIL not in json.dumps(standin.sessions)


def test_the_api_refuses_a_partner_email_that_is_not_an_email(
    client, returning, couples, standin, now
):
    client.force_login(returning)
    answer = post_api(client, partner_name="Jo", partner_email=42)
    assert answer.status_code == 400
    assert "partner_email" in answer.json()["errors"]


# Assignment and privacy


@pytest.fixture
def couple(couples, now):
    """A confirmed couples session, both partners invited."""
    booking = insert_booking(
        couples,
        THURSDAY_10_BERLIN,
        email="ana@example.org",
        client_name="Ana Sousa",
        partner_name=PARTNER_NAME,
        partner_email=PARTNER_EMAIL,
    )
    assign_intake_again(booking)
    return (
        Assignment.objects.get(role=Assignment.Role.CLIENT),
        Assignment.objects.get(role=Assignment.Role.PARTNER),
    )


def test_confirming_invites_each_partner_by_their_own_email_and_link(couple):
    client_intake, partner_intake = couple

    letters = {letter.to[0]: letter for letter in invitations()}
    assert sorted(letters) == ["ana@example.org", PARTNER_EMAIL]
    for mine, theirs in ((client_intake, partner_intake), (partner_intake, client_intake)):
        letter = letters[mine.email]
        assert links.fill_url(mine) in letter.body
        assert theirs.token not in letter.body
        assert theirs.token not in letter.alternatives[0][0]
        assert theirs.name not in letter.body
    assert client_intake.token != partner_intake.token


def test_repeated_confirmation_invites_neither_partner_twice(couple):
    client_intake, _ = couple
    assign_intake_again(client_intake.booking)
    assert Assignment.objects.count() == 2
    assert len(invitations()) == 2


def test_each_link_opens_only_its_own_response(couple, now):
    client_intake, partner_intake = couple
    services.give_consent(assignment=partner_intake, now=now)
    first_text = _first_free_text_question()
    services.save_answers(assignment=partner_intake, answers={first_text: SECRET}, now=now)

    assert links.assignment_by_token(client_intake.token) == client_intake
    assert links.assignment_by_token(partner_intake.token) == partner_intake
    browser = Client()
    services.give_consent(assignment=client_intake, now=now)
    for page in _pages(browser, client_intake):
        assert SECRET not in page
    assert SECRET in "".join(_pages(Client(), partner_intake))
    assert not Response.objects.get(assignment=client_intake).answers


def _questionnaire():
    from intake.questionnaires import for_offering_kind

    return for_offering_kind(Offering.Kind.COUPLES_SESSION)


def _first_free_text_question() -> str:
    for section in _questionnaire().sections:
        for question in section.questions:
            if question.type == "text" and not (question.show_if or section.show_if):
                return question.id
    raise AssertionError("no free text question")


def _pages(browser: Client, assignment: Assignment) -> list[str]:
    """Every page of the fill journey by this link, as its person would see it."""
    token = assignment.token
    urls = [reverse("intake:start", kwargs={"token": token})]
    for section in _questionnaire().sections:
        section_url = reverse("intake:section", kwargs={"token": token, "section_id": section.id})
        urls += [section_url, section_url + "?start=1"]
    urls += [reverse(f"intake:{name}", kwargs={"token": token}) for name in ("review", "thanks")]
    pages = []
    for url in urls:
        answer = browser.get(url)
        body = answer.content.decode() if answer.status_code == 200 else answer.get("Location")
        pages.append(f"{answer.status_code} {url}\n{body}")
    return pages


def _without_csrf(page: str) -> str:
    """The page without what changes on every response: the CSRF token and the CSP nonce."""
    page = re.sub(r' nonce="[^"]+"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_partner_flagging_unsafe_changes_nothing_the_other_sees(couple, now):
    client_intake, partner_intake = couple
    services.give_consent(assignment=client_intake, now=now)
    browser = Client()
    before = [_without_csrf(page) for page in _pages(browser, client_intake)]
    outbox_before = len(mail.outbox)

    services.give_consent(assignment=partner_intake, now=now)
    services.save_answers(
        assignment=partner_intake,
        answers={"safe_now": "no", "afraid_of_someone": "often"},
        now=now,
    )
    services.skip_section(assignment=partner_intake, section_id="experiences", now=now)
    flagged = services.submit(assignment=partner_intake, now=now)

    assert flagged.needs_attention  # on the partner's own response, for the practitioner
    assert not Response.objects.get(assignment=client_intake).needs_attention
    after = [_without_csrf(page) for page in _pages(browser, client_intake)]
    assert sum(page.startswith("200 ") for page in after) >= 10  # real pages, not redirects
    assert after == before
    assert all(PARTNER_NAME not in page for page in after)
    # No one but the practitioner was emailed about it.
    assert [letter.to for letter in mail.outbox[outbox_before:]] == [
        [couple[0].booking.practitioner.email]
    ] * 2


def test_the_partners_pages_do_not_change_with_the_clients_state_either(couple, now):
    client_intake, partner_intake = couple
    services.give_consent(assignment=partner_intake, now=now)
    browser = Client()
    before = [_without_csrf(page) for page in _pages(browser, partner_intake)]

    services.give_consent(assignment=client_intake, now=now)
    services.save_answers(
        assignment=client_intake,
        answers={"in_relationship": "yes", "hurt_or_threatened": "yes"},
        now=now,
    )
    services.submit(assignment=client_intake, now=now)

    assert [_without_csrf(page) for page in _pages(browser, partner_intake)] == before


def test_the_demo_offers_a_couples_session_for_returning_clients(db):
    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)  # idempotent

    offering = Offering.objects.get(slug="couples_session")
    assert offering.kind == Offering.Kind.COUPLES_SESSION
    assert offering.duration_minutes == 90
    assert not offering.is_free and offering.returning_clients_only
    tiers = sorted(
        (t.min_hours_before_start, t.refund_percent) for t in offering.refund_tiers.all()
    )
    assert tiers == [(24, 50), (48, 100)]
