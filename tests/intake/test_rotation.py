import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from booking.selectors import booking_note
from booking.services import encrypted_note
from intake import services
from intake.models import Assignment, Response, SessionNote
from practice import crypto

pytestmark = pytest.mark.django_db(transaction=True)


def test_rotation_keeps_every_answer_readable_and_retires_the_old_key(
    settings, booking, intake_key, now
):
    old, new = intake_key, Fernet.generate_key().decode()
    for index in range(5):
        assignment = Assignment.objects.create(
            booking=booking, email=f"p{index}@example.org", name=f"P{index}"
        )
        services.give_consent(assignment=assignment, now=now)
        services.save_answers(
            assignment=assignment, answers={"what_brings_you": f"answer {index}"}, now=now
        )
    erased = Assignment.objects.create(booking=booking, email="gone@example.org", name="Gone")
    services.give_consent(assignment=erased, now=now)
    services.erase(assignment=erased, now=now)
    booking.note_encrypted = encrypted_note("Trust after a breakup")
    booking.save()
    before = dict(Response.objects.values_list("pk", "answers_encrypted"))

    settings.INTAKE_ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_intake_keys", "--batch-size=2", stdout=out)
    assert out.getvalue() == (
        "Re-encrypted 5 responses in 3 batches.\nRe-encrypted 1 notes in 1 batches.\n"
        "Re-encrypted 0 session notes in 0 batches.\n"
        "Re-encrypted 0 second-factor secrets.\n"
    )

    settings.INTAKE_ENCRYPTION_KEYS = [new]
    answers = {
        r.assignment.email: r.answers["what_brings_you"]
        for r in Response.objects.select_related("assignment").exclude(erased_at__isnull=False)
    }
    assert answers == {f"p{i}@example.org": f"answer {i}" for i in range(5)}
    booking.refresh_from_db()
    assert booking_note(booking) == "Trust after a breakup"

    settings.INTAKE_ENCRYPTION_KEYS = [old]
    for response in Response.objects.filter(answers_encrypted__isnull=False):
        assert bytes(response.answers_encrypted) != bytes(before[response.pk])
        with pytest.raises(InvalidToken):
            crypto.decrypt_json(response.answers_encrypted)
    with pytest.raises(InvalidToken):
        booking_note(booking)


def test_rotation_re_encrypts_her_session_notes(settings, booking, intake_key, now):
    from intake import session_notes

    old, new = intake_key, Fernet.generate_key().decode()
    session_notes.save_note(booking=booking, text="Follow up on sleep", now=now)

    settings.INTAKE_ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_intake_keys", stdout=out)
    assert "Re-encrypted 1 session notes in 1 batches." in out.getvalue()

    settings.INTAKE_ENCRYPTION_KEYS = [new]
    assert SessionNote.objects.get().text == "Follow up on sleep"
