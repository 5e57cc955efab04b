"""The restore drill of README's "Backups": a backup made with the database's own tool
restores into a new database where every intake answer and booking note decrypts with the
keys and equals the original; without the keys, or with another key, nothing does; and the
backup holds no answer or note in clear.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` into a new database, dropped at
the end whatever happens. SQLite: the online backup API (what ``sqlite3 … ".backup …"``
uses), restored the same way into a new file.
"""

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from booking import selectors as booking_selectors
from booking.models import Booking
from booking.services import encrypted_note
from intake import services
from intake.management.commands.check_intake_keys import UNREADABLE
from intake.models import Assignment, Response
from practice import crypto
from practice.models import Offering
from tests.factories import insert_booking, make_offering, make_session_offering

pytestmark = pytest.mark.django_db(transaction=True)  # committed: another process reads it
ROOT = Path(__file__).resolve().parents[2]

ANSWERS = {
    "sam@example.org": {"what_brings_you": "Heron-4471 keeps me up at night", "safe_now": "yes"},
    "ana@example.org": {"what_brings_you": "Otter-9023, and the money talks"},
    "robin@example.org": {"what_brings_you": "Lynx-1186 at home", "safe_now": "no"},
    "kim@example.org": {"what_brings_you": "Wren-5530, not sent yet"},
}
NOTES = {
    "sam@example.org": "Marten-3307: a note written when booking",
    "jo@example.org": "Puffin-7264 before the free call",
}


def attend(booking: Booking, email: str, name: str, role=Assignment.Role.CLIENT, *, send=True):
    assignment = Assignment.objects.create(booking=booking, email=email, name=name, role=role)
    services.give_consent(assignment=assignment, now=booking.consented_at)
    services.save_answers(assignment=assignment, answers=ANSWERS[email], now=booking.consented_at)
    if send:
        services.submit(assignment=assignment, now=booking.consented_at)


@pytest.fixture
def records(practitioner, now) -> dict:
    """Bookings with answers (several, a couple's, a flagged one, one not sent) and notes,
    and what each stored record says in clear, read back through the models."""
    day = now + timedelta(days=3)
    single = insert_booking(
        make_session_offering(practitioner),
        day,
        email="sam@example.org",
        note_encrypted=encrypted_note(NOTES["sam@example.org"]),
    )
    attend(single, "sam@example.org", "Sam Client")
    couples = make_session_offering(
        practitioner, slug="couples_session", kind=Offering.Kind.COUPLES_SESSION
    )
    couple = insert_booking(couples, day + timedelta(hours=3), email="ana@example.org")
    attend(couple, "ana@example.org", "Ana Sousa")
    attend(couple, "robin@example.org", "Robin Lee", Assignment.Role.PARTNER)
    later = insert_booking(couples, day + timedelta(days=1), email="kim@example.org")
    attend(later, "kim@example.org", "Kim Park", send=False)
    insert_booking(
        make_offering(practitioner),
        day + timedelta(days=2),
        email="jo@example.org",
        note_encrypted=encrypted_note(NOTES["jo@example.org"]),
    )
    responses = {r.pk: (r.answers, r.attention) for r in Response.objects.all()}
    assert len(responses) == len(ANSWERS)
    assert all(answers in ANSWERS.values() for answers, _why in responses.values())
    assert [why for _answers, why in responses.values() if why] == [{"unsafe": ["safe_now"]}]
    notes = {
        booking.pk: booking_selectors.booking_note(booking)
        for booking in Booking.objects.exclude(note_encrypted=None)
    }
    assert sorted(notes.values()) == sorted(NOTES.values())
    return {"responses": responses, "notes": notes}


def stored(cursor) -> tuple[list[Response], list[Booking]]:
    """The encrypted rows of a restored database, read with plain SQL into unsaved model
    instances, so that the models' own decryption reads them."""
    cursor.execute("SELECT id, answers_encrypted, needs_attention FROM intake_response")
    responses = [
        Response(pk=pk, answers_encrypted=bytes(token), needs_attention=bool(mark))
        for pk, token, mark in cursor.fetchall()
    ]
    cursor.execute(
        "SELECT id, note_encrypted FROM booking_booking WHERE note_encrypted IS NOT NULL"
    )
    notes = [Booking(pk=pk, note_encrypted=bytes(token)) for pk, token in cursor.fetchall()]
    return responses, notes


