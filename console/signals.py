"""Setting up a second factor proves she holds it: the session counts as signed in with it,
so the console opens at once instead of asking for the code she has just typed."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver

from practice.second_factor import SECOND_FACTORS


@receiver(authenticator_added)
def count_new_factor_as_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type in SECOND_FACTORS:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
