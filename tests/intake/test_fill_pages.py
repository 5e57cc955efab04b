"""The client's pages, by the private link, driven like a browser without JavaScript."""

import re
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from intake import selectors, services
from intake.models import Consent, Response
from intake.questionnaires import PREFER_NOT_TO_SAY
from intake.views import CONSENT_NEEDED, MORE_QUESTIONS

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Quokka-Lantern-4417 is what I came here to say"


def start_url(assignment):
    return reverse("intake:start", kwargs={"token": assignment.token})


def section_url(assignment, section_id):
    return reverse("intake:section", kwargs={"token": assignment.token, "section_id": section_id})


def drawn(page) -> list[str]:
    """The question ids the page drew (as the form posts them back)."""
    return re.findall(r'name="shown" value="([a-z_0-9]+)"', page.content.decode())


def filled_in(page) -> dict[str, list[str]]:
    """What a browser would post back untouched: the texts and the ticked boxes."""
    html = page.content.decode()
    values: dict[str, list[str]] = {}
    for name, text in re.findall(r'<textarea name="(\w+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = [unescape(text)]
    for name, value in re.findall(r'name="(\w+)" value="(\w+)" id="\w+" checked', html):
        values.setdefault(name, []).append(value)
    return values


def answer(client, url, action="next", **fields):
    """Open a section page and post it as a browser would, with ``fields`` changed."""
    page = client.get(url)
    assert page.status_code == 200
    data = filled_in(page) | {"shown": drawn(page), "action": action} | fields
    return client.post(url, data)


@pytest.fixture
def consented(client, assignment):
    client.post(start_url(assignment), {"agree": "1"})
    return assignment


def test_the_whole_journey_saves_every_page_and_resumes_by_the_same_link(client, assignment):
    page = client.get(start_url(assignment))
    assert "I agree that the practice stores my answers" in page.content.decode()
    refused = client.post(start_url(assignment), {})
    assert escape(CONSENT_NEEDED) in refused.content.decode()
    assert not Consent.objects.exists()

    begun = client.post(start_url(assignment), {"agree": "1"})
    assert begun.url == section_url(assignment, "what_brings_you")
    first = client.get(begun.url)
    body = first.content.decode()
    assert "Part 1 · about 25 minutes left" in body
    assert "<legend>" in body and '<label for="q_what_brings_you">' in body

    # Typed text, a question left empty (skipped), "I'd rather not say".
    saved = answer(
        client,
        begun.url,
        q_what_brings_you=SECRET,
        q_hoped_for_change="",
        q_worked_with_someone_before=PREFER_NOT_TO_SAY,
    )
    assert saved.url == section_url(assignment, "relationship")
    response = Response.objects.get()
    assert response.answers == {
        "what_brings_you": SECRET,
        "worked_with_someone_before": PREFER_NOT_TO_SAY,
    }

    # An answer that opens a follow-up question keeps the client on the page.
    again = answer(client, begun.url, q_worked_with_someone_before="yes")
    assert again.url == section_url(assignment, "what_brings_you") + "?start=1&more=1"
    follow_up = client.get(again.url).content.decode()
    assert MORE_QUESTIONS in follow_up and "q_what_helped_before" in follow_up
    assert answer(client, again.url).url == section_url(assignment, "relationship")

    # Not in a relationship: the five power sections are not shown.
    moved_on = answer(client, section_url(assignment, "relationship"), q_in_relationship="no")
    assert moved_on.url == section_url(assignment, "patterns")
    back = answer(client, moved_on.url, action="back")
    assert back.url == section_url(assignment, "relationship") + "?start=1"

    # A section with a content note: the note first, then the choice to skip it whole.
    note = client.get(section_url(assignment, "experiences")).content.decode()
    assert "Continue to this section" in note and "Skip this section" in note
    assert "q_high_control_group" not in note
    skipped = client.post(section_url(assignment, "experiences"), {"action": "skip_section"})
    assert skipped.url == section_url(assignment, "safety")
    assert Response.objects.get().skipped_sections == ["experiences"]

    # Leave, and come back later in another browser by the same link.
    later = Client()
    assert "Welcome back" in later.get(start_url(assignment)).content.decode()
    in_place = later.get(section_url(assignment, "what_brings_you")).content.decode()
    assert SECRET in in_place
    assert re.search(r'value="yes" id="q_worked_with_someone_before_\d+" checked', in_place)

    review = later.get(reverse("intake:review", kwargs={"token": assignment.token}))
    assert "You skipped this part." in review.content.decode()
    assert "Send to Dr. Mara Lindqvist" in review.content.decode()
    sent = later.post(reverse("intake:review", kwargs={"token": assignment.token}))
    assert sent.url == reverse("intake:thanks", kwargs={"token": assignment.token})
    assert Response.objects.get().submitted_at is not None
    assert "Thank you" in later.get(sent.url).content.decode()


def test_the_database_holds_no_plaintext_of_a_typed_answer(client, consented):
    answer(client, section_url(consented, "what_brings_you"), q_what_brings_you=SECRET)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_response")
        rows = cursor.fetchall()
    assert len(rows) == 1
    raw = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for value in rows[0]
    )
    assert SECRET.encode() not in raw
    assert b"Quokka" not in raw
    assert Response.objects.get().answers["what_brings_you"] == SECRET


