from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Practitioner's console"

    def ready(self) -> None:
        from booking import effects
        from console import morning, signals  # noqa: F401

        effects.register_email(morning.EFFECT, morning.summary_for)
