from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from intake import (  # noqa: F401  (checks)
            checks,
            crisis,
            notifications,
            questionnaires,
            reminders,
        )

        notifications.register()
        reminders.register()

        # Read and validate every questionnaire file now: a bad file stops the start-up
        # with a message naming the file and the place, not a client's page later.
        questionnaires.registry()
        # The same for the crisis resources: a line without its source never reaches a page.
        crisis.data.countries()
