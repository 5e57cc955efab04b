from django.urls import path

from booking import account_views, views

app_name = "booking"

urlpatterns = [
    path("book/<slug:slug>/", views.slots_page, name="slots"),
    path("book/<slug:slug>/details/", views.details_page, name="details"),
    path("booking/<uuid:public_id>/<str:token>/", views.manage_page, name="manage"),
    path(
        "booking/<uuid:public_id>/<str:token>/reschedule/",
        views.reschedule_page,
        name="reschedule",
    ),
    path("booking/<uuid:public_id>/<str:token>/cancel/", views.cancel_page, name="cancel"),
    path("booking/<uuid:public_id>/<str:token>/receipt/", views.receipt_page, name="receipt"),
    path("booking/<uuid:public_id>/<str:token>/hardship/", views.hardship_page, name="hardship"),
    path("booking/<uuid:public_id>/<str:token>/invite.ics", views.invite_file, name="invite"),
    path(
        "booking/<uuid:public_id>/<str:token>/send-link/", views.send_link_page, name="send_link"
    ),
    path("my/bookings/", account_views.my_bookings, name="my_bookings"),
]
