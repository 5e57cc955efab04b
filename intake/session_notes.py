"""The practitioner's private note about a session: written, read and logged here alone.

The note is hers, about the client: as private as intake answers, so it is encrypted the
same way (``practice.crypto``) and every read is written to the access log before anything is
decrypted, so that the log can always say who read it and when. Nothing here logs, emails
or puts the text anywhere else.
"""

from datetime import datetime

from django.db import transaction

from booking.models import Booking
from intake.models import AccessLog, SessionNote
from practice import crypto

NOTE_TOO_LONG = "Please keep the note under {limit:,} characters."
MAX_NOTE_LENGTH = 20_000


def note_exists(booking: Booking) -> SessionNote | None:
    """The booking's note row, without decrypting it (for "written on …" beside a link)."""
    return SessionNote.objects.filter(booking_id=booking.pk).defer("text_encrypted").first()


def read_note(*, booking: Booking, user, now: datetime) -> str:
    """The note in clear for ``user`` (the practitioner), its read logged first; "" when
    there is none (nothing to log then)."""
    note = SessionNote.objects.filter(booking_id=booking.pk).first()
    if note is None:
        return ""
    with transaction.atomic():
        AccessLog.objects.create(
            user=user, session_note=note, action=AccessLog.Action.READ, at=now
        )
    return note.text


def save_note(*, booking: Booking, text: str, now: datetime) -> SessionNote:
    """Keep ``text`` as the booking's note, encrypted. An emptied note keeps its row (empty,
    encrypted all the same), so that the log of who read it before stays."""
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise ValueError(NOTE_TOO_LONG.format(limit=MAX_NOTE_LENGTH))
    with transaction.atomic(durable=True):
        note = SessionNote.objects.select_for_update().filter(booking_id=booking.pk).first()
        if note is None:
            note = SessionNote(booking=booking, created_at=now)
        note.text_encrypted = crypto.encrypt_json(text)
        note.updated_at = now
        note.save()
    return note
