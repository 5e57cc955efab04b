"""Reads for her clients: who they are, the list she searches, and one client's page.

A client is a person known by an email address, whatever its case: the address a booking
was made with (and the account it was booked from), a couples partner's address, or one she
marked as a returning client (``KnownClient``). The Clients list and the "Book for a client"
page both find people here (``search``, ``find_clients``, ``one_client``), so that one query
finds the same people, with the same names and "returning" marks, in both places.

An address never goes into a URL: each client has an opaque key, an HMAC of the lower-cased
address under the SECRET_KEY, which the key's page turns back into the address by comparing
it with every address known.
"""

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower

from booking.models import Booking
from booking.payments.models import Payment
from console import book_for
from intake import questionnaires
from intake.models import Assignment, Response, SessionNote
from practice.models import ERASED_DOMAIN, KnownClient, Offering, Practitioner

PAGE_SIZE = 50
SHOWN = 12  # people a search on the book-for page lists
_SALT = b"console.clients.key"
# Bookings that are, were or will be a meeting (not cancelled, expired or a lapsed hold).
_MET = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def client_key(email: str) -> str:
    """The client's key in URLs: stable, opaque, and the same for any case of the address."""
    digest = hmac.new(
        settings.SECRET_KEY.encode() + _SALT, email.strip().lower().encode(), hashlib.sha256
    )
    return digest.hexdigest()[:32]


