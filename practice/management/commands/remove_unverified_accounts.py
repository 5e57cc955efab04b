"""Delete accounts whose sign-in code was never entered; the workers run it daily.

Asking for a code makes an account on the spot (practice.forms), so a mistyped or a
stranger's address would otherwise be kept for ever. Safe to run as often as you like.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from practice import services


class Command(BaseCommand):
    help = "Delete accounts made for a sign-in code that was never entered (after a week)."

    def handle(self, *args, **options):
        removed = services.remove_unverified_accounts(now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} never-verified accounts."))
