"""A busy block's start and end stored as microseconds since the epoch (booking.epoch_micros),
indexed for the slot search's read.

SQLite adds a stored generated column only by building the table anew, and dropping the old
table drops its triggers: the slots version's (0012) would be lost without a word, and kept
slot answers would outlive a change of busy time. Each step reads the table's triggers
first and creates again those the step dropped.
"""

from django.db import migrations, models

import booking.epoch_micros

TABLE = "booking_busyblock"


def _triggers(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
        )
        return [sql for (sql,) in cursor.fetchall()]


class KeepingTriggers:
    """A schema operation that keeps the table's triggers through SQLite's rebuild."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._keeping(super().database_forwards, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._keeping(super().database_backwards, app_label, schema_editor, from_state, to_state)

    @staticmethod
    def _keeping(step, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            step(app_label, schema_editor, from_state, to_state)
            return
        triggers = _triggers(schema_editor)
        step(app_label, schema_editor, from_state, to_state)
        kept = set(_triggers(schema_editor))  # a column dropped in place keeps them
        for sql in triggers:
            if sql not in kept:
                schema_editor.execute(sql)


class AddField(KeepingTriggers, migrations.AddField):
    pass


def _micros(column):
    return models.GeneratedField(
        db_persist=True,
        expression=booking.epoch_micros.EpochMicros(column),
        output_field=models.BigIntegerField(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0012_slots_version"),
        ("practice", "0011_practitioner_feed_token_unique"),
    ]

    operations = [
        AddField(model_name="busyblock", name="end_micros", field=_micros("end")),
        AddField(model_name="busyblock", name="start_micros", field=_micros("start")),
        migrations.AddIndex(
            model_name="busyblock",
            index=models.Index(
                fields=["practitioner", "start_micros", "end_micros"], name="busy_block_micros"
            ),
        ),
    ]
