"""Reads about clients: who they are by verified email, whether the practice knows them.

"Known" means the practitioner marked the email as a client (KnownClient) or a booking under
it, or owned by the account, was completed. Only verified addresses count: anyone can type
an email into the free-call form, so an unverified address proves nothing.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from booking.models import Booking
from practice.models import KnownClient


def verified_emails(user: AbstractBaseUser) -> list[str]:
    """The user's verified addresses (allauth stores them lower-cased)."""
    return list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )


def is_returning_client(user: AbstractBaseUser | AnonymousUser) -> bool:
    """May this user book offerings for returning clients? At most two queries.

    True for a signed-in user with a verified email that is a KnownClient or has a completed
    booking, or who owns a completed booking (``Booking.client``).
    """
    if not user.is_authenticated:
        return False
    completed = Booking.objects.filter(status=Booking.Status.COMPLETED)
    by_email = EmailAddress.objects.filter(user=user, verified=True).filter(
        Exists(KnownClient.objects.filter(email__iexact=OuterRef("email")))
        | Exists(completed.filter(client_email__iexact=OuterRef("email")))
    )
    return by_email.exists() or completed.filter(client=user).exists()


def client_bookings(user: AbstractBaseUser, *, emails: list[str]) -> QuerySet[Booking]:
    """Every booking the user owns or made under one of ``emails`` (their verified ones),
    with what a list of them shows, in one query."""
    by_email = Q()
    for email in emails:
        by_email |= Q(client_email__iexact=email)
    return (
        Booking.objects.filter(Q(client=user) | by_email)
        .select_related("offering__practitioner", "payment")
        .order_by("start")
    )