def check_restored(cursor, records: dict, settings) -> None:
    """Everything decrypts with the keys and equals the original; with no keys or another
    key, nothing decrypts, each refusal clear."""
    responses, notes = stored(cursor)
    assert {r.pk: (r.answers, r.attention) for r in responses} == records["responses"]
    assert {b.pk: booking_selectors.booking_note(b) for b in notes} == records["notes"]

    settings.INTAKE_ENCRYPTION_KEYS = []
    for response in responses:
        with pytest.raises(ImproperlyConfigured, match="INTAKE_ENCRYPTION_KEYS is empty"):
            response.answers  # noqa: B018 - the read is the test
    for booking in notes:
        with pytest.raises(ImproperlyConfigured, match="INTAKE_ENCRYPTION_KEYS is empty"):
            booking_selectors.booking_note(booking)

    settings.INTAKE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    for token in [r.answers_encrypted for r in responses] + [b.note_encrypted for b in notes]:
        with pytest.raises(InvalidToken):
            crypto.decrypt_json(token)


def assert_no_plaintext(blob: bytes) -> None:
    """No written answer, note or safety reason in the backup's bytes, as text or as hex
    (the short choices, "yes" or "no", would be found in any file)."""
    known = [answers["what_brings_you"] for answers in ANSWERS.values()] + list(NOTES.values())
    for text in known:
        for form in (text.encode(), text.encode().hex().encode()):
            assert form not in blob, text
    # The attention reasons ({"unsafe": [...]}) are encrypted. On SQLite a free page may
    # still hold the schema text of the table intake's migration 0007 rebuilt, with its
    # dropped column's name, flagged_unsafe: a name, no one's answer, so it is not counted.
    assert re.search(rb"(?<!flagged_)unsafe", blob) is None


def site_reads(database_url: str, keys: str) -> subprocess.CompletedProcess:
    """``manage.py check_intake_keys`` run by the site itself against the restored database,
    as README's restore says."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "INTAKE_ENCRYPTION_KEYS": keys,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "manage.py", "check_intake_keys"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def check_the_site_reads(database_url: str, key: str) -> None:
    """The keys read it; another key fails with a clear message and shows nothing."""
    ok = site_reads(database_url, key)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.endswith("Every encrypted record reads with these keys.\n")
    refused = site_reads(database_url, Fernet.generate_key().decode())
    assert refused.returncode == 1
    assert "6 stored records cannot be read with INTAKE_ENCRYPTION_KEYS" in refused.stderr
    assert not [text for text in NOTES.values() if text in refused.stdout + refused.stderr]


# PostgreSQL: pg_dump and pg_restore of the server's own major version.


def server_major() -> int:
    return connection.pg_version // 10000


def pg_tool(name: str) -> str | None:
    """``name`` of the server's major version: the one on PATH if it is that version (on
    Debian it is a wrapper that may pick another), else the one Debian installs per version."""
    major = server_major()
    for candidate in (shutil.which(name), f"/usr/lib/postgresql/{major}/bin/{name}"):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        version = subprocess.run(  # noqa: S603 - our own path, no shell
            [candidate, "--version"], capture_output=True, text=True, check=False
        ).stdout
        found = re.search(r"\) (\d+)", version)
        if found and int(found.group(1)) == major:
            return candidate
    return None


def pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = os.environ | {
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
    }
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=pg_env(), capture_output=True, check=True)  # noqa: S603


@pytest.fixture
def pg_tools() -> tuple[str, str]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (set DATABASE_URL=postgres://...); SQLite has its drill")
    tools = pg_tool("pg_dump"), pg_tool("pg_restore")
    if None in tools:
        pytest.skip(
            f"no pg_dump and pg_restore of the server's version {server_major()} (on PATH or "
            f"in /usr/lib/postgresql/{server_major()}/bin): install postgresql-client-"
            f"{server_major()}"
        )
    return tools


@pytest.fixture
def restored_name():
    """A new database's name, dropped at the end whatever happens."""
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_pg_dump_restores_into_a_new_database_and_decrypts_only_with_the_keys(
    pg_tools, records, restored_name, tmp_path, settings, intake_key
):
    pg_dump, pg_restore = pg_tools
    dump = tmp_path / "practice.dump"
    run(pg_dump, "--format=custom", "--file", str(dump), connection.settings_dict["NAME"])
    run(pg_restore, "--no-owner", "--exit-on-error", "--dbname", restored_name, str(dump))

    env = pg_env()
    with psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env.get("PGPASSWORD"),
        dbname=restored_name,
    ) as restored:
        with restored.cursor() as cursor:
            check_restored(cursor, records, settings)
    password = f":{env['PGPASSWORD']}" if "PGPASSWORD" in env else ""
    check_the_site_reads(
        f"postgres://{env['PGUSER']}{password}@{env['PGHOST']}:{env['PGPORT']}/{restored_name}",
        intake_key,
    )

    # The custom format is compressed: look into its bytes, and into the SQL it restores.
    assert_no_plaintext(dump.read_bytes())
    sql = run(pg_restore, "--file", "-", str(dump)).stdout
    # The rows are there to look into: a name, kept in clear, is found.
    assert b"COPY public.intake_response" in sql and b"Robin Lee" in sql
    assert_no_plaintext(sql)


