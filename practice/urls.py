from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from practice import views

# The admin signs in through allauth (codes, rate limits, TOTP), not its own password form.
admin.site.login = secure_admin_login(admin.site.login)

# allauth looks this up for its 429 answers (allauth.core.internal.ratelimit.respond_429).
handler429 = "practice.views.handler429"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", include("booking.api")),
    path("admin/", admin.site.urls),
    path("console/", include("console.urls")),
    # Before allauth's own: the same views, answering 429 when a sign-in limit is reached.
    path("accounts/login/", views.LoginView.as_view(), name="account_login"),
    path(
        "accounts/login/code/",
        views.RequestLoginCodeView.as_view(),
        name="account_request_login_code",
    ),
    # Before allauth's: the practitioner's second factors are listed in her console.
    path("accounts/2fa/", views.mfa_index, name="mfa_index"),
    path("accounts/", include("allauth.urls")),
    path("stripe/", include("booking.payments.urls")),
    path("intake/", include("intake.urls")),
    path("", include("booking.urls")),
]
