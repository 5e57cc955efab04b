"""Check that INTAKE_ENCRYPTION_KEYS read every stored intake response, booking note and
second-factor secret, changing nothing and showing none of them.

For a restored backup before it is trusted (README, "Backups"), and before an old key is
removed after ``rotate_intake_keys``: a record no key reads is lost for good, so it is
better found while the key that wrote it is still at hand.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.management.commands.rotate_intake_keys import ENCRYPTED, MFA_SECRETS
from practice import crypto

UNREADABLE = (
    "{count} stored records cannot be read with INTAKE_ENCRYPTION_KEYS ({which}): set the "
    "keys this database was written with (a backup needs the keys of the day it was made)."
)


def _reads(decrypt, token) -> bool:
    try:
        decrypt(token)
    except crypto.InvalidToken:
        return False
    return True


class Command(BaseCommand):
    help = (
        "Check that INTAKE_ENCRYPTION_KEYS read every intake response, booking note and "
        "second-factor secret (nothing is changed or shown)."
    )

    def handle(self, *args, **options):
        if not settings.INTAKE_ENCRYPTION_KEYS:
            raise CommandError(crypto.NO_KEYS)
        counts = []
        for model, field, label in ENCRYPTED:
            tokens = model.objects.filter(**{f"{field}__isnull": False}).values_list(field)
            counts.append((label, [_reads(crypto.decrypt_json, t) for (t,) in tokens.iterator()]))
        secrets = [
            data[key]
            for (data,) in Authenticator.objects.values_list("data")
            for key in MFA_SECRETS
            if key in data
        ]
        counts.append(("second-factor secrets", [_reads(crypto.decrypt_text, s) for s in secrets]))
        for label, read in counts:
            self.stdout.write(f"{sum(read)} of {len(read)} {label} readable.")
        unreadable = {label: read.count(False) for label, read in counts if not all(read)}
        if unreadable:
            which = ", ".join(f"{label}: {count}" for label, count in unreadable.items())
            raise CommandError(UNREADABLE.format(count=sum(unreadable.values()), which=which))
        self.stdout.write(self.style.SUCCESS("Every encrypted record reads with these keys."))
