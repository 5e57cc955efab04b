"""The practitioner hears when an intake is sent, and at once when an answer she sees
before sending is saved, by an email that says nothing of what was answered."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from booking import effect_runs
from booking.models import Effect
from intake import notifications, services
from intake.models import Response

pytestmark = pytest.mark.django_db(transaction=True)

REVIEW_PATH = "http://testserver/intake/review/{public_id}/"
SECRETS = {
    "what_brings_you": "Quokka-Lantern-5521 keeps coming back",
    "safety_note": "Heron-Tamarind-0942 is what I never said",
}
# Words that would tell a reader over her shoulder what the email is about.
TELLING_WORDS = ("safe", "safety", "flag", "risk", "danger")


@pytest.fixture
def consented(assignment, now):
    services.give_consent(assignment=assignment, now=now)
    mail.outbox.clear()
    return assignment


def texts(letter) -> list[str]:
    return [letter.subject, letter.body, letter.alternatives[0][0]]


def test_sending_the_intake_emails_the_practitioner_once_with_the_review_link(consented, now):
    services.save_answers(assignment=consented, answers={"coming_as": "on_my_own"}, now=now)
    assert mail.outbox == []

    services.submit(assignment=consented, now=now)

    [letter] = mail.outbox
    assert letter.to == ["mara@example.org"]
    assert letter.reply_to == ["mara@example.org"]  # never the client's, by a slip
    assert letter.subject == "Sam sent their intake for Sat 5 Dec, 09:00 Berlin time"
    review_url = REVIEW_PATH.format(public_id=consented.booking.public_id)
    for body in texts(letter)[1:]:
        assert "Sam has sent their intake for the Single session on Saturday 5 December" in body
        assert review_url in body


def test_a_worrying_answer_emails_her_at_once_and_only_once(consented, now):
    services.save_answers(assignment=consented, answers={"safe_now": "not_sure"}, now=now)

    [letter] = mail.outbox
    assert letter.to == ["mara@example.org"]
    assert letter.subject == "Please open Sam's intake soon: Sat 5 Dec, 09:00 Berlin time"
    for body in texts(letter)[1:]:
        assert (
            "Sam's intake holds an answer that you see before it is sent. Please read it soon: "
            "the Single session is on Saturday 5 December" in body
        )
        assert REVIEW_PATH.format(public_id=consented.booking.public_id) in body

        assert "They have not sent the intake yet, and they are not told about this email." in body
    later = now + timedelta(minutes=1)
    services.save_answers(assignment=consented, answers={"safe_now": "no"}, now=later)
    services.save_answers(assignment=consented, answers={"safe_now": "yes"}, now=later)
    services.save_answers(assignment=consented, answers={"safe_now": "no"}, now=later)
    assert len(mail.outbox) == 1


def test_a_worrying_answer_whose_email_failed_is_sent_by_the_next_save(consented, now, smtp_sink):
    smtp_sink.refuse.add("mara@example.org")  # her mail server says no, this once
    services.save_answers(assignment=consented, answers={"safe_now": "no"}, now=now)
    assert smtp_sink.envelopes == []

    smtp_sink.refuse.clear()
    services.save_answers(assignment=consented, answers={"safety_note": "later"}, now=now)
    services.save_answers(assignment=consented, answers={"safety_note": "later still"}, now=now)

    [envelope] = smtp_sink.envelopes
    assert envelope.rcpt_tos == ["mara@example.org"]
    assert b"Please open Sam's intake soon" in envelope.content


def test_no_email_carries_an_answer_a_question_a_part_or_a_telling_word(consented, now):
    services.save_answers(
        assignment=consented, answers={"what_brings_you": SECRETS["what_brings_you"]}, now=now
    )
    services.save_answers(
        assignment=consented,
        answers={"safe_now": "no", "safety_note": SECRETS["safety_note"]},
        now=now,
    )
    services.submit(assignment=consented, now=now)

    assert len(mail.outbox) == 2
    questionnaire = services.questionnaire_for(consented)
    for letter in mail.outbox:
        for text in texts(letter):
            assert all(secret not in text for secret in SECRETS.values())
            assert all(word not in text.lower() for word in TELLING_WORDS)
            for section in questionnaire.sections:
                assert section.title not in text
                assert all(question.label not in text for question in section.questions)
                assert all(
                    label not in text
                    for q in section.questions
                    for _v, label in q.options
                    if len(label) > 3
                )


def test_a_response_erased_before_the_job_ran_emails_no_one(consented, now, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.save_answers(assignment=consented, answers={"coming_as": "on_my_own"}, now=now)
    services.submit(assignment=consented, now=now)
    services.erase(assignment=consented, now=now)
    mail.outbox.clear()

    notice = Effect.objects.get(name=services.NOTICE)
    effect_runs.run(notice.pk)

    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.status == Effect.Status.DONE


def test_a_worrying_answer_after_sending_says_it_came_after(consented, now):
    services.submit(assignment=consented, now=now)
    services.save_answers(assignment=consented, answers={"safe_now": "no"}, now=now)

    sent, alerted = mail.outbox
    assert alerted.subject.startswith("Please open Sam's intake soon")
    for body in texts(alerted)[1:]:
        assert "They had sent it before and changed it since; they are not told" in body


def test_a_worrying_answer_in_a_part_read_only_once_sent_alerts_no_one_until_sent(assignment, now):
    """Version 1's safety part carries no ``who_sees`` note: the client was told she reads it
    once it is sent, so saving "I'm not sure" there emails her nothing; sending does."""
    Response.objects.create(
        assignment=assignment,
        questionnaire_id="full",
        questionnaire_version=1,
        started_at=now,
        updated_at=now,
    )
    consented = assignment
    services.give_consent(assignment=consented, now=now)
    services.save_answers(assignment=consented, answers={"safe_now": "not_sure"}, now=now)
    assert mail.outbox == []

    services.submit(assignment=consented, now=now)

    # One email for one Send: it says it was sent and asks her to read it soon; a second,
    # the flag's own, would claim the intake was not sent yet.
    [letter] = mail.outbox
    assert letter.subject.endswith(": please open it soon")
    assert " sent their intake for " in letter.subject
    assert "has sent their intake" in letter.body and "Please read it soon." in letter.body
    assert "not sent" not in letter.body and "changed it since" not in letter.body


def test_her_subject_names_the_year_of_a_booking_next_year():
    this_year = datetime(2026, 12, 4, 13, 30, tzinfo=UTC)
    next_year = datetime(2027, 1, 8, 13, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)):
        when = [notifications.subject_when(m, "Europe/Berlin") for m in (this_year, next_year)]
    assert when == ["Fri 4 Dec, 14:30 Berlin time", "Fri 8 Jan 2027, 14:30 Berlin time"]


def test_her_notice_comes_from_the_practice_by_name_and_links_no_admin(consented, now, settings):
    settings.DEFAULT_FROM_EMAIL = "Bookings <bookings@example.org>"

    services.submit(assignment=consented, now=now)

    [letter] = mail.outbox
    assert letter.from_email == "Lindqvist Coaching <bookings@example.org>"
    assert all("/admin/" not in text for text in texts(letter))
