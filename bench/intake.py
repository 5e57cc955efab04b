"""Intake: saving a page of answers, the practitioner's couples review, and key rotation.

INTAKE_ENCRYPTION_KEYS is set to a freshly generated Fernet key (A) before Django's settings
load; every answer below is really encrypted and decrypted.

1. ``save_answers`` of one page (the first section of the ``full`` questionnaire, with a
   long text answer), ~50 saves on one assignment: median ms and SQL queries per save.
2. ``GET /intake/review/<booking public_id>/`` through Django's test client, logged in as
   the booking's practitioner, for a couples session where both partners sent full answers:
   median ms and SQL queries per request (each request also writes its access-log rows).
3. 10,000 responses encrypted under key A (bulk_create), then keys [B, A] and
   ``manage.py rotate_intake_keys``: total seconds and responses/s; then a sample is read
   with key B alone (and checked unreadable with A alone).

Usage: bench/intake.py [--database postgres|sqlite] [--saves N] [--requests N]
                       [--responses N]
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_database,
    describe_database,
    heading,
    postgres_available,
)

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
SEED = 20261125
SAMPLE = 100

LONG_TEXT = (
    "We have been together for eleven years and married for seven. Since our second child "
    "was born, most of the planning at home has landed on me: the school forms, the "
    "appointments, remembering birthdays, noticing when we are out of nappies. My partner "
    "does a lot when asked, but I am tired of being the one who has to ask. When I bring it "
    "up it turns into an argument about who works harder, and we both end up defensive. "
    "I would like us to find a way to talk about it without keeping score, and to share "
    "the thinking, not only the doing. I also want to understand why I find it so hard to "
    "let things slide when they are not done my way. "
)
SHORT_TEXTS = (
    "Feeling less like a manager at home and more like a partner.",
    "Talking about money without it becoming a fight.",
    "More time for the two of us, and fewer evenings spent on logistics.",
    "Understanding where the resentment comes from before it hardens.",
)


# --- realistic answers -------------------------------------------------------------------


def answer_for(question, rng: random.Random, *, long_text: bool = False):
    """A plausible answer that fits ``question`` (never one of its unsafe values)."""
    safe = [v for v in question.values if v not in question.unsafe_values]
    if question.type == "text":
        text = LONG_TEXT * 3 if long_text else rng.choice(SHORT_TEXTS)
        return text[: question.max_length]
    if question.type == "multiple_choice":
        return rng.sample(safe, k=min(2, len(safe)))
    if question.type == "single_choice" and "yes" in safe:
        return "yes"  # in a relationship, worked with someone before: more questions shown
    if question.type == "yes_no":
        return "yes" if "yes" in safe else safe[0]
    return rng.choice(safe)


def section_answers(section, rng: random.Random, *, long_text: bool = True) -> dict:
    """Every question of ``section``; its first text question gets the long answer."""
    texts = [q for q in section.questions if q.type == "text"]
    first_text = texts[0].id if texts and long_text else None
    return {q.id: answer_for(q, rng, long_text=q.id == first_text) for q in section.questions}


def full_answers(questionnaire, rng: random.Random) -> dict:
    """Every question answered; one long text (the first section's), the others short."""
    answers = {}
    for n, section in enumerate(questionnaire.sections):
        answers |= section_answers(section, rng, long_text=n == 0)
    return answers


# --- set-up ------------------------------------------------------------------------------


def setup_couple():
    """A couples booking of a practitioner with a login, its two assignments created by
    ``assign_for_booking``, both with consent, full answers and submitted."""
    from datetime import time as wall_time

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from booking.models import AvailabilityRule, Booking
    from intake import assignments
    from practice.models import Offering, Practitioner

    user = get_user_model().objects.create_user(username="mara", email="mara@example.org")
    practitioner = Practitioner.objects.create(
        name="Dr. Mara Lindqvist",
        practice_name="Lindqvist Coaching",
        email="mara@example.org",
        timezone="Europe/Berlin",
        user=user,
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=practitioner, weekday=day, start_time=wall_time(9), end_time=wall_time(17)
        )
        for day in range(5)
    )
    offering = Offering.objects.create(
        practitioner=practitioner,
        slug="couples_session",
        name="Couples session",
        kind=Offering.Kind.COUPLES_SESSION,
        duration_minutes=90,
        price=Decimal("180.00"),
        slot_step_minutes=30,
        min_notice_minutes=60,
        horizon_days=60,
    )
    now = timezone.now()
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    booking = Booking.objects.create(
        practitioner=practitioner,
        offering=offering,
        status=Booking.Status.CONFIRMED,
        start=start,
        end=start + offering.duration,
        blocked_start=start - offering.buffer_before,
        blocked_end=start + offering.duration + offering.buffer_after,
        client_name="Sam Client",
        client_email="sam@example.org",
        client_timezone="Europe/Berlin",
        partner_name="Robin Partner",
        partner_email="robin@example.org",
        consented_at=now,
        privacy_notice_version="bench",
    )
    assignments = assignments.assign_for_booking(booking_id=booking.pk)
    return user, booking, assignments


