"""JSON API for slots and bookings (filled in below)."""

urlpatterns: list = []
