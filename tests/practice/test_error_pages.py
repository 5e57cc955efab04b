"""The pages a visitor meets when something is wrong are the practice's, in its look and
its words, under the same Content-Security-Policy; never Django's bare "Not Found"."""

import pytest
from django.template import loader
from django.test import Client

from tests.practice.test_headers import POLICY, directives

pytestmark = pytest.mark.urls("tests.practice.error_urls")


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_the_sites_page(response, *, status: int, heading: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in page
    assert '<link rel="stylesheet" href="/static/site.css">' in page
    assert '<a class="button" href="/">Back to the start</a>' in page
    for directive, value in POLICY.items():
        assert directives(response)[directive] == value
    assert " style=" not in page
    for mark in ("{%", "{{", "%}"):
        assert mark not in page
    return page


def test_an_unknown_address_is_the_practices_404(client, practitioner):
    response = client.get("/no-such-page/")

    page = assert_the_sites_page(response, status=404, heading="This page isn't here")
    assert "Not Found" not in page
    assert "Nothing was changed." in page
    assert practitioner.practice_name in page  # the header, as on every page
    assert f'<a href="mailto:{practitioner.email}">{practitioner.email}</a>' in page


def test_an_unknown_intake_address_keeps_the_way_out(client, practitioner):
    page = client.get("/intake/no/such/page/").content.decode()

    assert "This page isn't here" in page
    assert "Leave this page" in page


def test_a_failing_view_is_the_practices_500(client, db):
    client.raise_request_exception = False

    response = client.get("/fails/")

    page = assert_the_sites_page(response, status=500, heading="Something went wrong on our side")
    assert "Server Error" not in page
    assert "the database went away" not in page
    assert "reply to any email about your booking" in page
    assert "<script" not in page  # no nonce without a request: nothing inline at all


def test_the_500_page_renders_with_no_context_and_no_database():
    """As Django's server_error renders it; without the db mark any query would fail."""
    page = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in page


def test_a_forbidden_page_is_the_practices_403(client, practitioner):
    response = client.get("/forbidden/")

    page = assert_the_sites_page(response, status=403, heading="This page isn't open to you")
    assert "403 Forbidden" not in page


def test_a_request_we_cannot_trust_is_the_practices_400(client, db):
    response = client.get("/suspicious/")

    page = assert_the_sites_page(response, status=400, heading="This request could not be read")
    assert "Bad Request" not in page


def test_a_form_sent_without_its_csrf_token_says_to_send_it_again(assessment):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/book/assessment/details/", {"name": "Ana"})

    page = assert_the_sites_page(response, status=403, heading="Please send the form again")
    assert "CSRF verification failed" not in page
    assert "Nothing was sent or changed." in page