def fold(text: str) -> str:
    """For searching: case and accents set aside ("Zoë" is found by "zoe")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class ClientRow:
    """One line of the list."""

    email: str
    name: str = ""
    timezone: str = ""  # the zone of their latest booking of their own, for a new one
    sessions: int = 0
    last: datetime | None = None
    next: datetime | None = None
    returning: bool = False
    only_free_calls: bool = True
    has_bookings: bool = False

    @property
    def key(self) -> str:
        return client_key(self.email)

    @property
    def is_new(self) -> bool:
        """Someone who has booked nothing but a free assessment call (yet)."""
        return self.has_bookings and self.only_free_calls and not self.returning


def _is_live(status: str, hold_expires_at: datetime | None, now: datetime) -> bool:
    if status == Booking.Status.CONFIRMED:
        return True
    return status == Booking.Status.HELD and hold_expires_at is not None and hold_expires_at > now


def all_clients(*, practitioner: Practitioner, now: datetime) -> list[ClientRow]:
    """Everyone who booked with her, joined one as a partner, or is marked as returning,
    soonest next session first, then the most recent last session, then by address. Two
    queries, whatever the number of bookings."""
    bookings = Booking.objects.filter(practitioner=practitioner)
    return sorted(_rows(bookings, KnownClient.objects.all(), now).values(), key=_order)


def one_client(*, practitioner: Practitioner, email: str, now: datetime) -> ClientRow | None:
    """The one line of the list for ``email``, or None when she has never heard of them (or
    they were erased); two queries."""
    email = email.strip().lower()
    if not email:
        return None
    bookings = Booking.objects.filter(practitioner=practitioner).filter(
        Q(client_email__iexact=email) | Q(partner_email__iexact=email)
    )
    known = KnownClient.objects.filter(email__iexact=email)
    return _rows(bookings, known, now).get(email)


def _rows(bookings, known, now: datetime) -> dict[str, ClientRow]:
    """The lines of ``bookings`` and ``known`` marks, by lower-cased address."""
    rows: dict[str, ClientRow] = {}

    def row(email: str) -> ClientRow:
        email = email.lower()
        if email not in rows:
            rows[email] = ClientRow(email=email)
        return rows[email]

    bookings = (
        bookings.exclude(client_email__iendswith="@" + ERASED_DOMAIN)
        .order_by("start", "pk")
        .values_list(
            "client_email",
            "client_name",
            "client_timezone",
            "partner_email",
            "partner_name",
            "start",
            "status",
            "hold_expires_at",
            "offering__kind",
        )
    )
    for (
        email,
        name,
        zone,
        partner_email,
        partner_name,
        start,
        status,
        hold_until,
        kind,
    ) in bookings:
        people = [(email, name, True)]
        if partner_email:
            people.append((partner_email, partner_name, False))
        for address, person_name, booker in people:
            client = row(address)
            client.has_bookings = True
            client.name = person_name or client.name  # the latest booking's, by start
            if booker:
                client.timezone = zone or client.timezone
            if kind != Offering.Kind.ASSESSMENT:
                client.only_free_calls = False
            if booker and status == Booking.Status.COMPLETED:
                client.returning = True
            if status in _MET:
                client.sessions += 1
                if start < now:
                    client.last = start
            if start >= now and _is_live(status, hold_until, now) and client.next is None:
                client.next = start
    for email in known.values_list("email", flat=True):
        if not email.lower().endswith("@" + ERASED_DOMAIN):
            row(email).returning = True
    return rows


def _order(client: ClientRow) -> tuple:
    if client.next is not None:
        return (0, client.next.timestamp(), client.email)
    if client.last is not None:
        return (1, -client.last.timestamp(), client.email)
    return (2, 0, client.email)


def search(clients: list[ClientRow], query: str) -> list[ClientRow]:
    """The clients whose name or address holds every word of ``query``."""
    words = fold(query).split()
    if not words:
        return clients
    return [c for c in clients if all(w in fold(f"{c.name} {c.email}") for w in words)]


def find_clients(
    *, practitioner: Practitioner, query: str, now: datetime, limit: int = SHOWN
) -> list[ClientRow]:
    """The first ``limit`` clients the Clients list finds for ``query``, in its order."""
    if not query.strip():
        return []
    return search(all_clients(practitioner=practitioner, now=now), query)[:limit]


def email_for_key(*, practitioner: Practitioner, key: str) -> str | None:
    """The address whose key is ``key``, among every address known to her; one query."""
    mine = Booking.objects.filter(practitioner=practitioner).order_by()
    emails = (
        mine.annotate(address=Lower("client_email"))
        .values_list("address", flat=True)
        .union(
            mine.exclude(partner_email="")
            .annotate(address=Lower("partner_email"))
            .values_list("address", flat=True),
            KnownClient.objects.order_by()
            .annotate(address=Lower("email"))
            .values_list("address", flat=True),
        )
    )
    for email in emails:
        if email.endswith("@" + ERASED_DOMAIN):
            continue
        if hmac.compare_digest(client_key(email), key):
            return email
    return None


# --- one client's page ---------------------------------------------------------------------


@dataclass
class IntakeLine:
    """One intake questionnaire of theirs, in words."""

    booking: Booking
    status: str
    checkin: bool
    sent: bool  # an invitation exists: her review of it is one click away


@dataclass
class ClientPage:
    email: str
    key: str
    name: str
    zone: str
    emails: list[str]  # every address of theirs: the booking's, and their account's
    has_account: bool
    known: KnownClient | None
    completed: int
    upcoming: list[Booking]
    past: list[Booking]
    payments: list[Payment]
    intakes: list[IntakeLine]
    hardship: list
    notes: int  # her session notes about them (counted, not read)
    partner_of: list[Booking] = field(default_factory=list)

    @property
    def returning(self) -> bool:
        return self.known is not None or self.completed > 0

    @property
    def marked_by_booking(self) -> bool:
        """The mark came by itself with a paid session she booked for them."""
        return self.known is not None and book_for.is_marked_by_booking(self.known)

    @property
    def known_note(self) -> str:
        """Her own note on the mark, ``“Worked together in 2024”.``, its stop not doubled."""
        if self.known is None or not self.known.note or self.marked_by_booking:
            return ""
        note = self.known.note.strip()
        return f"“{note}”" + ("" if note[-1:] in ".!?…" else ".")

    @property
    def own_upcoming(self) -> list[Booking]:
        """What they booked themselves ahead (not as someone's partner): one of these held
        makes them a returning client (practice.selectors.is_returning_client)."""
        partner_ids = {b.pk for b in self.partner_of}
        return [b for b in self.upcoming if b.pk not in partner_ids]

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


def intake_status(assignment: Assignment | None) -> str:
    """An intake's state as she reads it in a list."""
    if assignment is None or assignment.invited_at is None:
        return "not sent yet"
    response: Response | None = getattr(assignment, "response", None)
    if response is None:
        return "invited, not started"
    if response.erased_at is not None:
        return "answers erased"
    if response.submitted_at is None:
        return "started, not sent"
    return "sent"


def _payment(booking: Booking) -> Payment | None:
    try:
        return booking.payment
    except Payment.DoesNotExist:
        return None


def _hardship(booking: Booking):
    try:
        return booking.hardship_request
    except Booking.hardship_request.RelatedObjectDoesNotExist:
        return None


def client_page(*, practitioner: Practitioner, email: str, now: datetime) -> ClientPage:
    """Everything her page of one client shows, in a fixed number of queries whatever the
    number of their bookings."""
    email = email.lower()
    addresses = list(
        EmailAddress.objects.filter(
            user__in=EmailAddress.objects.filter(email__iexact=email).values("user_id")
        ).values_list("user_id", "email", "verified")
    )
    account_ids = sorted({user_id for user_id, _email, _verified in addresses})
    mine = Q(client_email__iexact=email)
    if account_ids:
        mine |= Q(client_id__in=account_ids)
    bookings = list(
        Booking.objects.filter(
            Q(practitioner=practitioner) & (mine | Q(partner_email__iexact=email))
        )
        .select_related("offering", "payment", "hardship_request")
        .prefetch_related(
            "payment__refunds",
            # The page says where each intake stands; it never decrypts (or loads) answers.
            Prefetch("intakes__response", queryset=Response.objects.defer("answers_encrypted")),
        )
        .order_by("start", "pk")
    )
    own = [b for b in bookings if b.client_email.lower() == email or b.client_id in account_ids]
    own_ids = {b.pk for b in own}
    partner_of = [b for b in bookings if b.pk not in own_ids]
    upcoming = [b for b in bookings if b.end > now and _is_live(b.status, b.hold_expires_at, now)]
    upcoming_ids = {b.pk for b in upcoming}
    past = [b for b in reversed(bookings) if b.pk not in upcoming_ids]
    intakes = []
    asks = {}  # offering kind → whether it comes with a questionnaire
    for booking in bookings:
        attendees = list(booking.intakes.all())
        theirs = [a for a in attendees if a.email.lower() == email] or (
            [a for a in attendees if a.role == Assignment.Role.CLIENT]
            if booking.pk in own_ids
            else []
        )
        assignment = theirs[0] if theirs else None
        kind = booking.offering.kind
        if kind not in asks:
            asks[kind] = questionnaires.for_offering_kind(kind) is not None
        if assignment is None and not (asks[kind] and booking.pk in upcoming_ids):
            continue  # none was sent, and none will be
        response = getattr(assignment, "response", None) if assignment else None
        checkin = bool(response and response.questionnaire_id.startswith("checkin"))
        intakes.append(
            IntakeLine(booking, intake_status(assignment), checkin, assignment is not None)
        )
    latest = own[-1] if own else (partner_of[-1] if partner_of else None)
    name = ""
    if latest is not None:
        name = latest.client_name if latest.pk in own_ids else latest.partner_name
    emails = [email] + sorted(
        {e.lower() for _u, e, verified in addresses if verified and e.lower() != email}
    )
    return ClientPage(
        email=email,
        key=client_key(email),
        name=name,
        zone=latest.client_timezone if latest is not None else "",
        emails=emails,
        has_account=bool(account_ids),
        known=KnownClient.objects.filter(email__iexact=email).first(),
        completed=sum(1 for b in own if b.status == Booking.Status.COMPLETED),
        upcoming=upcoming,
        past=past,
        payments=[p for p in (_payment(b) for b in own) if p is not None],
        intakes=intakes,
        hardship=[h for h in (_hardship(b) for b in own) if h is not None],
        # Her session notes are counted, never read, here.
        notes=SessionNote.objects.filter(booking__in=bookings).count(),
        partner_of=partner_of,
    )
