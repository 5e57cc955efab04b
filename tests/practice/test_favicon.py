"""Every page has the site's icon: those that name it, and those that leave the browser to
ask for /favicon.ico (the payment stand-in's page), which is sent to it, not a 404."""

import pytest

from tests.accounts.support import make_user

ICON_LINK = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_favicon_ico_leads_to_the_sites_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_admin_names_the_sites_icon(client):
    client.force_login(make_user("mara@example.org", is_staff=True, is_superuser=True))

    for path in ("/admin/", "/admin/booking/booking/", "/admin/password_change/"):
        page = client.get(path).content.decode()
        assert ICON_LINK in page, path
