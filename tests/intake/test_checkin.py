"""Someone who sent the full intake within the practice's period is asked a short check-in
for the next session, with their earlier answers one click away; each partner by their own."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from intake import assignments, questionnaires, services
from intake.models import AccessLog, Assignment, Response
from intake.questionnaires import QuestionnaireError, load_directory
from practice.models import Offering
from tests.console.support import sign_in_with_factor
from tests.factories import insert_booking, make_offering, make_session_offering

pytestmark = pytest.mark.django_db(transaction=True)

EARLIER_SECRET = "Pelican-Oboe-3307 is what brought me in March"
CHANGED = "Walrus-Fennel-6610: we moved house"


@pytest.fixture
def offering(practitioner):
    return make_session_offering(practitioner)


@pytest.fixture
def couples(practitioner):
    return make_offering(
        practitioner, slug="couples", name="Couples session", kind=Offering.Kind.COUPLES_SESSION
    )


def sent_full(offering, *, email, name, at, answers=None) -> Response:
    """A full intake sent at ``at``, for a session that took place then."""
    booking = insert_booking(offering, at - timedelta(days=2), email=email, client_name=name)
    assignment = Assignment.objects.create(booking=booking, email=email, name=name)
    services.give_consent(assignment=assignment, now=at)
    services.save_answers(
        assignment=assignment,
        answers=answers or {"what_brings_you": EARLIER_SECRET, "safe_now": "yes"},
        now=at,
    )
    return services.submit(assignment=assignment, now=at)


def next_booking(offering, now, *, days=5, **fields):
    booking = insert_booking(offering, now + timedelta(days=days), **fields)
    return {a.email: a for a in assignments.assign_for_booking(booking_id=booking.pk, now=now)}


def test_a_full_intake_sent_within_the_period_brings_a_checkin(offering, now):
    earlier = sent_full(
        offering, email="client@example.org", name="Sam", at=now - timedelta(days=90)
    )

    [assignment] = next_booking(offering, now).values()

    checkin = services.questionnaire_for(assignment)
    assert (checkin.id, checkin.checkin_for, checkin.estimated_minutes) == ("checkin", "full", 4)
    assert assignment.earlier_response == earlier
    labels = [q.label for section in checkin.sections for q in section.questions]
    assert labels[0] == "What has changed since we last met?"
    assert labels[-1] == "What would you like from this session?"
    assert [s.id for s in checkin.sections] == ["since_we_met", "safety", "this_session"]


def test_after_the_period_it_is_the_full_intake_again(offering, practitioner, now):
    sent_full(offering, email="client@example.org", name="Sam", at=now)

    with time_machine.travel(now + timedelta(days=181)):
        later = now + timedelta(days=181)
        [assignment] = next_booking(offering, later).values()
    assert services.questionnaire_for(assignment).id == "full"

    practitioner.checkin_within_days = 200  # she chose a longer period
    practitioner.save()
    with time_machine.travel(later):
        [assignment] = next_booking(offering, later, days=6, email="Client@Example.org").values()
    assert services.questionnaire_for(assignment).id == "checkin"


def test_each_partner_is_asked_by_their_own_last_full_intake(couples, now):
    sent_full(couples, email="robin@example.org", name="Robin", at=now - timedelta(days=10))
    # Sam sent one too, but only for someone else's practice record: an erased one.
    erased = sent_full(couples, email="sam@example.org", name="Sam", at=now - timedelta(days=5))
    services.erase(assignment=erased.assignment, now=now)

    attendees = next_booking(
        couples,
        now,
        email="sam@example.org",
        partner_name="Robin",
        partner_email="robin@example.org",
    )

    assert services.questionnaire_for(attendees["sam@example.org"]).id == "full"
    assert services.questionnaire_for(attendees["robin@example.org"]).id == "checkin"


def test_the_checkin_page_offers_the_earlier_answers_and_to_update_them(client, offering, now):
    sent_full(offering, email="client@example.org", name="Sam", at=now - timedelta(days=30))
    [assignment] = next_booking(offering, now).values()
    start = reverse("intake:start", kwargs={"token": assignment.token})

    page = client.get(start).content.decode()
    assert "A short check-in" in page and "about 4 minutes" in page
    assert "Review your answers from 2 November" in page
    earlier = client.get(reverse("intake:earlier", kwargs={"token": assignment.token}))
    assert EARLIER_SECRET in earlier.content.decode()

    client.post(start, {"agree": "1"})
    services.save_answers(assignment=assignment, answers={"safe_now": "not_sure"}, now=now)
    client.post(reverse("intake:update_full", kwargs={"token": assignment.token}))

    response = Response.objects.get(assignment=assignment)
    assert (response.questionnaire_id, response.submitted_at) == ("full", None)
    assert response.answers == {"what_brings_you": EARLIER_SECRET, "safe_now": "not_sure"}
    page = client.get(start).content.decode()
    assert "How your answers are kept" in page and "Before we meet" in page  # its consent


def test_her_review_shows_the_checkin_beside_the_last_full_intake(
    client, offering, practitioner_user, now
):
    earlier = sent_full(
        offering, email="client@example.org", name="Sam", at=now - timedelta(days=30)
    )
    [assignment] = next_booking(offering, now).values()
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers={"what_changed": CHANGED}, now=now)
    checkin = services.submit(assignment=assignment, now=now)
    sign_in_with_factor(client, practitioner_user)

    page = client.get(
        reverse("intake:booking_review", kwargs={"public_id": assignment.booking.public_id})
    ).content.decode()

    assert "What has changed since we last met?" in page and CHANGED in page
    assert EARLIER_SECRET in page
    # Two columns, each labelled with its date: this session's first, then the one before.
    beside = page[page.index('<div class="beside">') :]
    assert beside.index("This session's check-in") < beside.index(CHANGED)
    assert '<span class="when">Sent 2 December 2026</span>' in beside
    assert beside.index(CHANGED) < beside.index("Last full intake")
    assert '<span class="when">Sent 2 November 2026</span>' in beside
    assert beside.index("Last full intake") < beside.index(EARLIER_SECRET)
    read = set(AccessLog.objects.values_list("response_id", flat=True))
    assert read == {checkin.pk, earlier.pk}


def test_her_review_of_a_couple_names_what_each_was_asked_and_whose_intake_is_whose(
    client, couples, practitioner_user, now
):
    robin_before = sent_full(
        couples, email="robin@example.org", name="Robin", at=now - timedelta(days=10)
    )
    attendees = next_booking(
        couples,
        now,
        email="sam@example.org",
        partner_name="Robin",
        partner_email="robin@example.org",
    )
    robin = attendees["robin@example.org"]
    services.give_consent(assignment=robin, now=now)
    services.save_answers(assignment=robin, answers={"what_changed": CHANGED}, now=now)
    robin_now = services.submit(assignment=robin, now=now)
    sign_in_with_factor(client, practitioner_user)

    page = client.get(
        reverse("intake:booking_review", kwargs={"public_id": robin.booking.public_id})
    ).content.decode()

    beside = page[page.index('<div class="beside">') :]
    # Sam never sent a full intake, so is asked it: not a check-in for both.
    assert "This session's answers" in beside and "This session's check-in" not in beside
    assert "<li>Robin, the check-in: sent 2 December 2026</li>" in beside
    assert "<li>Sam Client, the full intake: not sent yet</li>" in beside
    assert "Robin's last full intake" not in beside  # one earlier intake: no name needed
    assert "Last full intake" in beside and EARLIER_SECRET in beside
    read = set(AccessLog.objects.values_list("response_id", flat=True))
    assert read == {robin_now.pk, robin_before.pk}


def test_her_review_of_a_couple_both_checking_in_names_each_earlier_intake(
    client, couples, practitioner_user, now
):
    for email, name, days in (("sam@example.org", "Sam", 20), ("robin@example.org", "Robin", 10)):
        sent_full(couples, email=email, name=name, at=now - timedelta(days=days))
    attendees = next_booking(
        couples,
        now,
        email="sam@example.org",
        partner_name="Robin",
        partner_email="robin@example.org",
    )
    sign_in_with_factor(client, practitioner_user)

    page = client.get(
        reverse(
            "intake:booking_review",
            kwargs={"public_id": attendees["sam@example.org"].booking.public_id},
        )
    ).content.decode()

    beside = page[page.index('<div class="beside">') :]
    assert "This session's check-ins" in beside
    assert "Sam Client, the check-in: not sent yet" in beside
    assert "Robin, the check-in: not sent yet" in beside
    for name, sent in (("Sam Client", "12 November 2026"), ("Robin", "22 November 2026")):
        heading = beside.index(f"{name}'s last full intake")
        assert beside.index(f"Sent {sent}", heading) < beside.index("</h2>", heading)


def test_a_checkin_names_an_existing_questionnaire_and_no_offering_kinds(tmp_path):
    checkin = (questionnaires.DIRECTORY / "checkin-v1.toml").read_text()
    (tmp_path / "checkin-v1.toml").write_text(checkin)
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert str(caught.value) == "checkin-v1.toml: checkin_for: there is no questionnaire 'full'"

    (tmp_path / "checkin-v1.toml").write_text(
        checkin.replace(
            'checkin_for = "full"', 'checkin_for = "full"\noffering_kinds = ["session"]'
        )
    )
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert str(caught.value) == (
        "checkin-v1.toml: a check-in takes no 'offering_kinds': its 'checkin_for' chooses it"
    )


def test_she_sets_the_period_in_the_admin(admin_client, practitioner):
    page = admin_client.get(reverse("admin:practice_practitioner_change", args=[practitioner.pk]))

    html = page.content.decode()
    assert 'name="checkin_within_days" value="180"' in html
    assert "asked a short check-in before their next session instead" in html


def test_updating_to_the_full_answers_emails_her_nothing_before_the_client_consents(
    client, offering, now
):
    sent_full(
        offering,
        email="client@example.org",
        name="Sam",
        at=now - timedelta(days=30),
        answers={"safe_now": "not_sure"},
    )
    [assignment] = next_booking(offering, now).values()
    mail.outbox.clear()

    client.post(reverse("intake:update_full", kwargs={"token": assignment.token}))

    response = Response.objects.get(assignment=assignment)
    assert (response.questionnaire_id, response.needs_attention) == ("full", True)
    assert mail.outbox == []  # copies of answers she has read; nothing consented to yet
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers={"safe_now": "no"}, now=now)
    assert [letter.subject.split(" ")[0] for letter in mail.outbox] == ["Please"]
