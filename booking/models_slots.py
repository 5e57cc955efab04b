"""Her slots version: a number the database changes whenever a slot of hers could change.

The slot search keeps answers while this number stays the same (booking.slot_search). It is
written by triggers only (migration booking 0012), never by the application, so every
write counts however it is made: a service, a bulk update, the admin, a shell. Each change
draws a new random 63-bit value rather than adding one, so a number never comes back for
other data, even where SQLite reuses a deleted practitioner's id.
"""

from django.db import models

from practice.models import Practitioner


class SlotsVersion(models.Model):
    practitioner = models.OneToOneField(
        Practitioner, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"slots version of practitioner {self.practitioner_id}"
