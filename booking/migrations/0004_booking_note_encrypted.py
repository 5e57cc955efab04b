"""The client's note is encrypted at rest like intake answers: existing notes are encrypted
with the first of INTAKE_ENCRYPTION_KEYS (0005 then drops the plaintext column)."""

from django.db import migrations, models

from practice import crypto


def encrypt_notes(apps, schema_editor):
    Booking = apps.get_model("booking", "Booking")
    for booking in Booking.objects.exclude(note="").only("pk", "note").iterator():
        booking.note_encrypted = crypto.encrypt_json(booking.note)
        booking.save(update_fields=["note_encrypted"])


def decrypt_notes(apps, schema_editor):
    Booking = apps.get_model("booking", "Booking")
    for booking in Booking.objects.exclude(note_encrypted=None).iterator():
        booking.note = crypto.decrypt_json(booking.note_encrypted)
        booking.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0003_booking_partner"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="note_encrypted",
            field=models.BinaryField(editable=False, null=True),
        ),
        migrations.RunPython(encrypt_notes, decrypt_notes),
    ]
