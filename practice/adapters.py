"""How allauth fits this practice: bookings follow a verified email, kind wording, and
emails that carry what they are for and nothing else (no username, no reason for the
visit, no practice name in the subject)."""

import time
from email.utils import formataddr, parseaddr

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from practice import crypto, services
from practice.models import Practitioner

TOO_MANY_ATTEMPTS = (
    "That's several tries in a short time, so we've paused sign-in for a few minutes to keep "
    "accounts safe. Please wait a little, then ask for a new code."
)
RATE_LIMITED = "That's a lot of requests in a short time. Please wait a minute and try again."
INCORRECT_CODE = "That code doesn't match the one we sent. Please check the email and try again."


def user_display(user: AbstractBaseUser) -> str:
    """Accounts have no username worth showing: the email is who they are."""
    return user.email


def _practice_name() -> str:
    practitioner = Practitioner.objects.order_by("pk").first()
    return practitioner.practice_name if practitioner else ""


class AccountAdapter(DefaultAccountAdapter):
    error_messages = DefaultAccountAdapter.error_messages | {
        "too_many_login_attempts": TOO_MANY_ATTEMPTS,
        "rate_limited": RATE_LIMITED,
        "incorrect_code": INCORRECT_CODE,
    }

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        services.claim_bookings(user=user)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """The practitioner lands in her console; clients on their bookings."""
        if Practitioner.objects.filter(user=request.user).exists():
            return reverse("console:today")
        return super().get_login_redirect_url(request)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.user_id:
            services.claim_bookings(user=email_address.user)
        return confirmed

    def get_from_email(self) -> str:
        """Sign-in codes and account emails come from the practice by name, like the
        booking emails, so that a code is recognised as hers and not taken for spam."""
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        return formataddr((_practice_name() or name, address))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        common = {
            "practice_name": _practice_name(),
            "code_minutes": app_settings.LOGIN_BY_CODE_TIMEOUT // 60,
        }
        super().send_mail(template_prefix, email, common | context)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Adding or changing a second factor moments after signing in (by an emailed
        code, within the re-authentication timeout) does not ask for a second code: the
        sign-in just proved the same thing. The console's own sensitive actions (app "")
        always ask."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = context.request
        if not required or app != "allauth.mfa" or request is None:
            return required
        if not request.user.is_authenticated:
            return required
        records = get_authentication_records(request, request.user)
        recent = time.time() - app_settings.REAUTHENTICATION_TIMEOUT
        return not (records and records[-1].get("at", 0) > recent)

    def get_reauthentication_methods(self, user) -> list[dict]:
        """The practitioner confirms who she is with her second factor first (the one her
        console asks for); an emailed code or a password she may not have come after."""
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and Practitioner.objects.filter(user=user).exists():
            methods.sort(key=lambda method: not method["id"].startswith("mfa_"))
        return methods

    def send_account_already_exists_mail(self, email: str) -> None:
        """Sent when someone tries to sign up with an address that has an account: point
        them at the code sign-in rather than at a password they may never have had."""
        signin_url = context.request.build_absolute_uri(reverse("account_request_login_code"))
        self.send_mail("account/email/account_already_exists", email, {"signin_url": signin_url})


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        """Second-factor secrets (the TOTP key, the recovery codes' seed) are encrypted at
        rest with the intake keys, and re-encrypted by rotate_intake_keys."""
        return crypto.encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt_text(encrypted_text)

    def get_totp_issuer(self) -> str:
        """The name the practitioner's authenticator app shows: her practice, not a host."""
        return _practice_name() or super().get_totp_issuer()
