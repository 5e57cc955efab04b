from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Practitioner's console"

    def ready(self) -> None:
        from console import signals  # noqa: F401
