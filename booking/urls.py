from django.urls import path

from booking import account_views, confirm_views, feed_views, manage_views, views

app_name = "booking"

urlpatterns = [
    path("book/<slug:slug>/", views.slots_page, name="slots"),
    path("book/<slug:slug>/details/", views.details_page, name="details"),
    path("book/<slug:slug>/check-your-email/", confirm_views.check_email_page, name="check_email"),
    path(
        "booking/<uuid:public_id>/<str:token>/confirm/",
        confirm_views.confirm_page,
        name="confirm",
    ),
    path("booking/<uuid:public_id>/<str:token>/", manage_views.manage_page, name="manage"),
    path(
        "booking/<uuid:public_id>/<str:token>/reschedule/",
        manage_views.reschedule_page,
        name="reschedule",
    ),
    path("booking/<uuid:public_id>/<str:token>/cancel/", manage_views.cancel_page, name="cancel"),
    path(
        "booking/<uuid:public_id>/<str:token>/receipt/", manage_views.receipt_page, name="receipt"
    ),
    path(
        "booking/<uuid:public_id>/<str:token>/reminders/",
        manage_views.reminders_page,
        name="reminders",
    ),
    path(
        "booking/<uuid:public_id>/<str:token>/hardship/",
        manage_views.hardship_page,
        name="hardship",
    ),
    path(
        "booking/<uuid:public_id>/<str:token>/invite.ics", manage_views.invite_file, name="invite"
    ),
    path(
        "booking/<uuid:public_id>/<str:token>/send-link/",
        manage_views.send_link_page,
        name="send_link",
    ),
    path("my/bookings/", account_views.my_bookings, name="my_bookings"),
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
]
