from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "booking.payments"
    label = "payments"
    verbose_name = "Payments"
