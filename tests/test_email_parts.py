"""Every email the practice sends is plain text and HTML: some mail apps show only one.

The kinds are read from the templates folder, so a new email written in text alone fails
here before anyone receives it.
"""

from html import unescape
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.core import mail
from django.test import RequestFactory

from booking.emails.compose import simple_message
from practice.models import Practitioner

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Not the parts every email includes ("_add_to_calendar").
PRODUCT_EMAILS = sorted(
    p.stem for p in (TEMPLATES / "email").glob("*.txt") if not p.stem.startswith("_")
)
ACCOUNT_EMAILS = sorted(
    p.name.removesuffix("_message.txt")
    for p in (TEMPLATES / "account/email").glob("*_message.txt")
    if p.name != "base_message.txt"  # the frame the others extend
)
LINK = "http://testserver/a-link-only-this-email-holds"
# What each account email is for, which both of its parts must carry.
ACCOUNT_CONTEXT = {
    "code": "K7Q2MX",
    "activate_url": LINK,
    "password_reset_url": LINK,
    "signin_url": LINK,
}
ACCOUNT_CARRIES = {
    "login_code": "K7Q2MX",
    "email_confirmation": "K7Q2MX",  # confirmed by code
    "email_confirmation_signup": "K7Q2MX",
    "account_already_exists": LINK,
    "password_reset_key": LINK,
    "unknown_account": "can't be used to sign in here",
}


def test_every_kind_of_email_is_known_here():
    assert PRODUCT_EMAILS, "no product emails found"
    assert set(ACCOUNT_EMAILS) == set(ACCOUNT_CARRIES)


@pytest.mark.parametrize("template", PRODUCT_EMAILS)
def test_each_product_email_has_a_text_and_an_html_part(template):
    message = simple_message(
        template=f"email/{template}",
        context={"practice_name": "Lindqvist Coaching"},
        subject="A subject",
        to="ana@example.org",
        practitioner=Practitioner(practice_name="Lindqvist Coaching", email="mara@example.org"),
    )

    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<html" in html
    assert message.body.strip()
    assert "<p" not in message.body


@pytest.mark.parametrize("prefix", ACCOUNT_EMAILS)
def test_each_account_email_arrives_in_text_and_html_saying_the_same(db, prefix):
    with request_context(RequestFactory().get("/")):
        get_adapter().send_mail(f"account/email/{prefix}", "ana@example.org", ACCOUNT_CONTEXT)

    [message] = mail.outbox
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert ACCOUNT_CARRIES[prefix] in message.body
    assert ACCOUNT_CARRIES[prefix] in unescape(html)
    assert "<p" not in message.body
