from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from practice import views

# The admin signs in through allauth (codes, rate limits, TOTP), not its own password form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("api/v1/", include("booking.api")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("stripe/", include("booking.payments.urls")),
    path("intake/", include("intake.urls")),
    path("", include("booking.urls")),
]
