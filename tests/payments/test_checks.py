"""``manage.py check --deploy`` refuses a Stripe key set without its webhook secret."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from booking.payments.checks import WEBHOOK_UNSIGNED


@override_settings(STRIPE_SECRET_KEY="sk_live_example", STRIPE_WEBHOOK_SECRET="")
def test_check_deploy_fails_for_a_stripe_key_without_its_webhook_secret():
    with pytest.raises(SystemCheckError) as failure:
        call_command("check", "--deploy", "--tag", "security")

    assert "payments.E001" in str(failure.value)
    assert WEBHOOK_UNSIGNED in str(failure.value)


@pytest.mark.parametrize(
    ("key", "secret"), [("sk_live_example", "whsec_example"), ("", ""), ("", "whsec_example")]
)
def test_check_deploy_says_nothing_of_stripe_when_the_key_has_its_secret_or_is_unset(
    key, secret, capsys
):
    with override_settings(STRIPE_SECRET_KEY=key, STRIPE_WEBHOOK_SECRET=secret):
        call_command("check", "--deploy", "--tag", "security", "--fail-level", "CRITICAL")

    assert "payments.E001" not in capsys.readouterr().err


def test_an_ordinary_check_leaves_it_to_the_deploy_check():
    with override_settings(STRIPE_SECRET_KEY="sk_test_example", STRIPE_WEBHOOK_SECRET=""):
        call_command("check")
