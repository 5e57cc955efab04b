"""The safety flag is not in clear: a raw table says only that a response needs attention,
the reason (which answers) is inside the encrypted record, and her review still shows it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from intake import services
from intake.models import AccessLog, Response
from practice import crypto
from tests.console.support import sign_in_with_factor
from tests.factories import raw_table_text
from tests.intake.test_review import fill, review_url

SAFE_NOW = "Do you feel safe at home and with the people close to you right now?"
AFRAID = "Are you ever afraid of someone close to you, or of how they might react?"
# What a raw table must never hold: the word, and the ids of the questions that raise it.
TELLING = ("unsafe", "flag", "safe_now", "afraid_of_someone", "controlled", "hurt_or_threat")


def column_names(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]


@pytest.mark.django_db
def test_the_raw_table_says_only_that_a_response_needs_attention(assignment, partner, now):
    fill(assignment, now, {"what_brings_you": "Kestrel-4410", "safe_now": "yes"})
    fill(partner, now, {"safe_now": "no", "afraid_of_someone": "often"})

    raw = raw_table_text("intake_response").lower()
    assert not [word for word in TELLING if word in raw]
    columns = column_names("intake_response")
    assert "needs_attention" in columns
    assert not [name for name in columns for word in TELLING if word in name]
    with connection.cursor() as cursor:
        cursor.execute("SELECT assignment_id, needs_attention FROM intake_response")
        marks = {assignment_id: bool(mark) for assignment_id, mark in cursor.fetchall()}
    assert marks == {assignment.pk: False, partner.pk: True}
    # The reason is in the encrypted record, with the answers it comes from.
    record = crypto.decrypt_json(Response.objects.get(assignment=partner).answers_encrypted)
    assert record["_attention"] == {"unsafe": ["safe_now", "afraid_of_someone"]}


@pytest.mark.django_db
def test_her_review_says_which_answers_raised_the_flag_and_logs_the_read(
    client, practitioner_user, assignment, partner, now
):
    fill(assignment, now, {"safe_now": "yes"})
    fill(partner, now, {"safe_now": "not_sure", "afraid_of_someone": "sometimes"})
    sign_in_with_factor(client, practitioner_user)

    html = client.get(review_url(assignment.booking)).content.decode()

    assert "Robin Partner answered that they may not be safe right now" in html
    said = html.split("Robin Partner said so in answer to:")[1].split("</ul>")[0]
    assert f"<li>“{SAFE_NOW}”</li><li>“{AFRAID}”</li>" in said
    assert "Sam Client said so" not in html
    assert AccessLog.objects.filter(response__assignment=partner).count() == 1


@pytest.mark.django_db
def test_before_send_the_review_names_only_answers_of_the_part_read_before_sending(
    client, practitioner_user, assignment, now
):
    fill(assignment, now, {"safe_now": "no"}, submit=False)
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    said = html.split("Sam Client said so in answer to:")[1].split("</ul>")[0]
    assert f"<li>“{SAFE_NOW}”</li>" in said


@pytest.mark.django_db
def test_the_mark_goes_with_the_answers_when_they_are_erased(assignment, now):
    fill(assignment, now, {"safe_now": "no"})
    response = services.erase(assignment=assignment, now=now)
    response.refresh_from_db()
    assert (response.needs_attention, response.attention) == (False, {})


# The migration that moved the flag: run on the test database, from 0006 and back to now.
BEFORE = ("intake", "0006_assignment_earlier_response")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def latest():
    executor = MigrationExecutor(connection)
    return [("intake", name) for _app, name in executor.loader.graph.leaf_nodes("intake")]


@pytest.fixture
def before_the_move(db, assignment, partner):
    """The database as 0006 left it; put back to the latest state whatever the test does."""
    apps = migrate([BEFORE])
    try:
        yield apps
    finally:
        migrate(latest())


def old_response(apps, assignment, answers, *, flagged):
    return apps.get_model("intake", "Response").objects.create(
        assignment_id=assignment.pk,
        questionnaire_id="full",
        questionnaire_version=2,
        answers_encrypted=crypto.encrypt_json(answers) if answers is not None else None,
        flagged_unsafe=flagged,
        started_at=assignment.created_at,
        updated_at=assignment.created_at,
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_an_existing_flag_inside_the_record(
    before_the_move, assignment, partner
):
    flagged = old_response(
        before_the_move,
        partner,
        {"what_brings_you": "Ibis-63", "safe_now": "no", "controlled": "yes"},
        flagged=True,
    )
    calm = old_response(before_the_move, assignment, {"safe_now": "yes"}, flagged=False)
    calm_bytes = bytes(calm.answers_encrypted)

    migrate(latest())

    moved = Response.objects.get(pk=flagged.pk)
    assert moved.needs_attention and moved.attention == {"unsafe": ["safe_now", "controlled"]}
    assert moved.answers == {"what_brings_you": "Ibis-63", "safe_now": "no", "controlled": "yes"}
    untouched = Response.objects.get(pk=calm.pk)
    assert not untouched.needs_attention
    assert bytes(untouched.answers_encrypted) == calm_bytes
    assert "flagged_unsafe" not in column_names("intake_response")


@pytest.mark.django_db(transaction=True)
def test_the_migration_needs_no_keys_when_nothing_is_flagged(
    before_the_move, assignment, settings
):
    old_response(before_the_move, assignment, None, flagged=False)
    settings.INTAKE_ENCRYPTION_KEYS = []
    migrate(latest())
    assert not Response.objects.get().needs_attention


@pytest.mark.django_db(transaction=True)
def test_flagged_rows_without_keys_stop_the_migration_and_nothing_changes(
    before_the_move, partner, settings, intake_key
):
    old_response(before_the_move, partner, {"safe_now": "no"}, flagged=True)
    settings.INTAKE_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="1 intake responses carry the safety flag"):
        migrate(latest())
    assert "flagged_unsafe" in column_names("intake_response")
    assert "needs_attention" not in column_names("intake_response")
    settings.INTAKE_ENCRYPTION_KEYS = [intake_key]  # so that the fixture can move it


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_the_flag_in_clear(before_the_move, partner):
    old = old_response(before_the_move, partner, {"safe_now": "no"}, flagged=True)
    migrate(latest())
    apps = migrate([BEFORE])
    back = apps.get_model("intake", "Response").objects.get(pk=old.pk)
    assert back.flagged_unsafe
    assert crypto.decrypt_json(back.answers_encrypted) == {"safe_now": "no"}
