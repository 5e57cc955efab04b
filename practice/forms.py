"""Forms of the accounts journey."""

from allauth.account.forms import RequestLoginCodeForm
from allauth.core import context

from practice import services


class EmailCodeRequestForm(RequestLoginCodeForm):
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
