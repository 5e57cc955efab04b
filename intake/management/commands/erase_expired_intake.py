"""Erase intake answers and booking notes past the retention period; workers run it daily.

Each erased response keeps its tombstone (which questionnaire, when, erased when). Safe to
run as often as you like: what is already erased is left alone.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from intake import retention


class Command(BaseCommand):
    help = "Erase intake answers whose retention period after the last session has ended."

    def handle(self, *args, **options):
        erased = retention.apply_retention(now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased {erased['responses']} intake responses and {erased['notes']} booking "
                "notes past their retention period."
            )
        )
