"""Sending one email for one Effect row exactly once, even if the worker dies mid-send.

Over SMTP the row is marked done at the one moment that decides whether the server keeps
the message: after the whole body is sent and before the final "." that ends DATA. A
worker killed before that commit leaves the server an unfinished DATA, which it discards,
and the row is retried once its lease ends; killed after it, the server has the message
and the row is done. (Killed in the instant between that commit and the "." leaving, the
email is lost: the one window left, chosen over sending it twice.) A server that refuses
the final ".", or is gone before it answers, gets the row back to pending (retried
later). Other backends (console, locmem) send, then mark done.
"""

import hashlib
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address
from django.db import connection as database
from django.db import transaction

from booking import effect_runs
from booking.models import Effect


class LeaseLost(Exception):
    """Another worker took the row over while this one was sending; this send is dropped."""


def message_id(effect: Effect) -> str:
    """A Message-ID that is the same on every attempt, so a mail client shows one message."""
    digest = hashlib.sha256(effect.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


def deliver(effect: Effect, message: EmailMessage) -> None:
    """Send ``message`` as this effect's one email and mark the row done with it."""
    message.extra_headers["Message-ID"] = message_id(effect)
    connection = get_connection()
    if not isinstance(connection, EmailBackend):
        connection.send_messages([message])
        effect_runs.mark_done(effect)
        return
    connection.open()
    # The body and the final "." are two writes: with Nagle's algorithm on, the "." would
    # wait for the server to acknowledge the body, which it delays (40 ms on Linux) each time.
    connection.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        _send_in_two_phases(connection, effect, message)
    except BaseException:
        # Drop the socket without QUIT: in the middle of DATA a QUIT would be read as body.
        connection.connection.close()
        connection.connection = None
        raise
    connection.close()


def _send_in_two_phases(connection: EmailBackend, effect: Effect, message: EmailMessage) -> None:
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    body = message.message().as_bytes(linesep="\r\n")
    smtp = connection.connection
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(_dot_stuffed(body))
    if not _mark_done_at_once(effect):
        raise LeaseLost(effect.pk)  # closing now leaves the server an unfinished DATA
    try:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
    except OSError:  # smtplib's errors are OSErrors too
        # Without its "250" the server has not taken the message (RFC 5321, 6.1): gone
        # before the ".", it dropped it; gone after, it may have it, and a second copy with
        # the same Message-ID is a lesser harm than none.
        _undo_done(effect)
        raise
    if code != 250:
        _undo_done(effect)
        raise smtplib.SMTPDataError(code, reply)


def _mark_done_at_once(effect: Effect) -> bool:
    """``mark_done`` with the shortest wait before the ".": a worker killed while waiting for
    its commit leaves PostgreSQL to finish it, so the row is done and the "." never sent,
    and the email is lost. Waiting for the disk (a durable commit: 0.4 ms here, 2 ms at
    p90) made that a few percent of every send; an asynchronous commit answers in 0.06 ms.
    What it risks is a database crash within a fraction of a second undoing the mark, and
    the email sent twice with its one Message-ID, the lesser harm."""
    with transaction.atomic():
        if database.vendor == "postgresql":
            with database.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return effect_runs.mark_done(effect)


def _dot_stuffed(body: bytes) -> bytes:
    """The body as DATA carries it: CRLF line ends, leading dots doubled, ending in CRLF."""
    body = re.sub(rb"(?m)^\.", b"..", re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", body))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


def _undo_done(effect: Effect) -> None:
    """The server refused the finished message: the row runs again, as after any failure."""
    Effect.objects.filter(pk=effect.pk, status=Effect.Status.DONE).update(
        status=Effect.Status.RUNNING, done_at=None, lease_until=effect.lease_until
    )
