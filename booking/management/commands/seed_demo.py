"""Load the demo practice (idempotent): a Berlin practitioner, her hours, three offerings,
one returning client to try the paid sessions with, and a lived-in fortnight around today
(booking.management.demo_week)."""

import secrets
from datetime import time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from booking.management.demo_week import seed_demo_week
from booking.models import AvailabilityRule
from booking.payments.models import RefundTier
from practice.models import KnownClient, Offering, Practitioner

DEMO_USERNAME = "practitioner"
DEMO_EMAIL = "mara@example.org"
# Marked as a client, so that signing in with it opens the paid sessions.
DEMO_CLIENT_EMAIL = "sam@example.org"
# Full refund 48 hours or more before, half from 24 hours, none after.
REFUND_TIERS = [(48, 100), (24, 50)]
WEEKLY_HOURS = [(time(9), time(12, 30)), (time(14), time(18))]

OFFERINGS = [
    {
        "slug": "assessment",
        "name": "Free assessment call",
        "kind": Offering.Kind.ASSESSMENT,
        "description": "A relaxed first conversation to see whether working together feels right.",
        "duration_minutes": 30,
        "price": Decimal("0"),
        "returning_clients_only": False,
        "buffer_after_minutes": 15,
        "min_notice_minutes": 12 * 60,
        "horizon_days": 42,
        "daily_cap": 4,
        "slot_step_minutes": 30,
        "position": 0,
    },
    {
        "slug": "session",
        "name": "Single session",
        "kind": Offering.Kind.SESSION,
        "description": "A 60-minute session for clients who have worked with Mara before.",
        "duration_minutes": 60,
        "price": Decimal("120.00"),
        "currency": "EUR",
        "returning_clients_only": True,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 15,
        "min_notice_minutes": 24 * 60,
        "horizon_days": 60,
        "slot_step_minutes": 30,
        "position": 1,
    },
    {
        "slug": "couples_session",
        "name": "Couples session",
        "kind": Offering.Kind.COUPLES_SESSION,
        "description": "A 90-minute session for a couple; each partner fills their own "
        "questionnaire beforehand, privately.",
        "duration_minutes": 90,
        "price": Decimal("180.00"),
        "currency": "EUR",
        "returning_clients_only": True,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 15,
        "min_notice_minutes": 24 * 60,
        "horizon_days": 60,
        "slot_step_minutes": 30,
        "position": 2,
    },
]


class Command(BaseCommand):
    help = "Create or update the demo practice. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-login",
            action="store_true",
            help="Set a fresh password for the demo practitioner and print where to log in.",
        )

    def handle(self, *args, print_login: bool = False, **options):
        user, practitioner = self._practice()
        # After the practice's own transaction: the intake services open their own.
        added = seed_demo_week(practitioner, now=timezone.now())
        self.stdout.write(self.style.SUCCESS("Demo practice ready."))
        if added:
            self.stdout.write(f"  Added {added} demo bookings around today.")
        if print_login:
            self._print_login(user)

    @transaction.atomic
    def _practice(self):
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": DEMO_EMAIL},
        )
        # Her address is verified, so she signs in by email (code or password) at once.
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        practitioner, _ = Practitioner.objects.update_or_create(
            user=user,
            defaults={
                "name": "Mara Lindqvist",
                "practice_name": "Mara Lindqvist Coaching",
                "email": DEMO_EMAIL,
                "timezone": "Europe/Berlin",
                "manage_cutoff": timedelta(hours=12),
                "contact_note": "Just reply to any email from us and Mara will get back to you.",
                "morning_email_at": time(7, 30),
            },
        )
        if not practitioner.availability_rules.exists():
            AvailabilityRule.objects.bulk_create(
                AvailabilityRule(practitioner=practitioner, weekday=day, start_time=s, end_time=e)
                for day in range(5)
                for s, e in WEEKLY_HOURS
            )
        # Demo databases made before the slug followed the offering kind's name.
        if not Offering.objects.filter(slug="couples_session").exists():
            Offering.objects.filter(slug="couples-session").update(slug="couples_session")
        for fields in OFFERINGS:
            offering, _ = Offering.objects.update_or_create(
                slug=fields["slug"],
                defaults=fields
                | {
                    "practitioner": practitioner,
                    "video_link": "https://meet.example.org/mara-lindqvist",
                },
            )
            if not offering.is_free and not offering.refund_tiers.exists():
                RefundTier.objects.bulk_create(
                    RefundTier(offering=offering, min_hours_before_start=h, refund_percent=p)
                    for h, p in REFUND_TIERS
                )
        KnownClient.objects.get_or_create(
            email=DEMO_CLIENT_EMAIL, defaults={"note": "Demo returning client"}
        )
        return user, practitioner

    def _print_login(self, user):
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save(update_fields=["password"])
        site = settings.SITE_URL
        self.stdout.write(
            f"\n  Booking pages:    {site}/\n"
            f"  Practitioner:     {site}/console/ (sign in by code or password; the console\n"
            "    asks her to set up an authenticator app or a passkey first)\n"
            f"    Email: {DEMO_EMAIL}   Password: {password}   (demo only)\n"
            f"  Returning client: sign in at {site}/accounts/login/code/ as "
            f"{DEMO_CLIENT_EMAIL};\n"
            "    the code is printed here, with every email, and payment runs on a local "
            "stand-in of Stripe.\n"
        )
