from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "booking.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from booking import payment_hooks
        from booking.payments import (
            checks,  # noqa: F401  (registers the deploy check)
            emails,
            hold_release,
            payment_links,
            refunds,
        )

        emails.register()
        hold_release.register()
        payment_links.register()
        refunds.register()

        payment_hooks.provide(
            cancel_if_paid=refunds.cancel_if_paid,
            money_lines=emails.money_lines,
            refund_note=emails.refund_note,
        )
