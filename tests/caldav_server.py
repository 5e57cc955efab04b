"""A real CalDAV server for the tests: Radicale in its own process on 127.0.0.1, with one
account (htpasswd) and its own folder, that can go down and come back on its port.

``radicale.events()`` reads what the server holds with the caldav library directly (not
through the product's guarded transport), as her calendar app would see it.
"""

import signal
import socket
import subprocess

import caldav
import pytest

from tests.processes import _end, _spawn, wait_for
from tests.smtp import free_port

USERNAME = "mara"
PASSWORD = "app-password-1234"


class Radicale:
    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        (folder / "users").write_text(f"{USERNAME}:{PASSWORD}\n")
        (folder / "config").write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {folder / 'users'}\n"
            "htpasswd_encryption = plain\n"
            # No pause after the unauthenticated first request every client makes.
            "delay = 0\n"
            "[storage]\n"
            f"filesystem_folder = {folder / 'collections'}\n"
            "[logging]\n"
            "level = warning\n"
        )
        self.log = open(folder / "radicale.log", "ab")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        self.process = _spawn(
            ["-m", "radicale", "--config", str(self.folder / "config")], env=None, log=self.log
        )
        wait_for(self._listening, timeout=60, what=f"Radicale on {self.port}")

    def _listening(self) -> bool:
        assert self.process.poll() is None, (self.folder / "radicale.log").read_text()
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is not None:
            _end(self.process, signal.SIGTERM)

    def client(self) -> caldav.DAVClient:
        return caldav.DAVClient(self.url, username=USERNAME, password=PASSWORD)

    def make_calendar(self, name: str) -> str:
        """A calendar of hers on the server; its address."""
        with self.client() as client:
            return str(client.principal().make_calendar(name=name).url)

    def add_event(self, calendar_url: str, ical: bytes) -> None:
        """An event she made in her calendar app."""
        with self.client() as client:
            client.calendar(url=calendar_url).save_event(ical.decode())

    def events(self, calendar_url: str) -> list:
        """Every VEVENT the calendar holds, as icalendar components."""
        with self.client() as client:
            objects = client.calendar(url=calendar_url).events()
            return [event for found in objects for event in found.icalendar_instance.events]


@pytest.fixture
def radicale(tmp_path, settings):
    server = Radicale(tmp_path)
    server.start()
    settings.CALENDAR_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{server.port}"]
    settings.CALENDAR_FETCH_TIMEOUT = 5
    yield server
    server.stop()
    server.log.close()
