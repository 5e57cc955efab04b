"""Erase the intake answers past the practice's retention period; for cron, daily.

Each erased response keeps its tombstone (which questionnaire, when, erased when). Safe to
run as often as you like: what is already erased is left alone.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from intake import services


class Command(BaseCommand):
    help = "Erase intake answers whose retention period after the last session has ended."

    def handle(self, *args, **options):
        erased = services.erase_expired(now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(f"Erased {erased} intake responses past their retention period.")
        )
