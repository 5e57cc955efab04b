from django.contrib import admin
from django.urls import include, path

from practice import views

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("api/v1/", include("booking.api")),
    path("admin/", admin.site.urls),
    path("", include("booking.urls")),
]
