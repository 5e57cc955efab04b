"""Serve the site and run a worker, in one command (`make run`), as a deployment does.

Both run as child processes with the database task queue, their lines prefixed "web |" and
"worker |". Ctrl-C or SIGTERM stops both; if one ends by itself, the other is stopped and
the command fails, so a worker that cannot start never leaves a site that silently sends
nothing.
"""

import os
import signal
import subprocess
import sys
import threading

from django.core.management.base import BaseCommand, CommandError

# How long a child has to stop after its signal before it is killed.
STOP_SECONDS = 10


def _relay(prefix: str, stream, out) -> None:
    with stream:
        for line in iter(stream.readline, ""):
            out.write(f"{prefix} | {line}")
            out.flush()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    """Signal the child and what it started (its group outlives it if it died first)."""
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


class Command(BaseCommand):
    help = "Run the development server and a worker together; Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        env = os.environ | {"TASKS_BACKEND": "database", "PYTHONUNBUFFERED": "1"}
        manage = [sys.executable, sys.argv[0]]
        self.relays: list[threading.Thread] = []
        commands = {
            "web": [*manage, "runserver", addrport],
            "worker": [*manage, "worker", "--no-startup-delay"],
        }
        children = {name: self._start(name, command, env) for name, command in commands.items()}
        stopping = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.set())
        while not stopping.wait(0.2):
            ended = [name for name, child in children.items() if child.poll() is not None]
            if ended:
                self._stop(children)
                raise CommandError(f"{ended[0]} stopped (exit {children[ended[0]].returncode})")
        self._stop(children)

    def _start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        # Its own session: the terminal's Ctrl-C reaches us alone, and the stop signal
        # reaches the whole group (runserver's reloader runs the server as its child).
        child = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        relay = threading.Thread(target=_relay, args=(name, child.stdout, self.stdout))
        relay.daemon = True
        relay.start()
        self.relays.append(relay)
        return child

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            _signal_group(child, signal.SIGINT)
        for child in children.values():
            try:
                child.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
        for relay in self.relays:  # their last lines, until each pipe ends
            relay.join(STOP_SECONDS)
