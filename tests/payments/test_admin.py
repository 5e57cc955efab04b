"""The practitioner's view of money in the admin: records to read, actions that go
through the services."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from booking.models import Booking
from booking.payments import hardship
from booking.payments.admin import RefundTierInline
from booking.payments.models import HardshipRequest, Payment, Refund, RefundTier, WebhookEvent
from practice.models import Offering

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("model", [Payment, Refund, WebhookEvent, HardshipRequest])
def test_the_money_pages_open_and_cannot_add_or_delete(admin_client, paid, model):
    opts = model._meta
    listing = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    admin = site._registry[model]
    request = listing.wsgi_request
    assert not admin.has_add_permission(request)
    assert not admin.has_delete_permission(request)


def test_a_payment_page_shows_its_state_and_nothing_is_editable(admin_client, paid):
    payment = Payment.objects.get(booking=paid)
    page = admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200
    assert "Paid" in page.content.decode()
    assert not site._registry[Payment].has_change_permission(page.wsgi_request)


def test_a_payment_moves_no_money_in_one_click_and_leads_to_its_booking(admin_client, paid):
    payment = Payment.objects.get(booking=paid)
    listing = admin_client.get(reverse("admin:payments_payment_changelist")).content.decode()
    assert 'name="action"' not in listing  # no actions: cancelling is on the booking
    admin_client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "cancel_with_full_refund", "_selected_action": [payment.pk]},
    )
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED
    assert not Refund.objects.exists()
    page = admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    booking_url = reverse("admin:booking_booking_change", args=[paid.pk])
    assert f'href="{booking_url}"' in page.content.decode()


def test_the_practitioner_approves_a_hardship_request(admin_client, paid):
    request = hardship.request_hardship(booking=paid)
    admin_client.post(
        reverse("admin:payments_hardshiprequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert request.state == HardshipRequest.State.APPROVED
    assert request.decided_by.is_superuser


def test_the_policy_inline_edits_an_offerings_tiers(session_offering):
    assert RefundTierInline.model is RefundTier
    assert RefundTierInline.fk_name is None  # one foreign key to Offering: found by Django
    assert RefundTier._meta.get_field("offering").related_model is Offering
