"""Forms of the accounts journey."""

from allauth.account import forms as allauth_forms
from allauth.core import context

from practice import services
from practice.validators import email_validators


class LimitedEmail:
    """allauth's email fields take what Django's EmailField takes (up to 320 characters),
    but every email column holds 254: a longer address would be stored on SQLite and be a
    500 on PostgreSQL. Each form that reads an address gets the shared limit, so it comes
    back with a message before allauth looks anything up or creates anything."""

    email_field = "email"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get(self.email_field)
        if field is not None:
            field.validators.extend(email_validators())


class LoginForm(LimitedEmail, allauth_forms.LoginForm):
    email_field = "login"


class SignupForm(LimitedEmail, allauth_forms.SignupForm):
    pass


class AddEmailForm(LimitedEmail, allauth_forms.AddEmailForm):
    pass


class ChangeEmailForm(LimitedEmail, allauth_forms.ChangeEmailForm):
    pass


class ResetPasswordForm(LimitedEmail, allauth_forms.ResetPasswordForm):
    pass


class EmailCodeRequestForm(LimitedEmail, allauth_forms.RequestLoginCodeForm):
    """allauth's "email me a code" form that also lets in an address it has never seen.

    allauth would email an unknown address a link to sign up (two emails, two forms). Here
    the address gets a passwordless account on the spot and the same sign-in code as
    everyone else; entering the code verifies it. The page and the email are the same
    whether or not an account existed, so nothing is given away. Rate limits (per IP and
    per address) are checked by the parent before anything is created.
    """

    def clean_email(self) -> str:
        email = super().clean_email()
        if email and self._user is None:
            self._user = services.provision_account(request=context.request, email=email)
        return email
