"""The practitioner's admin: her own zone, a cancel that asks first, the partner shown.

The clock stands at Wednesday 2026-12-02 08:00 UTC (09:00 in Berlin, UTC+1).
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from booking import booking_changes
from booking.admin import CHOOSE_REFUND
from booking.models import Booking
from booking.payments.models import Refund
from practice.middleware import PracticeTimezoneMiddleware
from practice.models import Offering
from tests.factories import insert_booking, make_offering, make_practitioner, make_session_offering

THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CHANGELIST = reverse("admin:booking_booking_changelist")


def _zone_seen_by_view(user) -> tuple[str, HttpResponse]:
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/admin/")
    request.user = user
    response = PracticeTimezoneMiddleware(view)(request)
    return seen["zone"], response


@pytest.mark.django_db
def test_staff_see_the_zone_of_their_own_practitioner_in_one_query(
    django_assert_num_queries, admin_user
):
    make_practitioner(timezone="Europe/Berlin")
    make_practitioner(timezone="America/New_York", user=admin_user, email="b@example.org")
    with django_assert_num_queries(1):
        zone, _ = _zone_seen_by_view(admin_user)
    assert zone == "America/New_York"
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated after the response


@pytest.mark.django_db
def test_staff_without_a_practitioner_of_their_own_see_the_first_practitioners_zone(
    admin_user,
):
    make_practitioner(timezone="Europe/Berlin")
    make_practitioner(timezone="America/New_York", email="b@example.org")
    assert _zone_seen_by_view(admin_user)[0] == "Europe/Berlin"


@pytest.mark.django_db
def test_clients_and_visitors_keep_the_server_zone_without_a_query(django_assert_num_queries):
    make_practitioner(timezone="Europe/Berlin")
    client_user = get_user_model().objects.create_user("sam", "sam@example.org")
    with django_assert_num_queries(0):
        assert _zone_seen_by_view(client_user)[0] == "UTC"
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert _zone_seen_by_view(AnonymousUser())[0] == "UTC"


@pytest.mark.django_db
def test_the_admin_lists_a_bookings_time_in_the_practitioners_zone(admin_client, assessment):
    insert_booking(assessment, datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Fri 4 Dec 2026, 09:00 CET" in page
    # The admin's time inputs compare this offset with the browser's: no "1 hour ahead".
    assert 'data-admin-utc-offset="3600"' in page


@pytest.mark.django_db
def test_a_booking_names_its_start_in_the_practitioners_zone(practitioner):
    offering = make_session_offering(practitioner)
    winter = insert_booking(offering, datetime(2026, 12, 4, 9, 30, tzinfo=UTC))
    summer = insert_booking(offering, datetime(2026, 7, 1, 8, 0, tzinfo=UTC), email="b@x.org")
    assert str(winter) == "Single session 2026-12-04 10:30 CET (Confirmed)"
    assert str(summer) == "Single session 2026-07-01 10:00 CEST (Confirmed)"


@pytest.mark.django_db
def test_a_couples_booking_shows_the_partner_read_only(admin_client, practitioner):
    couples = make_offering(
        practitioner, slug="couples", name="Couples session", kind=Offering.Kind.COUPLES_SESSION
    )
    booking = insert_booking(
        couples,
        THURSDAY_10_BERLIN,
        partner_name="Robin Partner",
        partner_email="robin@example.org",
    )
    page = admin_client.get(reverse("admin:booking_booking_change", args=[booking.pk]))
    html = page.content.decode()
    assert "Robin Partner" in html
    assert "robin@example.org" in html
    assert 'name="partner_name"' not in html
    assert 'name="partner_email"' not in html
    assert "Thu 3 Dec 2026, 10:00–10:30 CET" in html


@pytest.mark.django_db
def test_the_changelist_is_four_compact_columns(admin_client, assessment):
    insert_booking(assessment, THURSDAY_10_BERLIN, client_name="Sam Client")
    page = admin_client.get(CHANGELIST)
    headers = [field for field in page.context["cl"].list_display if field != "action_checkbox"]
    assert headers == ["when", "offering", "client_contact", "status"]
    html = page.content.decode()
    assert 'Sam Client<br><span class="quiet">client@example.org</span>' in html


@pytest.mark.django_db
def test_the_practitioner_page_says_date_overrides_and_shows_hours_without_seconds(
    admin_client, practitioner
):
    page = admin_client.get(reverse("admin:practice_practitioner_change", args=[practitioner.pk]))
    html = page.content.decode()
    assert "Date overrides (leave the times empty for a day off)" in html
    assert "day off)s" not in html.lower()
    assert 'value="09:00"' in html
    assert "09:00:00" not in html


# --- cancelling asks first ---------------------------------------------------------------


def _cancel(admin_client, booking, **extra):
    return admin_client.post(
        CHANGELIST,
        {"action": "cancel_bookings", "_selected_action": [booking.pk], **extra},
        follow=True,
    )


@pytest.mark.django_db(transaction=True)
def test_cancel_first_shows_each_booking_and_its_refund_and_changes_nothing(admin_client, paid):
    page = _cancel(admin_client, paid)
    html = page.content.decode()
    assert "Cancel these bookings?" in html
    assert "Ana Sousa" in html
    assert "Thu 3 Dec 2026, 10:00 CET" in html
    assert "60.00 EUR back (50 % per the policy)." in html
    assert "120.00 EUR back in full." in html
    assert 'value="waive"' in html
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED
    assert not Refund.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_confirming_per_the_policy_refunds_what_the_policy_gives(admin_client, paid):
    page = _cancel(admin_client, paid, post="yes", refund="policy")
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED
    refund = Refund.objects.get()
    assert (refund.amount, refund.decided_by) == (60, Refund.DecidedBy.POLICY)
    assert [str(m) for m in page.context["messages"]] == [
        "1 booking(s) cancelled; the clients are emailed. Refunds: 60.00 EUR to Ana Sousa."
    ]


@pytest.mark.django_db(transaction=True)
def test_confirming_with_the_policy_waived_refunds_in_full(admin_client, paid):
    page = _cancel(admin_client, paid, post="yes", refund="waive")
    refund = Refund.objects.get()
    assert (refund.amount, refund.decided_by) == (120, Refund.DecidedBy.PRACTITIONER)
    assert "Refunds: 120.00 EUR to Ana Sousa." in str(list(page.context["messages"])[0])


@pytest.mark.django_db(transaction=True)
def test_confirming_without_choosing_the_refund_cancels_nothing(admin_client, paid):
    page = _cancel(admin_client, paid, post="yes")
    assert CHOOSE_REFUND in page.content.decode()
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED


@pytest.mark.django_db
def test_a_free_booking_is_cancelled_after_confirming_without_a_refund_choice(
    admin_client, assessment
):
    booking = insert_booking(assessment, THURSDAY_10_BERLIN)
    first = _cancel(admin_client, booking).content.decode()
    assert "Nothing was paid: no refund." in first
    assert 'value="waive"' not in first
    page = _cancel(admin_client, booking, post="yes")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert [str(m) for m in page.context["messages"]] == [
        "1 booking(s) cancelled; the clients are emailed. No refunds."
    ]


@pytest.mark.django_db
def test_a_booking_that_cannot_be_cancelled_says_so_on_the_confirmation(admin_client, assessment):
    booking = insert_booking(assessment, THURSDAY_10_BERLIN, status=Booking.Status.COMPLETED)
    html = _cancel(admin_client, booking).content.decode()
    assert "Not cancelled: it is completed." in html
    assert "Confirm: cancel" not in html


def test_the_history_of_a_booking_reads_in_words_and_her_time(admin_client, assessment, now):
    booking = insert_booking(assessment, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    booking_changes.reschedule(booking=booking, new_start=datetime(2026, 12, 4, 13, 0, tzinfo=UTC))
    page = admin_client.get(reverse("admin:booking_booking_change", args=[booking.pk]))
    text = page.content.decode()
    assert "from Thu 3 Dec 2026, 10:00 CET · to Fri 4 Dec 2026, 14:00 CET" in text
    assert "old_start" not in text


@pytest.mark.django_db
def test_a_booking_page_offers_its_own_cancel_with_the_same_confirmation(admin_client, assessment):
    booking = insert_booking(assessment, THURSDAY_10_BERLIN)
    change = reverse("admin:booking_booking_change", args=[booking.pk])
    cancel = reverse("admin:booking_booking_cancel", args=[booking.pk])
    page = admin_client.get(change).content.decode()
    assert f'href="{cancel}">Cancel this booking…' in page
    assert "Nothing to pay." in page

    first = admin_client.get(cancel)
    assert "Nothing was paid: no refund." in first.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # nothing until she confirms

    done = admin_client.post(cancel, {"post": "yes"})
    assert done["Location"] == change
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "Cancel this booking" not in admin_client.get(change).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_paid_booking_page_says_what_was_paid_and_refunded(admin_client, paid):
    page = admin_client.get(reverse("admin:booking_booking_change", args=[paid.pk]))
    text = page.content.decode()
    assert "120.00 EUR, paid" in text
    assert "payment and refunds</a>" in text
