"""Re-encrypt every stored intake response with the first of INTAKE_ENCRYPTION_KEYS.

Rotation: put the new key first in INTAKE_ENCRYPTION_KEYS (keep the old ones after it),
deploy, run this command, then remove the old keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from intake import crypto
from intake.models import Response


class Command(BaseCommand):
    help = "Re-encrypt every intake response with the first key of INTAKE_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        rotated = batches = 0
        last_pk = 0
        while True:
            # One short transaction per batch, rows locked so a concurrent save waits for
            # its batch rather than being overwritten with the older ciphertext.
            with transaction.atomic(durable=True):
                batch = list(
                    Response.objects.select_for_update()
                    .filter(pk__gt=last_pk, answers_encrypted__isnull=False)
                    .order_by("pk")
                    .only("pk", "answers_encrypted")[:batch_size]
                )
                if not batch:
                    break
                for response in batch:
                    response.answers_encrypted = crypto.rotate(response.answers_encrypted)
                Response.objects.bulk_update(batch, ["answers_encrypted"])
            rotated += len(batch)
            batches += 1
            last_pk = batch[-1].pk
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {rotated} so far")
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {rotated} responses in {batches} batches.")
        )
