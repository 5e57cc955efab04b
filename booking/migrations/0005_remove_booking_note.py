from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0004_booking_note_encrypted"),
    ]

    operations = [
        migrations.RemoveField(model_name="booking", name="note"),
    ]
