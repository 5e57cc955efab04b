"""Real processes for the tests that prove the effect path: an SMTP sink that can go down and
come back on its port, and a pool of ``manage.py worker`` processes on the test database.

``python -m tests.processes PORT RECORD`` is the sink itself (aiosmtpd): each message it
accepts is written to RECORD as one line, ``<unix time> <Message-ID>``, before its "250" is
sent, so the file is what the server took responsibility for. It runs as its own process
so that stopping it drops every open session, as a crashed mail server would.

Every child is started in its own session, stopped by its id, and killed by the kernel if
the test process itself dies (Linux), so that no worker outlives its test.
"""

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.smtp import SMTP

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60
STOP_SECONDS = 30


def database_url() -> str:
    """The URL of the database this test process uses (the live test database)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, every=0.1):
    """Poll ``condition`` until it is true (and return it), or fail saying what never came."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(every)
    return result


_PR_SET_PDEATHSIG = 1
# Looked up here, not in the child: between fork and exec the child only makes the call.
_prctl = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGKILL when the test process dies."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


def _spawn(args: list[str], *, env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own modules, by path)
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def _end(process: subprocess.Popen, first: int) -> None:
    """Send ``first`` to the child's group, then SIGKILL if it has not gone in time."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, first)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


class PortServer:
    """A server in its own process on a port of its own, that can be stopped (down at once:
    no new connection is accepted, every open session is dropped) and started again on the
    same port. Subclasses say what to run (``command``) and what it is (``what``)."""

    what = "server"

    def __init__(self, folder: Path, log_name: str):
        self.port = free_port()
        self.log_path = folder / log_name
        self.log = open(self.log_path, "ab")
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.process = _spawn(
            self.command(), env=os.environ | {"PYTHONUNBUFFERED": "1"}, log=self.log
        )
        wait_for(self._listening, timeout=START_SECONDS, what=f"{self.what} on {self.port}")

    def _listening(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is not None:
            _end(self.process, signal.SIGTERM)

    def close(self) -> None:
        self.stop()
        self.log.close()


class Sink(PortServer):
    """The SMTP sink process on a fixed port: ``start``, ``stop`` and ``start`` again."""

    what = "the SMTP sink"

    def __init__(self, folder: Path):
        super().__init__(folder, "sink.log")
        self.record = folder / "accepted.txt"
        self.record.touch()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return ["-m", "tests.processes", str(self.port), str(self.record)]

    def accepted(self) -> list[tuple[float, str]]:
        """``(time, Message-ID)`` of every message accepted so far, in order."""
        lines = self.record.read_text().splitlines()
        return [(float(at), message_id) for at, _, message_id in (x.partition(" ") for x in lines)]

    def message_ids(self) -> list[str]:
        return [message_id for _, message_id in self.accepted()]


class Workers:
    """``manage.py worker`` processes on the test database, each with its own log file."""

    def __init__(self, folder: Path, env: dict):
        self.folder = folder
        self.env = (
            os.environ
            | {
                "DJANGO_SETTINGS_MODULE": "practice.settings",  # as deployed, not the tests'
                "DJANGO_DEBUG": "",
                "TASKS_BACKEND": "database",
                "DATABASE_URL": database_url(),
                "EMAIL_HOST": "",
                "PYTHONUNBUFFERED": "1",
            }
            | env
        )
        self.processes: list[subprocess.Popen] = []
        self.logs = []

    def start(self, count: int = 1, *args: str) -> None:
        """Start ``count`` more workers, numbered on from those before (``worker-<n>``)."""
        for _ in range(count):
            name = f"worker-{len(self.processes)}"
            log = open(self.folder / f"{name}.log", "ab")
            self.logs.append(log)
            command = ["manage.py", "worker", "--no-startup-delay", "--worker-id", name, *args]
            self.processes.append(_spawn(command, env=self.env, log=log))

    def wait_until_ready(self) -> None:
        """Every worker running has begun polling the queue."""
        for number, process in enumerate(self.processes):
            if process.poll() is None:
                wait_for(
                    lambda n=number: self._started(n),
                    timeout=START_SECONDS,
                    what=f"worker {number} to start",
                )

    def _started(self, number: int) -> bool:
        text = (self.folder / f"worker-{number}.log").read_text()
        assert self.processes[number].poll() is None, text
        return "Starting worker" in text

    def kill(self, number: int) -> None:
        """SIGKILL: the worker dies wherever it is, in the middle of a send or a commit."""
        os.killpg(self.processes[number].pid, signal.SIGKILL)
        self.processes[number].wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """SIGTERM to each: a worker finishes the job in hand, then exits."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            _end(process, signal.SIGTERM)
        for log in self.logs:
            log.close()

    def output(self) -> str:
        return "".join(
            f"--- worker {n}\n{(self.folder / f'worker-{n}.log').read_text()[-3000:]}"
            for n in range(len(self.processes))
        )


class _Recorder:
    def __init__(self, record: Path):
        self.file = open(record, "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.file.write(f"{time.time():.6f} {headers.get('Message-ID', '').strip()}\n")
        self.file.flush()
        return "250 Message accepted for delivery"


async def _serve(port: int, record: Path) -> None:
    loop = asyncio.get_running_loop()
    recorder = _Recorder(record)
    server = await loop.create_server(lambda: SMTP(recorder), "127.0.0.1", port)
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    await stopped.wait()
    server.close()  # the process exits next: the kernel drops the open sessions with it


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), Path(sys.argv[2])))