def fill(assignment, answers: dict, now) -> None:
    from intake import services

    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers=answers, now=now)
    services.submit(assignment=assignment, now=now)


# --- 1. saving a page --------------------------------------------------------------------


def bench_save(assignment, saves: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from intake import services

    questionnaire = services.questionnaire_for(assignment)
    section = questionnaire.sections[0]
    rng = random.Random(SEED)
    page = section_answers(section, rng)
    services.give_consent(assignment=assignment, now=timezone.now())
    long_id = max(page, key=lambda qid: len(str(page[qid])))

    heading(f"save_answers: one page × {saves} ({describe_database()})")
    print(
        f"page: section {section.id!r} of {questionnaire.id} v{questionnaire.version}, "
        f"{len(page)} answers, longest {len(page[long_id])} characters ({long_id})"
    )
    timings, queries = [], []
    for n in range(saves + 2):  # the first two are warm-up
        answers = page | {long_id: f"{page[long_id][:-12]} (save {n:04d})"}
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            services.save_answers(assignment=assignment, answers=answers, now=timezone.now())
            elapsed = (time.perf_counter() - began) * 1000
        if n >= 2:
            timings.append(elapsed)
            queries.append(len(captured.captured_queries))
    print(
        f"median {statistics.median(timings):.2f} ms over {len(timings)} saves, "
        f"{statistics.median(queries):.0f} SQL queries per save "
        f"(min {min(queries)}, max {max(queries)})"
    )


# --- 2. the couples review ---------------------------------------------------------------


def bench_review(user, booking, assignments, requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from intake import assignments, services
    from intake.models import AccessLog

    rng = random.Random(SEED + 1)
    questionnaire = services.questionnaire_for(assignments[0])
    for assignment in assignments:
        fill(assignment, full_answers(questionnaire, rng), timezone.now())

    client = Client()
    client.force_login(user)
    url = reverse("intake:booking_review", kwargs={"public_id": booking.public_id})

    heading(f"GET /intake/review/<public_id>/ × {requests} ({describe_database()})")
    answered = [len(a.response.answers) for a in assignments]
    print(
        f"couples booking: {len(assignments)} partners, "
        f"{' and '.join(map(str, answered))} answers, both sent"
    )
    logged_before = AccessLog.objects.count()
    timings, queries, size = [], [], 0
    for n in range(requests + 2):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            page = client.get(url)
            elapsed = (time.perf_counter() - began) * 1000
        if page.status_code != 200:
            raise RuntimeError(f"review answered {page.status_code}")
        if n >= 2:
            timings.append(elapsed)
            queries.append(len(captured.captured_queries))
            size = len(page.content)
    logged = AccessLog.objects.count() - logged_before
    print(
        f"median {statistics.median(timings):.2f} ms over {len(timings)} requests, "
        f"{statistics.median(queries):.0f} SQL queries per request "
        f"(min {min(queries)}, max {max(queries)}); page {size / 1024:.0f} KiB; "
        f"{logged} access-log rows written ({logged / (requests + 2):.0f} per request)"
    )


# --- 3. key rotation ---------------------------------------------------------------------


def create_responses(count: int) -> dict[int, dict]:
    """``count`` submitted responses under key A, on past couples bookings; the answers of
    every response in the sample, by pk."""
    from django.utils import timezone

    from booking.models import Booking
    from intake import questionnaires
    from intake.models import Assignment, Response
    from practice import crypto
    from practice.models import Offering

    offering = Offering.objects.get(slug="couples_session")
    questionnaire = questionnaires.for_offering_kind(offering.kind)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    per_booking = 2
    bookings = Booking.objects.bulk_create(
        Booking(
            practitioner=offering.practitioner,
            offering=offering,
            status=Booking.Status.COMPLETED,
            start=now - timedelta(hours=2 * (n + 1)),
            end=now - timedelta(hours=2 * (n + 1)) + offering.duration,
            blocked_start=now - timedelta(hours=2 * (n + 1)),
            blocked_end=now - timedelta(hours=2 * (n + 1)) + offering.duration,
            client_name=f"Client {n}",
            client_email=f"client{n}@example.org",
            client_timezone="Europe/Berlin",
            partner_name=f"Partner {n}",
            partner_email=f"partner{n}@example.org",
            consented_at=now - timedelta(days=400),
            privacy_notice_version="bench",
        )
        for n in range(count // per_booking)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(
            booking=booking,
            email=email,
            name=name,
            role=role,
        )
        for booking in bookings
        for email, name, role in (
            (booking.client_email, booking.client_name, Assignment.Role.CLIENT),
            (booking.partner_email, booking.partner_name, Assignment.Role.PARTNER),
        )
    )
    rng = random.Random(SEED + 2)
    answers = [full_answers(questionnaire, rng) for _ in assignments]
    began = time.perf_counter()
    rows = [
        Response(
            assignment=assignment,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            answers_encrypted=crypto.encrypt_json(given),
            started_at=assignment.booking.start - timedelta(days=5),
            updated_at=assignment.booking.start - timedelta(days=4),
            submitted_at=assignment.booking.start - timedelta(days=4),
        )
        for assignment, given in zip(assignments, answers, strict=True)
    ]
    encrypted = time.perf_counter() - began
    created = Response.objects.bulk_create(rows, batch_size=1000)
    sizes = [len(row.answers_encrypted) for row in rows]
    print(
        f"{len(created):,} responses encrypted under key A in {encrypted:.2f} s, bulk-created; "
        f"median ciphertext {statistics.median(sizes) / 1024:.1f} KiB"
    )
    sample = rng.sample(range(len(created)), k=min(SAMPLE, len(created)))
    return {created[i].pk: answers[i] for i in sample}


def bench_rotation(count: int) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from intake.models import AccessLog, Response
    from practice import crypto

    # Only the responses made for this part, so the count rotated is exactly ``count``.
    AccessLog.objects.all().delete()
    Response.objects.all().delete()

    heading(f"rotate_intake_keys over {count:,} responses ({describe_database()})")
    sample = create_responses(count)

    settings.INTAKE_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = StringIO()
    began = time.perf_counter()
    call_command("rotate_intake_keys", stdout=out)
    elapsed = time.perf_counter() - began
    print(f"keys [B, A]: {out.getvalue().strip()}")
    print(f"rotation: {elapsed:.2f} s total, {count / elapsed:,.0f} responses/s")

    stored = dict(Response.objects.filter(pk__in=sample).values_list("pk", "answers_encrypted"))
    settings.INTAKE_ENCRYPTION_KEYS = [KEY_B]
    read_by_b = sum(crypto.decrypt_json(stored[pk]) == sample[pk] for pk in sample)
    only_a = Fernet(KEY_A)
    read_by_a = 0
    for pk in sample:
        try:
            only_a.decrypt(bytes(stored[pk]))
            read_by_a += 1
        except InvalidToken:
            pass
    verdict = "OK" if read_by_b == len(sample) and read_by_a == 0 else "FAILED"
    print(
        f"check ({verdict}): sample of {len(sample)} responses: {read_by_b} decrypt with key B "
        f"alone and match the original answers; {read_by_a} still readable with key A alone"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--responses", type=int, default=10_000)
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return

    with bench_database(args.database, INTAKE_ENCRYPTION_KEYS=KEY_A):
        user, booking, assignments = setup_couple()
        bench_save(assignments[0], args.saves)
        bench_review(user, booking, assignments, args.requests)
        bench_rotation(args.responses)


if __name__ == "__main__":
    main()
