"""A local stand-in for the parts of Stripe that this project uses. Plain WSGI, no Django.

It answers the real ``stripe`` library over HTTP (form-encoded POSTs, JSON objects shaped
like Stripe's, Stripe's error JSON and status codes, ``Idempotency-Key`` honoured) for:

- ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/{id}``,
  ``POST /v1/checkout/sessions/{id}/expire``
- ``POST /v1/refunds``, ``GET /v1/refunds/{id}``

and plays Checkout's hosted page at the session's ``url`` (``/pay/{id}``): the amount, a
"Pay" button (the session completes, paid, with a payment intent; a signed
``checkout.session.completed`` goes to the webhook URL; then the browser is sent to the
``success_url``), a "Pay by bank debit" button (complete but unpaid until
:meth:`StripeStandIn.settle` says how it ended) and "Cancel" (back to the ``cancel_url``).

Events are signed with Stripe's scheme (``t=<unix time>,v1=<HMAC-SHA256 of "t.payload">``
with the webhook secret). With a ``webhook_url`` they are posted there; without one they
wait in :attr:`StripeStandIn.outbox`, and a test hands them to the app in whatever order,
repetition or delay it wants to try (:meth:`StripeStandIn.signed` gives body and header).

Tests serve it with wsgiref on 127.0.0.1 (tests/payments/conftest.py); a DEBUG server
without Stripe keys mounts it in-process (booking.payments.views.standin). All state is in
memory behind one lock.
"""

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl
from wsgiref.util import application_uri

API_VERSION = "2026-10-28.endive"
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 60 * 60
# The WSGI environ key under which a host that sends a nonce-based Content-Security-Policy
# (this site, mounting the stand-in in-process) hands the response's nonce to the pages.
CSP_NONCE_KEY = "practice.csp_nonce"
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())


def sign(payload: str, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header for ``payload`` at ``timestamp``."""
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def decode_form(body: str) -> dict:
    """Stripe's form encoding back to objects: ``a[b][0][c]=1`` → ``{"a": {"b": [{"c": …}]}}``."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key) or [key]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {key: _lists(value) for key, value in node.items()}
        if node and all(key.isdigit() for key in node):
            return [node[key] for key in sorted(node, key=int)]
    return node


class StripeError(Exception):
    """Answered as Stripe's error JSON: ``{"error": {"type", "message", "code", "param"}}``."""

    def __init__(self, status: int, message: str, *, type_="invalid_request_error", **extra):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message, **extra}}


@dataclass
class _Failure:
    path_prefix: str
    status: int
    remaining: int


