from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from booking import reminders, services
        from booking.calendars import conflicts, failing, push
        from booking.emails import changes, link_emails

        changes.register()
        link_emails.register()
        reminders.register()
        services.register()
        conflicts.register()
        push.register()
        failing.register()
