"""Her CalDAV calendar (Fastmail, iCloud, Nextcloud, any CalDAV server): found from her
server's address as the caldav library finds it, read for busy time, written with her
bookings.

Every request goes over the same public-only transport as calendar feeds (``fetch``): the
host of each request, redirects included, is resolved and refused unless public, and the
connection goes to the IP that was checked. Failures become ``FetchRefused`` with words
for her; nothing a server answers is logged.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

import caldav
import requests
import urllib3
from caldav.lib import error as caldav_error
from django.conf import settings
from icalendar import Calendar
from requests.adapters import HTTPAdapter

from booking.calendars import fetch


@dataclass(frozen=True)
class Found:
    """A calendar her server holds: its display name and its address."""

    name: str
    url: str


class RefusedCredentials(fetch.FetchRefused):
    """The server did not accept her user name and password."""


class _PublicOnly(HTTPAdapter):
    """A requests transport that reaches public addresses only, each by the IP checked."""

    def __init__(self):
        super().__init__(max_retries=0)
        self._pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        parts = urlsplit(request.url)
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        ip = fetch.allowed_ip(parts.hostname, port)
        key = (parts.scheme, parts.hostname, ip, port)
        if key not in self._pools:
            if https:
                self._pools[key] = urllib3.HTTPSConnectionPool(
                    ip, port, server_hostname=parts.hostname, assert_hostname=parts.hostname
                )
            else:
                self._pools[key] = urllib3.HTTPConnectionPool(ip, port)
        return self._pools[key]

    def add_headers(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc.rpartition("@")[2]

    def close(self):
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        super().close()


def _client(url: str, username: str, password: str) -> caldav.DAVClient:
    client = caldav.DAVClient(
        url=fetch.normalise(url),
        username=username,
        password=password,
        timeout=settings.CALENDAR_FETCH_TIMEOUT,
    )
    adapter = _PublicOnly()
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    client.session = session
    return client


def _words(error: Exception) -> fetch.FetchRefused:
    """A failure of the server or the network, in words for her console."""
    if isinstance(error, fetch.FetchRefused):
        return error
    if isinstance(error, caldav_error.AuthorizationError):
        return RefusedCredentials(
            "The server did not accept that user name and password. Many servers want an "
            "app password here, made in your account's security settings."
        )
    if isinstance(error, caldav_error.NotFoundError):
        return fetch.FetchRefused("The server has no calendar at that address.")
    if isinstance(error, requests.Timeout):
        return fetch.FetchRefused("The calendar's server did not answer in time.")
    if isinstance(error, requests.RequestException):
        return fetch.FetchRefused("The calendar's server could not be reached.")
    return fetch.FetchRefused("The calendar's server gave an answer we could not use.")


# Any failure inside the caldav library: a server down or refusing raises its DAVErrors or
# requests' errors, but one that is not CalDAV at all (a web page answering 200) makes its
# XML handling fail with whatever it meets (SyntaxError, TypeError, AttributeError…). It
# is the border of untrusted answers: each becomes words for her, none a server error.
_FAILURES = (Exception,)


def _same(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def discover(url: str, username: str, password: str) -> list[Found]:
    """Her calendars on the server, as the caldav library finds them from any address of
    it (the server's base, her principal, or one calendar): the one she gave first when it
    is one of them. Raises FetchRefused with words for her."""
    with _client(url, username, password) as client:
        try:
            calendars = [
                Found(name=calendar.get_display_name() or "Calendar", url=str(calendar.url))
                for calendar in client.principal().calendars()
            ]
        except _FAILURES as error:
            raise _words(error) from error
    if not calendars:
        raise fetch.FetchRefused("The server answered, but holds no calendar for this account.")
    given = [found for found in calendars if _same(found.url, fetch.normalise(url))]
    return given + [found for found in calendars if found not in given]


def read(secrets: dict, start: datetime, end: datetime) -> bytes:
    """The events of her calendar that touch ``start``–``end``, as one VCALENDAR for
    ``busy_times`` (which expands recurrences and leaves out our own bookings)."""
    with _client(secrets["url"], secrets["username"], secrets["password"]) as client:
        try:
            calendar = client.calendar(url=secrets["calendar_url"])
            objects = calendar.search(start=start, end=end, event=True, expand=False)
            merged = Calendar.new(prodid="-//Practice Booking//Busy time//EN")
            for found in objects:
                merged.subcomponents.extend(Calendar.from_ical(found.data).subcomponents)
        except _FAILURES as error:
            raise _words(error) from error
    return merged.to_ical()


def _event_url(secrets: dict, uid: str) -> str:
    return secrets["calendar_url"].rstrip("/") + "/" + quote(uid, safe="@") + ".ics"


def put(secrets: dict, uid: str, data: bytes) -> None:
    """Write one event (new or changed) under its UID: the same address every time, so a
    retry or a repeat leaves one event, never two."""
    with _client(secrets["url"], secrets["username"], secrets["password"]) as client:
        try:
            answer = client.put(
                _event_url(secrets, uid), data, {"Content-Type": 'text/calendar; charset="utf-8"'}
            )
        except _FAILURES as error:
            raise _words(error) from error
    if answer.status not in (200, 201, 204):
        raise fetch.FetchRefused(f"The calendar's server answered {answer.status}.")


def delete(secrets: dict, uid: str) -> None:
    """Take one event away; one already gone is no failure."""
    with _client(secrets["url"], secrets["username"], secrets["password"]) as client:
        try:
            answer = client.delete(_event_url(secrets, uid))
        except caldav_error.NotFoundError:
            return
        except _FAILURES as error:
            raise _words(error) from error
    if answer.status not in (200, 204, 404):
        raise fetch.FetchRefused(f"The calendar's server answered {answer.status}.")
