"""PostgreSQL refuses two blocking bookings of one practitioner whose blocked spans overlap.

Raw SQL because the rule only exists on PostgreSQL (btree_gist + EXCLUDE); SQLite gets the
same guarantee from IMMEDIATE write transactions around check-and-insert.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_booking ADD CONSTRAINT booking_no_overlapping_blocking
    EXCLUDE USING gist (
        practitioner_id WITH =,
        tstzrange(blocked_start, blocked_end, '[)') WITH &&
    ) WHERE (status IN ('held', 'confirmed'));
"""
DROP = "ALTER TABLE booking_booking DROP CONSTRAINT booking_no_overlapping_blocking;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
