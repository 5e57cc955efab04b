"""Fetching a calendar address from the internet, and only from the internet.

An address she pastes is fetched by this server, so it must not become a way into the
server's own network: every host is resolved first, and an address that resolves to a
loopback, private, link-local or otherwise non-public IP is refused, for the first request
and for each redirect. The connection goes to the IP that was checked (the name is kept for
TLS and the Host header), so a second DNS answer cannot slip past. Answers are bounded in
time and size, and asked for conditionally (ETag, Last-Modified).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

MAX_REDIRECTS = 5
USER_AGENT = "PracticeBooking-calendar/1.0"


class FetchRefused(Exception):
    """The address cannot be read; the message is for her, in plain words."""


@dataclass(frozen=True)
class Answer:
    status: int  # 200, or 304 when unchanged since the validators given
    body: bytes
    etag: str
    last_modified: str


def normalise(url: str) -> str:
    """``webcal://`` is how calendar apps spell https; anything but http(s) is refused."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("The address should begin with https://, http:// or webcal://.")
    return url


def allowed_ip(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(f"No server answers to the name {host}.") from error
    allowed = set(getattr(settings, "CALENDAR_FETCH_ALLOWED_HOSTS", ()))
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0])
        if ip.is_global or f"{ip}:{port}" in allowed or str(ip) in allowed:
            return str(ip)
    raise FetchRefused(f"{host} is not a public address on the internet.")


def _request(url: str, headers: dict):
    """(pool, response): the caller closes the pool once the answer is read."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = allowed_ip(parts.hostname, port)
    timeout = urllib3.Timeout(total=settings.CALENDAR_FETCH_TIMEOUT)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            ip,
            port,
            timeout=timeout,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
        )
    except BaseException:
        pool.close()
        raise
    return pool, response


def _read_bounded(response: urllib3.BaseHTTPResponse) -> bytes:
    limit = settings.CALENDAR_FETCH_MAX_BYTES
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise FetchRefused(f"The calendar is larger than {limit // 1_000_000} MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Answer:
    """GET ``url`` as a calendar; raises FetchRefused with words for her on any failure."""
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url = normalise(url)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            pool, response = _request(url, headers)
            try:
                if response.status in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchRefused("The calendar's server sent a redirect to nowhere.")
                    url = normalise(urljoin(url, location))
                    continue
                if response.status == 304:
                    return Answer(304, b"", etag, last_modified)
                if response.status != 200:
                    raise FetchRefused(f"The calendar's server answered {response.status}.")
                body = _read_bounded(response)
                return Answer(
                    200,
                    body,
                    response.headers.get("ETag", ""),
                    response.headers.get("Last-Modified", ""),
                )
            finally:
                # One connection per read: closed here, with its pool, whatever came back.
                response.close()
                pool.close()
    except urllib3.exceptions.TimeoutError as error:
        raise FetchRefused("The calendar's server did not answer in time.") from error
    except urllib3.exceptions.HTTPError as error:
        raise FetchRefused("The calendar's server could not be reached.") from error
    raise FetchRefused("The calendar's address redirects too many times.")
