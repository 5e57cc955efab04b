"""Deploy checks: a Stripe key is never set without the secret its webhook is signed with."""

from django.conf import settings
from django.core.checks import Error, Tags, register

WEBHOOK_UNSIGNED = (
    "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is empty: every webhook from Stripe "
    "would be refused, so a payment made after its client left the return page would never "
    "confirm its booking, and a late one would never be refunded."
)
WEBHOOK_UNSIGNED_HINT = (
    "Copy the signing secret (whsec_…) of the endpoint SITE_URL/stripe/webhook/ from the "
    "Stripe dashboard into STRIPE_WEBHOOK_SECRET."
)


@register(Tags.security, deploy=True)
def check_webhook_secret(app_configs=None, **kwargs) -> list[Error]:
    """payments.E001 for a Stripe key without its webhook secret (``check --deploy``)."""
    if settings.STRIPE_SECRET_KEY and not settings.STRIPE_WEBHOOK_SECRET:
        return [Error(WEBHOOK_UNSIGNED, hint=WEBHOOK_UNSIGNED_HINT, id="payments.E001")]
    return []
