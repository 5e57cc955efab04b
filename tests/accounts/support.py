"""Helpers for the accounts tests: people with accounts, and signing in as a person would."""

import html
import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

SIGN_IN = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"
CODE_LINE = re.compile(r"^ {4}(\S+)$", re.MULTILINE)


def make_user(email="sam@example.org", *, verified=True, password=None, **fields):
    """An account as allauth keeps one: the user and its (primary) EmailAddress."""
    user = get_user_model().objects.create_user(
        username=fields.pop("username", email.split("@")[0]),
        email=email,
        password=password,
        **fields,
    )
    EmailAddress.objects.create(user=user, email=email.lower(), primary=True, verified=verified)
    return user


def add_email(user, email, *, verified):
    return EmailAddress.objects.create(user=user, email=email.lower(), verified=verified)


def code_from(message) -> str:
    found = CODE_LINE.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


def request_code(client, email, *, next_url=None):
    data = {"email": email}
    path = SIGN_IN + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    return client.post(path, data)


def sign_in_by_code(client, email, *, next_url=None):
    """Ask for a code, read it from the outbox, type it in: the response to the last step."""
    sent = len(mail.outbox)
    response = request_code(client, email, next_url=next_url)
    assert response.status_code == 302, response.content.decode()
    assert len(mail.outbox) == sent + 1
    data = {"code": code_from(mail.outbox[-1])}
    if next_url:
        data["next"] = next_url
    return client.post(response["Location"], data)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; turned back into quotes)."""
    return html.unescape(response.content.decode())


def request_code_afresh(email):
    """Ask for a code from a new browser session, as someone trying many would."""
    return request_code(Client(), email)