@dataclass
class StripeStandIn:
    """The stand-in's state and its WSGI entry point (the instance is the application)."""

    webhook_secret: str
    webhook_url: str | None = None
    api_key_prefix: str = "sk_test_"
    clock: Callable[[], float] = time.time
    sessions: dict[str, dict] = field(default_factory=dict)
    payment_intents: dict[str, dict] = field(default_factory=dict)
    charges: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    outbox: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    delivery_errors: list[str] = field(default_factory=list)
    latency: float = 0.0  # seconds each API call takes (tests of slow networks)

    def __post_init__(self):
        self._lock = threading.RLock()
        self._idempotent: dict[tuple[str, str], tuple[str, bytes]] = {}
        self._line_items: dict[str, dict] = {}
        self._failures: list[_Failure] = []
        self._unsent: list[dict] = []

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        status, headers, content = self._answer(environ)
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [content]

    def _answer(self, environ) -> tuple[int, list, bytes]:
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO") or "/"
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = environ["wsgi.input"].read(length).decode() if length else ""
        except UnicodeDecodeError:  # Stripe, too, answers 400 to a body it cannot read
            return _error(StripeError(400, "The request body is not UTF-8."))
        if path.startswith("/v1/"):
            if self.latency:
                time.sleep(self.latency)
            base = application_uri(environ).rstrip("/")
            answer = self._api(environ, method, path, body, base)
            # Stripe sends the events an API call causes on its own time, not inside it.
            self._flush(background=True)
            return answer
        if path.startswith("/pay/"):
            return self._page(method, path, body, nonce=environ.get(CSP_NONCE_KEY, ""))
        return _json(404, _not_found(path))

    def _api(self, environ, method, path, body, base) -> tuple[int, list, bytes]:
        key = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        if not key.startswith(self.api_key_prefix):
            return _error(StripeError(401, "Invalid API Key provided: test keys only here."))
        query = body if method == "POST" else environ.get("QUERY_STRING", "")
        params = decode_form(query)
        idempotency_key = environ.get("HTTP_IDEMPOTENCY_KEY") if method == "POST" else None
        fingerprint = json.dumps([method, path, params], sort_keys=True)
        with self._lock:
            self.requests.append((method, path))
            saved = self._idempotent.get((key, idempotency_key)) if idempotency_key else None
            if saved is not None:
                if saved[0] != fingerprint:
                    return _error(
                        StripeError(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other "
                            f"than '{idempotency_key}' if you meant to execute a different "
                            "request.",
                            type_="idempotency_error",
                        )
                    )
                return _json(200, json.loads(saved[1]), [("Idempotent-Replayed", "true")])
            failure = self._take_failure(path)
            if failure is not None:
                error = StripeError(failure, "An error injected by a test.", type_="api_error")
                return _error(error, [("Stripe-Should-Retry", "false")])
            try:
                payload = self._route(method, path, params, base)
            except StripeError as error:
                return _error(error)
            status, headers, content = _json(200, payload)
            if idempotency_key:
                self._idempotent[(key, idempotency_key)] = (fingerprint, content)
        return status, headers, content

    def _route(self, method, path, params, base) -> dict:
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>\w+)", self._retrieve_session),
            ("POST", r"/v1/checkout/sessions/(?P<id>\w+)/expire", self._expire_session),
            ("POST", r"/v1/refunds", self._create_refund),
            ("GET", r"/v1/refunds/(?P<id>\w+)", self._retrieve_refund),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return handler(params, base=base, **match.groupdict())
        raise StripeError(404, _not_found(path)["error"]["message"])

    # --- Checkout Sessions --------------------------------------------------------------

    def _create_session(self, params, *, base) -> dict:
        now = int(self.clock())
        if params.get("mode") != "payment":
            raise StripeError(400, "This stand-in supports mode=payment only.", param="mode")
        for name in ("success_url", "cancel_url"):
            if not str(params.get(name, "")).startswith(("http://", "https://")):
                raise StripeError(400, f"Not a valid URL: {name}", param=name)
        try:
            (item,) = params["line_items"]
            price = item["price_data"]
            amount, currency = int(price["unit_amount"]), price["currency"].lower()
            quantity = int(item.get("quantity", 1))
            name = price["product_data"]["name"]
        except (KeyError, ValueError, TypeError, AttributeError):
            raise StripeError(
                400, "Give exactly one line item with price_data.", param="line_items"
            ) from None
        if amount <= 0 or quantity != 1:
            raise StripeError(400, "The amount must be positive.", param="line_items")
        expires_at = int(params.get("expires_at", now + MAX_EXPIRY_SECONDS))
        if not now + MIN_EXPIRY_SECONDS <= expires_at <= now + MAX_EXPIRY_SECONDS:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        session_id = f"cs_test_{secrets.token_hex(16)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params["cancel_url"],
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"{base}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        intent_data = params.get("payment_intent_data") or {}
        self._line_items[session_id] = {
            "name": name,
            "payment_intent_metadata": intent_data.get("metadata") or {},
        }
        return session

    def _session(self, session_id: str) -> dict:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeError(
                404,
                f"No such checkout.session: '{session_id}'",
                code="resource_missing",
                param="session",
            )
        self._expire_if_due(session)
        return session

    def _expire_if_due(self, session: dict) -> None:
        if session["status"] == "open" and self.clock() >= session["expires_at"]:
            self._expire(session)

    def _expire(self, session: dict) -> None:
        session.update(status="expired", url=None)
        self._event("checkout.session.expired", session)

    def _retrieve_session(self, params, *, base, id) -> dict:
        return self._session(id)

    def _expire_session(self, params, *, base, id) -> dict:
        session = self._session(id)
        if session["status"] != "open":
            raise StripeError(
                400,
                'Only Checkout Sessions with a status in ["open"] can be expired. This '
                f'Checkout Session has a status of "{session["status"]}".',
            )
        self._expire(session)
        return session

    # --- Refunds ------------------------------------------------------------------------

    def _create_refund(self, params, *, base) -> dict:
        intent_id = str(params.get("payment_intent", ""))
        intent = self.payment_intents.get(intent_id)
        if intent is None:
            raise StripeError(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="payment_intent",
            )
        charge = self.charges.get(intent.get("latest_charge") or "")
        if charge is None:
            raise StripeError(
                400,
                "This PaymentIntent does not have a successful charge to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = int(params.get("amount", remaining))
        if not 0 < amount <= remaining:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining})",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": int(self.clock()),
            "currency": charge["currency"],
            "metadata": params.get("metadata") or {},
            "payment_intent": intent["id"],
            "reason": params.get("reason"),
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._event("charge.refunded", charge)
        return refund

    def _retrieve_refund(self, params, *, base, id) -> dict:
        refund = self.refunds.get(id)
        if refund is None:
            raise StripeError(404, f"No such refund: '{id}'", code="resource_missing")
        return refund

    # --- the hosted page ----------------------------------------------------------------

    def _page(self, method, path, body, *, nonce: str = "") -> tuple[int, list, bytes]:
        session_id = path.removeprefix("/pay/").strip("/")
        with self._lock:
            try:
                session = self._session(session_id)
            except StripeError:
                return _html(404, "Checkout", "<p>This checkout does not exist.</p>", nonce)
        self._flush()
        action = decode_form(body).get("action") if method == "POST" else None
        if action == "cancel":
            return 303, [("Location", session["cancel_url"])], b""
        if action in ("pay", "pay_later"):
            try:
                self.complete(session_id, paid=action == "pay")
            except StripeError as error:
                message = html.escape(error.body["error"]["message"])
                return _html(400, "Checkout", f"<p>{message}</p>", nonce)
            target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            return 303, [("Location", target)], b""
        return _html(200, "Checkout", self._page_body(session), nonce)

    def _page_body(self, session: dict) -> str:
        name = html.escape(self._line_items[session["id"]]["name"])
        amount = html.escape(_money(session["amount_total"], session["currency"]))
        if session["status"] != "open":
            return (
                f"<h1>{name}</h1><p>This checkout is {html.escape(session['status'])}.</p>"
                f'<p><a href="{html.escape(session["cancel_url"])}">Back to the site</a></p>'
            )
        email = html.escape(session.get("customer_email") or "")
        return f"""
<p class="note">Local stand-in for Stripe Checkout: no card, no money, nothing leaves
this machine.</p>
<h1>{name}</h1>
<p class="amount">{amount}</p>
<p>{email}</p>
<form method="post">
  <button name="action" value="pay" class="pay">Pay {amount}</button>
  <button name="action" value="pay_later">Pay by bank debit (confirms later)</button>
  <button name="action" value="cancel" class="cancel">Cancel</button>
</form>"""

    # --- what Stripe does on its own, for the page and for tests -----------------------

    def complete(self, session_id: str, *, paid: bool = True) -> dict:
        """The client paid (``paid``) or chose a method that settles later (not ``paid``).

        Returns the ``checkout.session.completed`` event, posted to the webhook URL before
        this returns (so before the page redirects), or left in the outbox.
        """
        event = None
        with self._lock:
            session = self._session(session_id)
            status = session["status"]
            if status == "open":
                event = self._complete(session, paid=paid)
        self._flush()
        if event is None:
            raise StripeError(400, f"This checkout is {status}.")
        return event

    def _complete(self, session: dict, *, paid: bool) -> dict:
        intent_id = f"pi_{secrets.token_hex(12)}"
        self.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "currency": session["currency"],
            "latest_charge": None,
            "metadata": self._line_items[session["id"]]["payment_intent_metadata"],
            "status": "processing",
        }
        session.update(
            status="complete",
            url=None,
            payment_intent=intent_id,
            customer_details={"email": session["customer_email"]},
        )
        if paid:
            self._capture(session)
        return self._event("checkout.session.completed", session)

    def settle(self, session_id: str, *, succeeded: bool = True) -> dict:
        """A delayed payment method ended: ``async_payment_succeeded`` or ``_failed``."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "complete" or session["payment_status"] != "unpaid":
                raise StripeError(400, "Only a complete, unpaid session can settle.")
            if succeeded:
                self._capture(session)
                event = self._event("checkout.session.async_payment_succeeded", session)
            else:
                intent = self.payment_intents[session["payment_intent"]]
                intent["status"] = "requires_payment_method"
                event = self._event("checkout.session.async_payment_failed", session)
        self._flush()
        return event

    def expire_due(self) -> list[dict]:
        """Expire every open session whose ``expires_at`` has passed, as Stripe would."""
        with self._lock:
            before = len(self.events)
            for session in self.sessions.values():
                self._expire_if_due(session)
            events = self.events[before:]
        self._flush()
        return events

    def emit(self, type_: str, object_id: str, **changes) -> dict:
        """An event of any type about a session or charge as it stands now, or with
        ``changes`` to its snapshot (to replay an older state: events can be reordered)."""
        with self._lock:
            obj = self.sessions.get(object_id) or self.charges.get(object_id)
            if obj is None:
                raise KeyError(object_id)
            event = self._event(type_, {**obj, **changes})
        self._flush()
        return event

    def charge_for(self, session_id: str) -> dict:
        with self._lock:
            intent = self.payment_intents[self.sessions[session_id]["payment_intent"]]
            return dict(self.charges[intent["latest_charge"]])

    def fail_next(self, path_prefix: str, *, status: int = 500, times: int = 1) -> None:
        """The next ``times`` API calls under ``path_prefix`` answer ``status`` (no retry)."""
        with self._lock:
            self._failures.append(_Failure(path_prefix, status, times))

    def _take_failure(self, path: str) -> int | None:
        for failure in self._failures:
            if path.startswith(failure.path_prefix) and failure.remaining > 0:
                failure.remaining -= 1
                return failure.status
        return None

    def _capture(self, session: dict) -> None:
        intent = self.payment_intents[session["payment_intent"]]
        charge_id = f"ch_{secrets.token_hex(12)}"
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": session["amount_total"],
            "amount_refunded": 0,
            "currency": session["currency"],
            "metadata": intent["metadata"],
            "paid": True,
            "payment_intent": intent["id"],
            "refunded": False,
            "status": "succeeded",
        }
        intent.update(status="succeeded", latest_charge=charge_id)
        session["payment_status"] = "paid"

    # --- events -------------------------------------------------------------------------

    def _event(self, type_: str, obj: dict) -> dict:
        """Record an event (a snapshot of ``obj`` now) to be sent by the next flush."""
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": int(self.clock()),
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }
        self.events.append(event)
        self._unsent.append(event)
        return event

    def _flush(self, *, background: bool = False) -> None:
        """Post the recorded events to the webhook URL, or keep them for a test to deliver.

        Always called without the lock held: the app may call back while it handles one.
        """
        with self._lock:
            events, self._unsent = self._unsent, []
            if not self.webhook_url:
                self.outbox.extend(events)
                return
        if not events:
            return
        if background:
            threading.Thread(target=self._post_all, args=(events,), daemon=True).start()
        else:
            self._post_all(events)

    def _post_all(self, events: list[dict]) -> None:
        for event in events:
            self.post(event)

    def signed(
        self, event: dict, *, timestamp: int | None = None, secret: str | None = None
    ) -> tuple[bytes, str]:
        """The body Stripe would post for ``event`` and its ``Stripe-Signature`` header."""
        payload = json.dumps(event, indent=2)
        stamp = int(self.clock()) if timestamp is None else timestamp
        return payload.encode(), sign(payload, secret or self.webhook_secret, stamp)

    def take_outbox(self) -> list[dict]:
        """The events not yet delivered, oldest first; the outbox is left empty."""
        with self._lock:
            events, self.outbox[:] = list(self.outbox), []
        return events

    def post(self, event: dict, *, url: str | None = None) -> int:
        """Deliver one event over HTTP, signed now; the answer's status code (0: no answer)."""
        body, header = self.signed(event)
        request = urllib.request.Request(  # noqa: S310 (the app's own webhook URL)
            url or self.webhook_url or "",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            self.delivery_errors.append(f"{event['id']}: HTTP {error.code}")
            return error.code
        except OSError as error:
            self.delivery_errors.append(f"{event['id']}: {type(error).__name__}")
            return 0


def _json(status: int, payload, extra_headers=()) -> tuple[int, list, bytes]:
    content = json.dumps(payload, indent=2).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(content))),
        ("Request-Id", f"req_{secrets.token_hex(7)}"),
        ("Stripe-Version", API_VERSION),
        *extra_headers,
    ]
    return status, headers, content


