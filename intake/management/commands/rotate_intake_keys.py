"""Re-encrypt every stored intake response, booking note and second-factor secret with the
first of INTAKE_ENCRYPTION_KEYS.

Rotation: put the new key first in INTAKE_ENCRYPTION_KEYS (keep the old ones after it),
deploy, run this command, then remove the old keys.
"""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from booking.models import Booking
from intake.models import Response, SessionNote
from practice import crypto

ENCRYPTED = (
    (Response, "answers_encrypted", "responses"),
    (Booking, "note_encrypted", "notes"),
    (SessionNote, "text_encrypted", "session notes"),
)
# What allauth's MFA adapter (practice.adapters) encrypts inside an authenticator's data.
MFA_SECRETS = ("secret", "seed")


class Command(BaseCommand):
    help = (
        "Re-encrypt every intake response and booking note with the first key of "
        "INTAKE_ENCRYPTION_KEYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        for model, field, label in ENCRYPTED:
            rotated, batches = self.rotate(model, field, batch_size, options["verbosity"])
            self.stdout.write(
                self.style.SUCCESS(f"Re-encrypted {rotated} {label} in {batches} batches.")
            )
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {self.rotate_mfa()} second-factor secrets.")
        )

    def rotate_mfa(self) -> int:
        """A handful of rows (the practitioner's TOTP and recovery codes): one transaction."""
        rotated = 0
        with transaction.atomic(durable=True):
            for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
                data = authenticator.data
                for key in MFA_SECRETS:
                    if key in data:
                        data[key] = crypto.rotate(data[key].encode("ascii")).decode("ascii")
                        rotated += 1
                authenticator.save(update_fields=["data"])
        return rotated

    def rotate(self, model, field: str, batch_size: int, verbosity: int) -> tuple[int, int]:
        rotated = batches = 0
        last_pk = 0
        while True:
            # One short transaction per batch, rows locked so a concurrent save waits for
            # its batch rather than being overwritten with the older ciphertext.
            with transaction.atomic(durable=True):
                batch = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last_pk, **{f"{field}__isnull": False})
                    .order_by("pk")
                    .only("pk", field)[:batch_size]
                )
                if not batch:
                    break
                for row in batch:
                    setattr(row, field, crypto.rotate(getattr(row, field)))
                model.objects.bulk_update(batch, [field])
            rotated += len(batch)
            batches += 1
            last_pk = batch[-1].pk
            if verbosity >= 2:
                self.stdout.write(f"  {rotated} so far")
        return rotated, batches
