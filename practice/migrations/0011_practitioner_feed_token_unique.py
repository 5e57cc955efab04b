import secrets

from django.db import migrations, models

import practice.models


def new_tokens(apps, schema_editor):
    """The column was added with one default for every row then; the feed now exists, so
    each practitioner gets her own token before it must be unique."""
    Practitioner = apps.get_model("practice", "Practitioner")
    for practitioner in Practitioner.objects.all():
        practitioner.feed_token = secrets.token_urlsafe(32)
        practitioner.save(update_fields=["feed_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0010_practitioner_calendar_settings"),
    ]

    operations = [
        migrations.RunPython(new_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="practitioner",
            name="feed_token",
            field=models.CharField(
                default=practice.models.new_feed_token, editable=False, max_length=64, unique=True
            ),
        ),
    ]
