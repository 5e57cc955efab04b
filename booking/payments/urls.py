from django.urls import path, re_path

from booking.payments import link_views, views

app_name = "payments"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("checkout/return/", views.checkout_return, name="checkout_return"),
    path(
        "checkout/<uuid:public_id>/<str:token>/cancel/",
        views.checkout_cancel,
        name="checkout_cancel",
    ),
    path(
        "checkout/<uuid:public_id>/<str:token>/resume/",
        views.checkout_resume,
        name="checkout_resume",
    ),
    path("pay/<uuid:public_id>/<str:token>/", link_views.pay_link, name="pay_link"),
    # The local stand-in: answers 404 unless DEBUG is on and no Stripe key is set.
    re_path(r"^standin/(?P<path>.*)$", views.standin, name="standin"),
]
