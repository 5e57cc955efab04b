import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from intake import services
from intake.models import AccessLog, Response

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Zebra-Marmalade-7731"


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin@example.org", "admin@example.org", "x")
    client.force_login(user)
    return client, user


def test_the_admin_never_shows_answers_or_the_private_link(admin_client, assignment, now):
    client, user = admin_client
    services.give_consent(assignment=assignment, now=now)
    response = services.save_answers(
        assignment=assignment, answers={"what_brings_you": SECRET, "safe_now": "no"}, now=now
    )
    AccessLog.objects.create(user=user, response=response, action=AccessLog.Action.READ, at=now)
    pages = [
        reverse("admin:intake_response_changelist"),
        reverse("admin:intake_response_change", args=[response.pk]),
        reverse("admin:intake_assignment_changelist"),
        reverse("admin:intake_assignment_change", args=[assignment.pk]),
        reverse("admin:intake_accesslog_changelist"),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert SECRET not in html
        assert assignment.token not in html
        assert "answers" not in html.lower()
    assert Response.objects.get().answers["what_brings_you"] == SECRET