# SQLite: the online backup API, consistent while the site keeps writing.


def sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_a_sqlite_backup_restores_into_a_new_file_and_decrypts_only_with_the_keys(
    records, tmp_path, settings, intake_key
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; PostgreSQL has its drill (pg_dump and pg_restore)")
    backup, restored = tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3"
    sqlite_copy(Path(connection.settings_dict["NAME"]), backup)
    sqlite_copy(backup, restored)

    database = sqlite3.connect(restored)
    try:
        check_restored(database.cursor(), records, settings)
    finally:
        database.close()
    check_the_site_reads(f"sqlite:///{restored}", intake_key)
    blob = backup.read_bytes()
    assert b"Robin Lee" in blob  # a name, kept in clear, is found: the grep sees the rows
    assert_no_plaintext(blob)


# The check a restored backup gets before it is trusted (README, "Backups").


@pytest.fixture
def second_factor(practitioner, django_user_model):
    """The practitioner's TOTP key, encrypted as allauth's MFA adapter stores it."""
    user = django_user_model.objects.create_user(username="mara", email="mara@example.org")
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": crypto.encrypt_text("JBSWY3DP")}
    )


def test_check_intake_keys_reads_every_record_and_changes_nothing(records, second_factor):
    before = list(Response.objects.order_by("pk").values_list("answers_encrypted", flat=True))
    out = io.StringIO()
    call_command("check_intake_keys", stdout=out)
    assert out.getvalue() == (
        "4 of 4 responses readable.\n2 of 2 notes readable.\n"
        "0 of 0 session notes readable.\n"
        "1 of 1 second-factor secrets readable.\n"
        "Every encrypted record reads with these keys.\n"
    )
    after = list(Response.objects.order_by("pk").values_list("answers_encrypted", flat=True))
    assert [bytes(t) for t in after] == [bytes(t) for t in before]


def test_check_intake_keys_fails_with_another_key_or_none(records, second_factor, settings):
    settings.INTAKE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("check_intake_keys", stdout=out)
    assert str(refused.value) == UNREADABLE.format(
        count=7, which="responses: 4, notes: 2, second-factor secrets: 1"
    )
    assert "0 of 4 responses readable." in out.getvalue()
    assert not [text for text in ANSWERS["sam@example.org"].values() if text in out.getvalue()]

    settings.INTAKE_ENCRYPTION_KEYS = []
    with pytest.raises(CommandError, match="INTAKE_ENCRYPTION_KEYS is empty"):
        call_command("check_intake_keys", stdout=io.StringIO())
