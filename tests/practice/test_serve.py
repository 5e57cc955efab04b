"""`make run` serves the site and runs a worker beside it (`manage.py serve`, what it calls):
a free call booked through the JSON API gets its confirmation email from the worker, over
SMTP, and one Ctrl-C stops both processes. Real processes, a real SMTP server (aiosmtpd),
the test database (SQLite or PostgreSQL, whichever the run uses)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.booking.test_limits_across_workers import _post
from tests.processes import database_url
from tests.smtp import Sink, free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Generous: the worker polls every second; a loaded CI machine may take a while to start.
START_SECONDS = 60
MAIL_SECONDS = 60
BOOKING = {
    "offering": "assessment",
    "name": "Ana",
    "email": "ana@example.org",
    "timezone": "Europe/Berlin",
    "consent": True,
}


class Served:
    """``manage.py serve`` on a free port, its lines collected as they come."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.marker = uuid.uuid4().hex
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=os.environ | env | {"SERVE_TEST_MARKER": self.marker},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in iter(self.process.stdout.readline, ""):
            self.lines.append(line)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not (self._saw("web | Starting development server") and self._saw("worker | ")):
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.2)

    def _saw(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def processes(self) -> list[int]:
        """Every process still running that was started for this server (its children too)."""
        found = []
        for proc in Path("/proc").iterdir():
            try:
                if self.marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except (OSError, ValueError):
                continue
        return found

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        finally:
            self.reader.join(timeout=10)
            self.process.stdout.close()


@pytest.fixture
def smtp_server():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def served(smtp_server, intake_key):
    _, email_url = smtp_server
    server = Served(
        {
            "DJANGO_SETTINGS_MODULE": "practice.settings",  # as `make run`, not the tests'
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database_url(),
            "INTAKE_ENCRYPTION_KEYS": intake_key,
            "EMAIL_URL": email_url,
            "EMAIL_HOST": "",
            "FREE_CALLS_PER_NETWORK": "1000/d",
        }
    )
    try:
        server.wait_until_ready()
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
        server.process.stdout.close()


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 (http://127.0.0.1)
        return json.load(answer)


def test_a_free_call_booked_on_the_served_site_is_confirmed_by_email_from_its_worker(
    assessment, served, smtp_server
):
    sink, _ = smtp_server
    today = timezone.now().date()
    query = f"offering=assessment&start={today}&end={today + timedelta(days=20)}"
    # Not the first: it may pass the minimum notice while the request travels.
    start = _get(f"{served.base}/api/v1/slots?{query}")["slots"][4]["start"]

    status, answer, _ = _post(served.base, {**BOOKING, "start": start})
    assert (status, answer.get("status")) == (201, "confirmed"), answer

    deadline = time.monotonic() + MAIL_SECONDS
    while not any("ana@example.org" in e.rcpt_tos for e in sink.envelopes):
        assert time.monotonic() < deadline, "".join(served.lines)
        time.sleep(0.2)
    assert any(line.startswith("worker | job ") for line in served.lines)
    assert not any("ana@example.org" in line for line in served.lines)  # no address logged


def test_one_ctrl_c_stops_the_web_server_and_the_worker(db, served):
    assert len(served.processes()) >= 2

    assert served.stop() == 0
    assert served.processes() == []


def test_when_the_worker_dies_the_web_server_is_stopped_and_serve_fails(db, served):
    [worker] = [
        pid
        for pid in served.processes()
        if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    ]

    os.kill(worker, signal.SIGKILL)

    assert served.process.wait(timeout=30) != 0
    assert served.processes() == []
