"""A local calendar server for the tests: each path answers as one kind of calendar server
does (a good feed with an ETag, an error, garbage, 50 MB, one too slow), and it is the one
local address the fetcher is allowed to reach."""

import threading
import time as clock
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from icalendar import Calendar, Event

TUESDAY_10 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def dentist_feed() -> bytes:
    event = Event.new(
        uid="dentist", start=TUESDAY_10, end=TUESDAY_10 + timedelta(hours=1), summary="Dentist"
    )
    return Calendar.new(prodid="-//test//EN", subcomponents=[event]).to_ical()


class Feeds(BaseHTTPRequestHandler):
    """Answers by path: what each kind of calendar server does."""

    routes: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802
        self.seen.append((self.path, self.headers.get("If-None-Match")))
        route = self.routes.get(self.path.split("?")[0], (404, {}, b""))
        status, headers, body = route() if callable(route) else route
        if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
            status, body = 304, b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # A plain web server answers every method with its page, CalDAV's PROPFIND included.
    do_PROPFIND = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def calendar_server(settings):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    port = httpd.server_address[1]
    settings.CALENDAR_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
    settings.CALENDAR_FETCH_TIMEOUT = 1
    settings.CALENDAR_FETCH_MAX_BYTES = 5_000_000
    Feeds.seen = []
    Feeds.routes = {
        "/dentist.ics": (200, {"ETag": '"v1"'}, dentist_feed()),
        "/error.ics": (500, {}, b"Internal Server Error"),
        "/garbage.ics": (200, {}, b"<html><body>Please sign in</body></html>"),
        "/huge.ics": lambda: (200, {}, b"X" * 50_000_000),
        "/slow.ics": lambda: (clock.sleep(3), (200, {}, dentist_feed()))[1],
    }
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()
