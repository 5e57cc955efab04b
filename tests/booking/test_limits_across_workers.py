"""The booking limits hold across processes: gunicorn with two workers on PostgreSQL, the
counts in the shared database cache, requests racing so that both workers answer them.

A limit kept in one process's memory, or counted with the database cache's incr (a read
then a write), lets more through than it allows here.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from socket import socket

import pytest
from django.utils import timezone

from booking.models import Booking
from tests.booking.test_races import _database_url
from tests.postgres import postgres_only

pytestmark = [
    *postgres_only("several server processes sharing one database cache"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.serial,
]

ROOT = Path(__file__).resolve().parents[2]
PER_IP = 4
RACERS = 12


def _free_port() -> int:
    with socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path, intake_key):
    port = _free_port()
    log = tmp_path / "access.log"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "test-only-not-secret-" + "x" * 40,
        "INTAKE_ENCRYPTION_KEYS": intake_key,
        "TASKS_BACKEND": "immediate",
        "EMAIL_HOST": "",
        "BOOKING_LIMITS_PER_IP": f"{PER_IP}/h",
        "BOOKING_LIMITS_PER_EMAIL": "100/h",
        "FREE_CALLS_PER_NETWORK": "1000/d",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "practice.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=sync",
            f"--access-logfile={log}",
            "--access-logformat=%(p)s %(s)s %(r)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/offerings", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base, log
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _post(base: str, body: dict) -> tuple[int, dict, str]:
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        f"{base}/api/v1/bookings",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.load(answer), answer.headers.get("Retry-After", "")
    except urllib.error.HTTPError as error:
        return error.code, json.load(error), error.headers.get("Retry-After", "")


def test_racing_bookings_from_one_address_stop_at_the_limit_on_both_workers(assessment, gunicorn):
    base, log = gunicorn
    today = timezone.now().date()
    query = f"offering=assessment&start={today}&end={today + timedelta(days=20)}"
    with urllib.request.urlopen(f"{base}/api/v1/slots?{query}", timeout=30) as answer:  # noqa: S310
        starts = [slot["start"] for slot in json.load(answer)["slots"]][::2][:RACERS]
    assert len(starts) == RACERS
    answers = []
    barrier = threading.Barrier(RACERS)

    def racer(n: int) -> None:
        barrier.wait()
        body = {
            "offering": "assessment",
            "start": starts[n],
            "name": f"Racer {n}",
            "email": f"racer{n}@example.org",
            "timezone": "Europe/Berlin",
            "consent": True,
        }
        answers.append(_post(base, body))

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [201] * PER_IP + [429] * (RACERS - PER_IP)
    assert Booking.objects.count() == PER_IP
    refused = [(body, wait) for status, body, wait in answers if status == 429]
    assert all(body["reason"] == "rate_limited" and int(wait) > 0 for body, wait in refused)
    # Both workers answered bookings: the limit is one count across them.
    time.sleep(0.5)  # the access log is written after each answer
    served = re.findall(r"^<(\d+)> \d+ POST /api/v1/bookings", log.read_text(), re.M)
    workers = set(served)
    assert len(workers) == 2
    # And once more, one at a time: every further request stays refused, whichever answers.
    for n in range(4):
        status, _, _ = _post(
            base,
            {
                "offering": "assessment",
                "start": starts[n],
                "name": "Late",
                "email": f"late{n}@example.org",
                "timezone": "Europe/Berlin",
                "consent": True,
            },
        )
        assert status == 429
