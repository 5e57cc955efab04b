"""Payments: the time from "Pay" to the Checkout URL, and webhooks under duplicates.

1. ``hold_for_payment`` for N slots of a paid offering, each a real Checkout Session
   created through the ``stripe`` library over HTTP at the local stand-in
   (booking/payments/standin.py on 127.0.0.1): median and p90 ms. This is the time between
   the client pressing "Pay" and the redirect to Checkout, less the browser.
2. Stripe's side of those N checkouts, played by the stand-in: most paid at once, some by
   a delayed method that succeeds or fails, some abandoned (expired), some with a stale
   "expired" snapshot delivered before their "completed" (reordered). Every event is
   delivered once, twice or three times, all shuffled, from 4 threads through Django's
   test client to ``POST /stripe/webhook/`` (signature checked, event recorded, emails
   queued for the worker, or rendered inline with --tasks immediate): deliveries/s and
   distinct events/s.
3. Afterwards: bookings whose state disagrees with their payments
   (booking.payments.selectors.disagreements) and, against the stand-in's own record of
   which checkouts were paid, payments we lost or invented. Both must be 0.

Usage: bench/payments.py [--database postgres|sqlite] [--checkouts N] [--threads N]
                         [--tasks database|immediate]
"""

import argparse
import random
import socketserver
import statistics
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_database,
    describe_database,
    heading,
    postgres_available,
)

from booking.payments.standin import StripeStandIn  # noqa: E402 (pure WSGI, no Django)

WEBHOOK_SECRET = "whsec_bench_only"  # noqa: S105 (a bench-only secret)
API_KEY = "sk_test_bench_only"
SEED = 20261202


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(standin: StripeStandIn) -> tuple[WSGIServer, str]:
    server = make_server(
        "127.0.0.1", 0, standin, server_class=_ThreadingServer, handler_class=_Quiet
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def setup_offering(checkouts: int):
    from datetime import time as wall_time

    from booking.models import AvailabilityRule
    from practice.models import Offering, Practitioner

    practitioner = Practitioner.objects.create(
        name="Bench Practitioner",
        practice_name="Bench Practice",
        email="bench@example.org",
        timezone="Europe/Berlin",
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=practitioner, weekday=day, start_time=wall_time(9), end_time=wall_time(17)
        )
        for day in range(5)
    )
    days = checkouts // 8 * 7 // 5 + 14
    return Offering.objects.create(
        practitioner=practitioner,
        slug="bench-session",
        name="Single session",
        kind=Offering.Kind.SESSION,
        duration_minutes=60,
        slot_step_minutes=60,
        price=Decimal("120.00"),
        currency="EUR",
        min_notice_minutes=0,
        horizon_days=days,
    )


def bench_holds(offering, checkouts: int) -> list:
    from django.utils import timezone

    from booking import selectors
    from booking.payments import checkout as payment_checkout

    heading(f'"Pay" → Checkout URL: hold_for_payment × {checkouts} ({describe_database()})')
    now = timezone.now() + timedelta(hours=1)
    slots = selectors.available_slots(
        offering=offering, start=now, end=now + timedelta(days=offering.horizon_days), now=now
    )[:checkouts]
    held, timings = [], []
    for n, slot in enumerate(slots):
        began = time.perf_counter()
        held.append(
            payment_checkout.hold_for_payment(
                offering=offering,
                start=slot.start,
                client_user=None,
                client_name=f"Client {n}",
                client_email=f"client{n}@example.org",
                client_timezone="Europe/Berlin",
            )
        )
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    print(
        f"median {statistics.median(timings):.1f} ms, p90 {timings[int(len(timings) * 0.9)]:.1f}"
        f" ms over {len(timings)} holds (DB hold + Checkout Session over HTTP + session id)"
    )
    return held


def play_stripe(standin: StripeStandIn, held: list, rng: random.Random) -> dict[str, int]:
    """What the clients do at Checkout; returns how many of each."""
    from booking.payments import gateway

    kinds: dict[str, int] = {}
    for n, checkout in enumerate(held):
        session_id = checkout.payment.checkout_session_id
        slot = n % 20
        if slot < 14:
            kind = "paid"
            standin.complete(session_id)
        elif slot < 16:
            kind = "delayed, succeeded"
            standin.complete(session_id, paid=False)
            standin.settle(session_id, succeeded=True)
        elif slot < 17:
            kind = "delayed, failed"
            standin.complete(session_id, paid=False)
            standin.settle(session_id, succeeded=False)
        elif slot < 19:
            kind = "abandoned"
            gateway.expire_checkout_session(session_id)
        else:
            kind = "paid, stale 'expired' first"
            stale = standin.emit(
                "checkout.session.expired",
                session_id,
                status="expired",
                payment_status="unpaid",
                payment_intent=None,
            )
            standin.complete(session_id)
            assert stale in standin.outbox
        kinds[kind] = kinds.get(kind, 0) + 1
    time.sleep(0.2)  # the stand-in sends API-triggered events from a thread
    return kinds


