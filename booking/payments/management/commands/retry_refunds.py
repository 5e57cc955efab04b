"""Submit the refunds still pending (Stripe was unreachable); the workers run it every 5 min."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from booking.payments import refunds as payment_refunds


class Command(BaseCommand):
    help = "Submit refunds that are still pending after a few minutes."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=5)

    def handle(self, *args, older_than_minutes: int, **options):
        count = payment_refunds.retry_pending_refunds(
            older_than=timedelta(minutes=older_than_minutes)
        )
        self.stdout.write(f"{count} refund(s) submitted.")
