"""A real CalDAV server for the tests: Radicale in its own process on 127.0.0.1, with one
account (htpasswd) and its own folder, that can go down and come back on its port.

``radicale.events()`` reads what the server holds with the caldav library directly (not
through the product's guarded transport), as her calendar app would see it.
"""

import caldav
import pytest

from tests.processes import PortServer

USERNAME = "mara"
PASSWORD = "app-password-1234"


class Radicale(PortServer):
    what = "Radicale"

    def __init__(self, folder):
        super().__init__(folder, "radicale.log")
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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        return ["-m", "radicale", "--config", str(self.folder / "config")]

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
    server.close()
