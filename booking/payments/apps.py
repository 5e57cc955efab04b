from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "booking.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from booking.payments import checks  # noqa: F401  (registers the deploy check)
