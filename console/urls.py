"""The practitioner's console, under /console/: every view passes console.access first."""

from django.urls import path

from console import (
    book_for_views,
    booking_decision_views,
    booking_views,
    calendar_views,
    client_views,
    day_views,
    hours_views,
    money_views,
    not_sent_views,
    offering_views,
    security_views,
    support_line_views,
)

app_name = "console"

urlpatterns = [
    path("", day_views.today, name="today"),
    path("week/", day_views.week, name="week"),
    path("bookings/<uuid:public_id>/", booking_views.booking, name="booking"),
    path("bookings/<uuid:public_id>/cancel/", booking_views.cancel, name="booking_cancel"),
    path("bookings/<uuid:public_id>/move/", booking_views.move, name="booking_move"),
    path(
        "bookings/<uuid:public_id>/attendance/",
        booking_views.attendance,
        name="booking_attendance",
    ),
    path(
        "bookings/<uuid:public_id>/attendance/undo/",
        booking_decision_views.undo_attendance,
        name="booking_attendance_undo",
    ),
    path("bookings/<uuid:public_id>/note/", booking_views.note, name="booking_note"),
    path(
        "bookings/<uuid:public_id>/hardship/",
        booking_decision_views.hardship,
        name="booking_hardship",
    ),
    path(
        "bookings/<uuid:public_id>/release/",
        booking_decision_views.release,
        name="booking_release",
    ),
    path("book/", book_for_views.book_for_client, name="book_for"),
    path("clients/", client_views.clients, name="clients"),
    path("clients/<str:key>/", client_views.client, name="client"),
    path("clients/<str:key>/returning/", client_views.mark_returning, name="client_returning"),
    path(
        "clients/<str:key>/returning/remove/",
        client_views.unmark_returning,
        name="client_unmark_returning",
    ),
    path("clients/<str:key>/erase/", client_views.erase_client, name="client_erase"),
    path("hours/", hours_views.hours, name="hours"),
    path("hours/calendar/", hours_views.hours_calendar, name="hours_calendar"),
    path("hours/settings/", hours_views.hours_settings, name="hours_settings"),
    path("hours/support/", support_line_views.crisis_lines, name="crisis_lines"),
    path("hours/calendars/", calendar_views.calendars, name="calendars"),
    path("hours/calendars/feed/detail/", calendar_views.feed_detail, name="feed_detail"),
    path("hours/calendars/caldav/", calendar_views.calendar_caldav, name="calendar_caldav"),
    path(
        "hours/calendars/<int:calendar_id>/calendar/",
        calendar_views.calendar_choose,
        name="calendar_choose",
    ),
    path("hours/calendars/feed/new-address/", calendar_views.feed_rotate, name="feed_rotate"),
    path(
        "hours/calendars/refresh-every/",
        calendar_views.calendar_refresh_every,
        name="calendar_refresh_every",
    ),
    path(
        "hours/calendars/<int:calendar_id>/pause/",
        calendar_views.calendar_pause,
        name="calendar_pause",
    ),
    path(
        "hours/calendars/<int:calendar_id>/read/",
        calendar_views.calendar_refresh,
        name="calendar_refresh",
    ),
    path(
        "hours/calendars/<int:calendar_id>/remove/",
        calendar_views.calendar_remove,
        name="calendar_remove",
    ),
    path(
        "hours/support/<int:line_id>/",
        support_line_views.crisis_line_edit,
        name="crisis_line_edit",
    ),
    path(
        "hours/support/<int:line_id>/remove/",
        support_line_views.crisis_line_remove,
        name="crisis_line_remove",
    ),
    path("offerings/", offering_views.offerings, name="offerings"),
    path("offerings/new/", offering_views.offering_new, name="offering_new"),
    path("offerings/<int:offering_id>/", offering_views.offering_edit, name="offering_edit"),
    path("offerings/<int:offering_id>/move/", offering_views.offering_move, name="offering_move"),
    path(
        "offerings/<int:offering_id>/pause/", offering_views.offering_pause, name="offering_pause"
    ),
    path("money/", money_views.money, name="money"),
    path("money/payments.csv", money_views.money_csv, name="money_csv"),
    path("security/", security_views.security, name="security"),
    path("not-sent/", not_sent_views.not_sent_list, name="not_sent"),
    path("not-sent/<int:effect_id>/try-again/", not_sent_views.try_again, name="not_sent_retry"),
]
