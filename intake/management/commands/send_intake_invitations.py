"""Send the intake invitations that did not go out; the workers run it every five minutes.

An invitation is sent once, by the task that runs when a booking is confirmed. If that
email failed (a mail server down, a refused connection), the assignment stays unmarked and
this command sends it. Safe to run as often as you like: what went out is left alone.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.emails.compose import NotificationError
from intake import notifications, services


class Command(BaseCommand):
    help = "Send the intake invitations whose email did not go out."

    def handle(self, *args, **options):
        now = timezone.now()
        pending = services.uninvited(now=now)
        try:
            notifications.send_invitations(pending)
        except NotificationError as error:
            self.stderr.write(str(error))  # assignment ids only; tried again next run
        left = len(services.uninvited(now=now))
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {len(pending) - left} of {len(pending)} waiting invitations."
            )
        )