def _error(error: StripeError, extra_headers=()) -> tuple[int, list, bytes]:
    return _json(error.status, error.body, extra_headers)


def _not_found(path: str) -> dict:
    return {
        "error": {
            "type": "invalid_request_error",
            "message": f"Unrecognized request URL ({path}).",
        }
    }


def _money(minor: int, currency: str) -> str:
    if currency.upper() in ZERO_DECIMAL:
        return f"{minor} {currency.upper()}"
    return f"{minor // 100}.{minor % 100:02d} {currency.upper()}"


def _html(status: int, title: str, body: str, nonce: str = "") -> tuple[int, list, bytes]:
    """A page of the stand-in's own; its one style block carries ``nonce`` when the site's
    Content-Security-Policy allows inline styles only by nonce (mounted in-process)."""
    nonce_attribute = f' nonce="{html.escape(nonce)}"' if nonce else ""
    content = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style{nonce_attribute}>
body {{ font-family: system-ui, sans-serif; background: #f6f8fa; color: #1a1a1a;
       max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }}
.note {{ background: #fff4d6; padding: .6rem .8rem; border-radius: 6px; font-size: .9rem; }}
.amount {{ font-size: 2rem; font-weight: 600; margin: .5rem 0 1.5rem; }}
form {{ display: grid; gap: .6rem; }}
button {{ font: inherit; padding: .8rem; border-radius: 6px; border: 1px solid #c9d1d9;
         background: #fff; cursor: pointer; }}
button.pay {{ background: #635bff; color: #fff; border: none; font-weight: 600; }}
button.cancel {{ background: none; border: none; text-decoration: underline; }}
</style></head>
<body>{body}</body></html>""".encode()
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(content)))]
    return status, headers, content
