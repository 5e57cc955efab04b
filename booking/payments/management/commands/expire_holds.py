"""Mark holds whose time has passed as expired (the workers run it every minute).

A lapsed hold stops blocking at its ``hold_expires_at`` whether or not this runs (every
read compares it with the clock); the expire_hold task normally marks it at that moment.
"""

from django.core.management.base import BaseCommand

from booking import services


class Command(BaseCommand):
    help = "Mark held bookings whose hold has expired as expired."

    def handle(self, *args, **options):
        count = services.expire_holds()
        self.stdout.write(f"{count} hold(s) expired.")
