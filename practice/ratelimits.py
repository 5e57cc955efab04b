"""Rate limits: per client address, per email address, per network (booking, sign-in).

Counts live in the shared cache (settings.CACHES: the database cache, or Redis), so that
every worker and every machine sees the same counts. Django's DatabaseCache ``incr`` is a
read and a write, so two workers can both read 4 and both write 5; ``add`` is not (an
INSERT on the cache table's primary key, SET NX on Redis): only one caller can add a key.
So each fixed window of a rate has ``amount`` numbered keys, and a request takes the
first free one with ``add``; when all are taken the window is full. A request reads the
window's keys in one round trip first, so it usually needs one ``add``.

Emails never reach the cache in clear: keys carry an HMAC of the address.
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from practice.selectors import verified_emails

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int


class Limited(Exception):
    """Over a limit: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class AwaitingConfirmation(Limited):
    """Its network already has settings.UNCONFIRMED_PER_NETWORK free calls waiting for their
    email confirmation: each keeps a time from everyone else, so no more until they are
    confirmed or lapse (in ``retry_after`` seconds at the latest)."""


def parse_rates(text: str) -> list[Rate]:
    """``"10/h,30/d"`` (allauth's notation: ``5/15m`` is five per 15 minutes) → rates."""
    rates = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        amount, _, period = part.partition("/")
        count = period[:-1] or "1"
        rates.append(Rate(int(amount), int(count) * UNITS[period[-1]]))
    return rates


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header that settings.CLIENT_IP_HEADER
    names when a proxy we run sets it (its last entry: the one our proxy appended;
    anything before it came from the client and proves nothing)."""
    header = settings.CLIENT_IP_HEADER
    value = request.headers.get(header, "") if header else ""
    candidate = value.split(",")[-1].strip() if value else ""
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "") or "unknown"


def network_of(ip: str) -> str:
    """The IPv4 /24 or IPv6 /64 around ``ip``: one household, office or mobile network,
    whose addresses one person can change at will."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _subject(kind: str, value: str) -> str:
    if kind == "email":
        value = salted_hmac("practice.ratelimits", value.strip().lower()).hexdigest()[:32]
    return f"{kind}:{value}"


def _claim(name: str, rate: Rate, *, now: float | None = None) -> tuple[str | None, int]:
    """Take a free key of ``name``'s current window of ``rate``: the key (None if the
    window is full) and the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    left = max(1, math.ceil((window + 1) * rate.seconds - now))
    keys = [f"limit:{name}:{rate.amount}/{rate.seconds}:{window}:{n}" for n in range(rate.amount)]
    taken = cache.get_many(keys)
    for key in keys:
        # Another worker may take the same free key first: add() then fails, try the next.
        if key not in taken and cache.add(key, 1, timeout=left + 1):
            return key, left
    return None, left


def take(name: str, rate: Rate, *, now: float | None = None) -> int | None:
    """Count one hit of ``name`` against ``rate``: None if it fits, else the seconds until
    its window ends and there is room again."""
    key, left = _claim(name, rate, now=now)
    return None if key else left


def check(action: str, *, ip: str, email: str = "") -> None:
    """Count a request of ``action`` from ``ip`` (and for ``email``) against the rates in
    settings.BOOKING_RATE_LIMITS; raise Limited, with the longest wait among the rates
    that are full, when any is."""
    waits = []
    for kind, value in (("ip", ip), ("email", email)):
        rates = settings.BOOKING_RATE_LIMITS.get(action, {}).get(kind, "")
        if not value:
            continue
        for rate in parse_rates(rates):
            if (wait := take(f"{action}:{_subject(kind, value)}", rate)) is not None:
                waits.append(wait)
    if waits:
        raise Limited(max(waits))


def check_booking(request: HttpRequest, *, email: str = "") -> None:
    """Count a booking (a free one, or a paid checkout started) against the "book" rates.

    A signed-in client with a verified address (shown by an emailed code) counts per
    account, wherever they book from: an office or a household shares one address, and
    other people's free bookings there must not refuse them a session. Everyone else
    counts per client address and per the email address given."""
    user = request.user
    if user.is_authenticated and user.email.strip().lower() in verified_emails(user):
        check("book", ip="", email=user.email)
    else:
        check("book", ip=client_ip(request), email=email)


def network_wants_confirmation(ip: str) -> bool:
    """Count a free booking from ``ip``'s network; True once its network has booked more
    than settings.FREE_CALLS_PER_NETWORK allows, so that this one is confirmed by email
    before it counts (people sharing a network are not refused, only asked)."""
    rates = parse_rates(settings.FREE_CALLS_PER_NETWORK)
    subject = _subject("network", network_of(ip))
    return any(take(f"free:{subject}", rate) is not None for rate in rates)


def free_call_needs_confirmation(ip: str) -> str:
    """network_wants_confirmation, and a ceiling on the calls one network may have waiting
    for their confirmation: settings.UNCONFIRMED_PER_NETWORK within a window as long as a
    hold waits (FREE_CALL_CONFIRM_MINUTES). Past it, raise AwaitingConfirmation: otherwise
    throwaway addresses could hold a whole day of times for half an hour.

    Returns "" when the call is booked at once, else the place it takes under the ceiling,
    for note_awaiting() to tie to the booking, so that confirming it makes room again."""
    if not network_wants_confirmation(ip):
        return ""
    rate = Rate(settings.UNCONFIRMED_PER_NETWORK, settings.FREE_CALL_CONFIRM_MINUTES * 60)
    key, left = _claim(f"awaiting:{_subject('network', network_of(ip))}", rate)
    if key is None:
        raise AwaitingConfirmation(left)
    return key


def _awaiting_key(booking_id) -> str:
    return f"limit:awaiting-booking:{booking_id}"


def note_awaiting(booking_id, place: str) -> None:
    """Note that the held call ``booking_id`` takes ``place`` under its network's ceiling."""
    if place:
        timeout = settings.FREE_CALL_CONFIRM_MINUTES * 60 + 1
        cache.set(_awaiting_key(booking_id), place, timeout=timeout)


def release_awaiting(booking_id) -> None:
    """The held call ``booking_id`` is confirmed: its place under the ceiling is free."""
    if place := cache.get(_awaiting_key(booking_id)):
        cache.delete_many([place, _awaiting_key(booking_id)])


def wait_words(seconds: int) -> str:
    """``90`` → "2 minutes": how long to wait, rounded up, in words."""
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = math.ceil(minutes / 60)
    return "an hour" if hours == 1 else f"{hours} hours"