def test_prefer_not_to_say_on_a_text_question(client, consented):
    url = section_url(consented, "what_brings_you")
    answer(client, url, q_what_brings_you="", q_what_brings_you__prefer_not="1")

    assert Response.objects.get().answers == {"what_brings_you": PREFER_NOT_TO_SAY}
    assert 'id="q_what_brings_you__prefer_not" checked' in client.get(url).content.decode()


def test_an_unsafe_answer_shows_crisis_resources_at_once_and_tells_only_her(client, consented):
    mail.outbox.clear()

    done = answer(client, section_url(consented, "safety"), q_safe_now="no")

    assert done.url.endswith("?support=1")
    page = client.get(done.url).content.decode()
    assert '<details class="notice crisis" open>' in page
    assert "immediate danger" in page and "112" in page  # the client booked from Berlin
    assert "Only you see this message" in page
    assert "Apart from Dr. Mara Lindqvist, nobody is told what you answered" in page
    assert Response.objects.get().needs_attention
    assert [letter.to for letter in mail.outbox] == [["mara@example.org"]]
    # Still at hand on every later page, folded so that the questions come first.
    later = client.get(section_url(consented, "what_brings_you")).content.decode()
    assert '<details class="notice crisis">' in later and "immediate danger" in later


def test_crisis_resources_fall_back_to_generic_ones(client, consented):
    booking = consented.booking
    booking.client_timezone = "UTC"  # a zone of no country: India now has its own lines
    booking.save()

    done = answer(client, section_url(consented, "safety"), q_safe_now="not_sure")

    page = client.get(done.url).content.decode()
    assert "your local emergency number." in page and "findahelpline.com" in page


def test_a_safe_answer_shows_no_crisis_box(client, consented):
    done = answer(client, section_url(consented, "safety"), q_safe_now="yes")

    assert "If you need support right now" not in client.get(done.url).content.decode()


def test_too_long_an_answer_is_shown_again_with_what_was_typed(client, consented):
    url = section_url(consented, "what_brings_you")
    page = answer(client, url, q_what_brings_you="x" * 3001, q_hoped_for_change=SECRET)

    assert page.status_code == 200
    body = page.content.decode()
    assert "This answer is longer than" in body and SECRET in body
    assert Response.objects.get().answers == {}


def test_a_bad_token_is_a_friendly_404(client, assignment):
    for token in ("not-a-token", assignment.token[:-1] + "x", "x" * 80):
        page = client.get(reverse("intake:start", kwargs={"token": token}))
        assert page.status_code == 404
        assert "This link doesn't open anything" in page.content.decode()


def test_pages_are_not_cached_nor_indexed(client, assignment):
    page = client.get(start_url(assignment))

    assert "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"


def test_sections_need_consent_first(client, assignment):
    page = client.get(section_url(assignment, "what_brings_you"))

    assert page.url == start_url(assignment)