def deliveries(events: list[dict], rng: random.Random) -> list[dict]:
    """Each event once, twice (40 %) or three times (10 %), in a shuffled order."""
    out = []
    for event in events:
        roll = rng.random()
        out += [event] * (3 if roll < 0.1 else 2 if roll < 0.5 else 1)
    rng.shuffle(out)
    return out


def deliver_all(standin: StripeStandIn, batch: list[dict], threads: int) -> tuple[float, dict]:
    from django.db import connection
    from django.test import Client

    queue = list(enumerate(batch))
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    failures: list[str] = []

    def worker():
        client = Client()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    _, event = queue.pop()
                body, header = standin.signed(event)
                answer = client.post(
                    "/stripe/webhook/",
                    body,
                    content_type="application/json",
                    headers={"Stripe-Signature": header},
                )
                with lock:
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(repr(error))
        finally:
            connection.close()

    began = time.perf_counter()
    if threads == 1:
        worker()  # in this thread, so that a profiler sees it
    workers = [threading.Thread(target=worker) for _ in range(threads if threads > 1 else 0)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(failures[0])
    return elapsed, statuses


def check(standin: StripeStandIn, held: list) -> tuple[int, int]:
    """(bookings disagreeing with their payments, payments lost or invented vs Stripe)."""
    from booking.models import Booking
    from booking.payments import selectors
    from booking.payments.models import Payment, Refund

    disagreeing = len(selectors.disagreements())
    lost = 0
    for checkout in held:
        payment = Payment.objects.select_related("booking").get(pk=checkout.payment.pk)
        stripe_paid = standin.sessions[payment.checkout_session_id]["payment_status"] == "paid"
        if stripe_paid != payment.is_captured:
            lost += 1
        elif stripe_paid and payment.booking.status != Booking.Status.CONFIRMED:
            refunded = sum(r.amount for r in payment.refunds.exclude(state=Refund.State.FAILED))
            lost += refunded < payment.amount
        elif not stripe_paid and payment.booking.status == Booking.Status.CONFIRMED:
            lost += 1
    return disagreeing, lost


def bench_webhooks(standin: StripeStandIn, held: list, threads: int, tasks: str) -> None:
    from collections import Counter

    from django.conf import settings

    from booking.models import Booking
    from booking.payments.models import WebhookEvent

    rng = random.Random(SEED)
    kinds = play_stripe(standin, held, rng)
    events = standin.take_outbox()
    batch = deliveries(events, rng)
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # rendered, not sent

    heading(
        f"Webhooks: {len(batch)} deliveries of {len(events)} events, {threads} threads, "
        f"tasks {tasks} ({describe_database()})"
    )
    print("checkouts: " + ", ".join(f"{count} {kind}" for kind, count in kinds.items()))
    elapsed, statuses = deliver_all(standin, batch, threads)
    print(
        f"{len(batch) / elapsed:,.0f} deliveries/s, {len(events) / elapsed:,.0f} distinct "
        f"events/s ({elapsed:.2f} s; answers {dict(sorted(statuses.items()))}; "
        f"{len(batch) - len(events)} duplicates)"
    )
    outcomes = Counter(WebhookEvent.objects.values_list("outcome", flat=True))
    print("recorded events by outcome: " + ", ".join(f"{n} {o}" for o, n in outcomes.items()))
    bookings = Counter(Booking.objects.values_list("status", flat=True))
    print("bookings: " + ", ".join(f"{n} {s}" for s, n in sorted(bookings.items())))

    disagreeing, lost = check(standin, held)
    heading("Agreement")
    print(f"bookings whose state disagrees with their payments: {disagreeing}")
    print(f"checkouts where our record and Stripe's disagree:   {lost}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--checkouts", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--tasks",
        choices=["database", "immediate"],
        default="database",
        help="database: emails queued for db_worker, as in production; immediate: rendered "
        "inside each webhook request",
    )
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return

    standin = StripeStandIn(webhook_secret=WEBHOOK_SECRET)
    server, url = serve(standin)
    try:
        with bench_database(
            args.database,
            STRIPE_SECRET_KEY=API_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_API_BASE=url,
            TASKS_BACKEND=args.tasks,
        ):
            offering = setup_offering(args.checkouts)
            held = bench_holds(offering, args.checkouts)
            bench_webhooks(standin, held, args.threads, args.tasks)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
