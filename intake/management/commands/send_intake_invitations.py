"""Send the intake invitations that never went out; the workers run it every five minutes.

An invitation is an effect of the booking's confirmation (intake.notifications), retried by
itself while the mail server is down. This gives one to an assignment that has none (its
booking confirmed before the effect existed, or the effect lost). Safe to run as often as
you like: an invitation already on its way, or sent, is left alone.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from intake import assignments, notifications


class Command(BaseCommand):
    help = "Send the intake invitations that never went out."

    def handle(self, *args, **options):
        pending = assignments.uninvited(now=timezone.now())
        started = notifications.invite(pending)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(pending)} invitations not sent yet; {started} of them sent now, "
                "the others are being retried."
            )
        )