def test_erase_asks_first_then_removes_the_answers(client, consented):
    answer(client, section_url(consented, "what_brings_you"), q_what_brings_you=SECRET)
    erase_url = reverse("intake:erase", kwargs={"token": consented.token})
    review = client.get(reverse("intake:review", kwargs={"token": consented.token}))
    assert erase_url in review.content.decode()

    confirm = client.get(erase_url)
    assert "Yes, delete my answers" in confirm.content.decode()
    assert Response.objects.get().answers_encrypted is not None

    done = client.post(erase_url)

    assert "Your answers are deleted" in done.content.decode()
    response = Response.objects.get()
    assert response.answers_encrypted is None and response.erased_at is not None
    assert "Your answers are deleted" in client.get(start_url(consented)).content.decode()
    assert SECRET not in client.get(section_url(consented, "what_brings_you")).content.decode()


def test_the_optional_script_saves_as_the_client_goes(client, consented):
    url = section_url(consented, "what_brings_you")
    page = client.get(url)
    assert "data-intake-autosave" in page.content.decode()

    saved = client.post(
        url, {"shown": drawn(page), "action": "autosave", "q_what_brings_you": SECRET}
    )

    assert saved.status_code == 204
    assert Response.objects.get().answers == {"what_brings_you": SECRET}


def test_support_opens_on_the_next_page_even_after_the_script_saved_the_answer(client, consented):
    url = section_url(consented, "safety")
    client.post(url, {"shown": ["safe_now"], "action": "autosave", "q_safe_now": "no"})
    assert Response.objects.get().needs_attention

    done = answer(client, url)

    assert '<details class="notice crisis" open>' in client.get(done.url).content.decode()


# Coming back, and how far along it is


def continue_href(browser, assignment) -> str:
    page = browser.get(start_url(assignment)).content.decode()
    assert "Welcome back" in page
    return unescape(re.search(r'<a class="button" href="([^"]+)"', page)[1])


def finish(consented, section_id):
    """Answer every question the part shows (answers as they would be saved)."""
    response = Response.objects.get(assignment=consented)
    questionnaire = response.questionnaire
    answers = dict(response.answers)
    section = next(s for s in questionnaire.sections if s.id == section_id)
    for question in selectors.shown_questions(questionnaire, section, answers):
        answers.setdefault(question.id, PREFER_NOT_TO_SAY)
    services.save_answers(assignment=consented, answers=answers, now=timezone.now())


def test_welcome_back_returns_to_a_part_left_half_way(client, consented):
    answer(client, section_url(consented, "what_brings_you"), q_what_brings_you=SECRET)
    answer(client, section_url(consented, "relationship"), q_in_relationship="yes")

    page = Client().get(start_url(consented)).content.decode()

    assert "Continue where you left off" in page
    # Its other questions were never seen: going past them would skip them silently.
    assert continue_href(Client(), consented) == section_url(consented, "relationship")


def test_welcome_back_moves_on_after_a_part_answered_in_full(client, consented):
    answer(client, section_url(consented, "relationship"), q_in_relationship="yes")
    finish(consented, "relationship")

    assert continue_href(Client(), consented) == section_url(consented, "money")


def test_welcome_back_does_not_send_anyone_back_to_a_part_left_empty(client, consented):
    # Part 1 left empty on purpose, part 2 answered in full: carry on from part 3.
    answer(client, section_url(consented, "relationship"), q_in_relationship="no")
    finish(consented, "relationship")

    assert continue_href(Client(), consented) == section_url(consented, "patterns")


def test_welcome_back_counts_a_skipped_part_as_reached(client, consented):
    client.post(section_url(consented, "experiences"), {"action": "skip_section"})

    assert continue_href(Client(), consented) == section_url(consented, "safety")


def test_welcome_back_offers_the_review_once_every_part_is_through(client, consented):
    answer(client, section_url(consented, "safety"), q_safe_now="yes")
    finish(consented, "safety")

    page = Client().get(start_url(consented)).content.decode()

    review_url = reverse("intake:review", kwargs={"token": consented.token})
    assert continue_href(Client(), consented) == review_url
    assert "Look through from the start" in page
    assert f'href="{section_url(consented, "what_brings_you")}"' in page


