"""Reads: the people the practice has booked or marked, found by name or email.

A person is an email address (lower-cased): the bookings made under it and the
practitioner's mark (practice.models.KnownClient) name the same person. Their name and
time zone are those of their latest booking, which is what she would recognise and what a
new booking for them most likely needs.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

from booking.models import Booking
from practice.models import KnownClient

SHOWN = 12


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    timezone: str
    known: bool  # marked by her, or a completed booking


def find_people(query: str, *, limit: int = SHOWN) -> list[Person]:
    """People whose name or email contains ``query`` (case-insensitive), most recently
    booked first, then those only marked; at most ``limit``. Three queries whatever the
    number of bookings."""
    query = query.strip()
    if not query:
        return []
    bookings = (
        Booking.objects.filter(Q(client_name__icontains=query) | Q(client_email__icontains=query))
        .annotate(address=Lower("client_email"))
        .order_by("-start")
        .values("address", "client_name", "client_timezone")
    )
    found: dict[str, dict] = {}
    for row in bookings[: limit * 20]:
        found.setdefault(row["address"], row)
        if len(found) >= limit:
            break
    marked = set(
        KnownClient.objects.annotate(address=Lower("email"))
        .filter(Q(address__in=list(found)) | Q(address__icontains=query.lower()))
        .values_list("address", flat=True)[: limit * 2]
    )
    completed = set(
        Booking.objects.filter(status=Booking.Status.COMPLETED)
        .annotate(address=Lower("client_email"))
        .filter(address__in=list(found))
        .values_list("address", flat=True)
    )
    people = [
        Person(address, row["client_name"], row["client_timezone"], address in marked | completed)
        for address, row in found.items()
    ]
    people += [Person(address, "", "", True) for address in sorted(marked - set(found))]
    return people[:limit]


def person(email: str) -> Person | None:
    """The one person under ``email``, or None if the practice has never heard of them."""
    email = email.strip().lower()
    if not email:
        return None
    latest = (
        Booking.objects.annotate(address=Lower("client_email"))
        .filter(address=email)
        .order_by("-start")
        .values("client_name", "client_timezone")
        .first()
    )
    known = KnownClient.objects.filter(email__iexact=email).exists()
    if latest is None:
        return Person(email, "", "", True) if known else None
    completed = Booking.objects.filter(
        client_email__iexact=email, status=Booking.Status.COMPLETED
    ).exists()
    return Person(email, latest["client_name"], latest["client_timezone"], known or completed)
