"""Writes about clients and their accounts, and her practice settings."""

from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email, user_email
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from booking.models import Booking
from practice.models import KnownClient
from practice.selectors import verified_emails


def claim_bookings(*, user: AbstractBaseUser) -> int:
    """Give the user the bookings made under one of their verified emails that have no
    owner yet (the free call is booked without an account). Returns how many.

    Called from allauth's adapter, on sign-in and when an address is verified, so possibly
    inside allauth's own transaction: atomic, but not durable. The single UPDATE only ever
    touches rows without a client, so another person's bookings never move.
    """
    with transaction.atomic():
        emails = verified_emails(user)
        if not emails:
            return 0
        by_email = Q()
        for email in emails:
            by_email |= Q(client_email__iexact=email)
        return Booking.objects.filter(by_email, client__isnull=True).update(client=user)


def provision_account(*, request: HttpRequest, email: str) -> AbstractBaseUser | None:
    """An account, without a password and with ``email`` unverified, for an address that
    asked for a sign-in code and has none. The code then proves the address (allauth
    verifies it when the code is entered), so a returning client who never signed up needs
    nothing but their email.

    Returns None, and creates nothing, when signup is closed or the address belongs to an
    account already (an inactive one included: it stays locked out).
    """
    adapter = get_adapter(request)
    if not adapter.is_open_for_signup(request):
        return None
    with transaction.atomic():
        if filter_users_by_email(email):
            return None
        user = adapter.new_user(request)
        user_email(user, email)
        adapter.populate_username(request, user)
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email.lower(), primary=True, verified=False)
    return user


UNVERIFIED_ACCOUNT_DAYS = 7


def remove_unverified_accounts(*, now) -> int:
    """Delete the accounts made for a code that was never entered, ``UNVERIFIED_ACCOUNT_DAYS``
    after they were made; how many. Anyone can type an address into the code form, so such an
    account holds nothing but an address that never proved itself: keeping it would keep a
    stranger's address for no reason. Accounts with a verified address, a password, staff
    rights or a booking of their own are never touched."""
    users = (
        get_user_model()
        .objects.filter(
            date_joined__lt=now - timedelta(days=UNVERIFIED_ACCOUNT_DAYS),
            is_staff=False,
            is_superuser=False,
            last_login__isnull=True,
            bookings__isnull=True,
        )
        .exclude(emailaddress__verified=True)
    )
    stale = [user.pk for user in users if not user.has_usable_password()]
    _, deleted = get_user_model().objects.filter(pk__in=stale).delete()
    return deleted.get(get_user_model()._meta.label, 0)


def mark_returning(*, email: str, note: str) -> KnownClient:
    """Mark ``email`` as a returning client, with the practitioner's own note why ("Worked
    together in 2024"), or change the note of one already marked. Once they sign in with
    this address they may book what is for returning clients. The note is hers alone: no
    page of the client's and no email reads it."""
    email = email.strip().lower()
    with transaction.atomic(durable=True):
        known = KnownClient.objects.select_for_update().filter(email__iexact=email).first()
        if known is None:
            return KnownClient.objects.create(email=email, note=note.strip())
        known.note = note.strip()
        known.save(update_fields=["note"])
        return known


def unmark_returning(*, email: str) -> bool:
    """Take the returning-client mark (and its note) off ``email``; whether there was one.
    Completed sessions still count as returning (practice.selectors.is_returning_client)."""
    with transaction.atomic(durable=True):
        deleted, _ = KnownClient.objects.filter(email__iexact=email.strip()).delete()
    return bool(deleted)


PRACTICE_SETTINGS = (
    "timezone",
    "manage_cutoff",
    "contact_note",
    "intake_retention_days",
    "checkin_within_days",
    "morning_email_at",
)


def update_practice_settings(*, practitioner, **values):
    """Change her practice settings (zone, clients' change cut-off, contact note, intake
    retention and check-in window, her morning email); only the fields named in PRACTICE_SETTINGS.

    A new zone moves nothing already booked (bookings are instants) and keeps her weekly
    hours as the same wall-clock times, now read in the new zone."""
    unknown = set(values) - set(PRACTICE_SETTINGS)
    if unknown:
        raise ValueError(f"Not a practice setting: {', '.join(sorted(unknown))}")
    with transaction.atomic(durable=True):
        locked = type(practitioner).objects.select_for_update().get(pk=practitioner.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(values))
    for name, value in values.items():
        setattr(practitioner, name, value)
    return practitioner