def test_welcome_back_begins_at_part_one_when_nothing_is_saved(client, consented):
    page = Client().get(start_url(consented)).content.decode()

    assert continue_href(Client(), consented) == section_url(consented, "what_brings_you")
    assert ">Begin<" in page and "Continue where you left off" not in page


def progress_of(browser, url) -> tuple[str, int, int, int]:
    """The progress line's words, its minutes, and the bar's value and maximum."""
    page = browser.get(url).content.decode()
    label = re.search(r'<label for="intake-progress">([^<]*)</label>', page)[1]
    minutes = re.search(r"about (\d+) minutes left", label)
    bar = re.search(r'<progress id="intake-progress" max="(\d+)" value="(\d+)"', page)
    return label, int(minutes[1]) if minutes else 1, int(bar[2]), int(bar[1])


def test_opening_more_parts_does_not_move_the_goal_post(client, consented):
    relationship = section_url(consented, "relationship")
    before = progress_of(client, relationship)

    answer(client, relationship, q_in_relationship="yes")  # opens five more parts

    assert progress_of(client, relationship) == before
    label, minutes, _value, _max = before
    assert label.startswith("Part 2 · about ") and " of " not in label
    assert minutes <= 25


def test_progress_only_ever_moves_forward_through_the_journey(client, consented):
    sections = start_url(consented) + "section/"
    url = section_url(consented, "what_brings_you")
    seen, visited = [], set()
    while url.startswith(sections):
        _label, minutes, value, most = progress_of(client, url + "?start=1")
        seen.append((minutes, value / most))
        visited.add(url)
        fields = {"q_in_relationship": "yes"} if "/relationship/" in url else {}
        url = answer(client, url + "?start=1", **fields).url.split("?")[0]

    # Every part was shown, the five opened on part 2 too (whose page opened a few more
    # questions, so it was shown twice).
    assert len(visited) == 11 and len(seen) == 12
    assert seen[0] == (25, 0.0)
    assert [m for m, _ in seen] == sorted((m for m, _ in seen), reverse=True)
    assert [f for _, f in seen] == sorted(f for _, f in seen)


def test_after_a_cancellation_the_link_says_nothing_is_needed_and_keeps_what_was_given(
    client, assignment, partner, now
):
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers={"coming_as": "on_my_own"}, now=now)
    heading = "This session was cancelled</h1>"
    assert heading not in client.get(start_url(assignment)).content.decode()
    booking = assignment.booking
    booking.status = "cancelled"
    booking.save()
    page = Client().get(start_url(assignment)).content.decode()
    assert heading in page and "There is nothing you need to answer." in page
    assert reverse("intake:export", kwargs={"token": assignment.token}) in page
    assert reverse("intake:erase", kwargs={"token": assignment.token}) in page
    # The partner gave nothing: nothing to read or delete, and no way to begin.
    page = Client().get(start_url(partner)).content.decode()
    assert heading in page and "You had not given any answers" in page
    assert reverse("intake:erase", kwargs={"token": partner.token}) not in page
    for person in (assignment, partner):
        page = Client().get(start_url(person)).content.decode()
        assert 'name="agree"' not in page and ">Begin<" not in page
        assert "Continue where you left off" not in page


def test_a_cancelled_meetings_intake_cannot_be_started_or_answered(client, assignment, now):
    booking = assignment.booking
    booking.status = "cancelled"
    booking.save()
    client.post(start_url(assignment), {"agree": "1"})
    assert not assignment.consents.exists()
    services.give_consent(assignment=assignment, now=now)  # given before it was cancelled
    page = client.get(section_url(assignment, "what_brings_you"))
    assert page.status_code == 302 and page.url == start_url(assignment)


def test_the_safety_page_carries_the_support_box_hidden_until_a_danger_answer(client, consented):
    page = client.get(section_url(consented, "safety") + "?start=1").content.decode()
    assert "hidden data-crisis-standby" in page
    assert page.count("data-unsafe") >= 2  # "No" and "I'm not sure" on feeling safe
    other = client.get(section_url(consented, "what_brings_you")).content.decode()
    assert "hidden data-crisis-standby" not in other
