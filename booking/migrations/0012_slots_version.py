"""Her slots version (booking.models_slots), kept by the database itself.

Triggers on every table a slot search reads give the practitioner's version a new random
value on each write that could change one of her slots. On PostgreSQL they are deferred
constraint triggers: the version row is locked only at commit, after every other lock the
transaction takes, so it adds no lock-order to the booking services; readers see the new
version together with the data (one commit). SQLite runs one writer at a time, so plain
triggers do. The SQL is written out here, frozen with the migration.
"""

from django.db import migrations, models

# (table, column naming the practitioner, columns whose change matters on UPDATE; None: any)
WATCHED = (
    (
        "booking_booking",
        "practitioner_id",
        (
            "practitioner_id",
            "offering_id",
            "status",
            "start",
            "blocked_start",
            "blocked_end",
            "hold_expires_at",
        ),
    ),
    ("booking_busyblock", "practitioner_id", ("practitioner_id", "start", "end")),
    ("booking_availabilityrule", "practitioner_id", None),
    ("booking_dateoverride", "practitioner_id", None),
    ("booking_timeoff", "practitioner_id", None),
    ("practice_offering", "practitioner_id", None),
    ("practice_practitioner", "id", None),
)
SQLITE_NEW_VERSION = "random()"
POSTGRES_NEW_VERSION = "(random() * 9.2e18)::bigint"


def _changed(columns, old_is="IS NOT"):
    return " OR ".join(f'OLD."{column}" {old_is} NEW."{column}"' for column in columns)


def _sqlite(table, column, columns):
    bump = f"UPDATE booking_slotsversion SET version = {SQLITE_NEW_VERSION} WHERE practitioner_id"
    when = f" WHEN {_changed(columns)}" if columns else ""
    statements = [
        f"CREATE TRIGGER slots_version_{table}_update AFTER UPDATE ON {table}{when} "
        f'BEGIN {bump} IN (OLD."{column}", NEW."{column}"); END',
    ]
    if table == "practice_practitioner":
        statements.append(
            f"CREATE TRIGGER slots_version_{table}_insert AFTER INSERT ON {table} "
            "BEGIN INSERT INTO booking_slotsversion (practitioner_id, version) "
            f"VALUES (NEW.id, {SQLITE_NEW_VERSION}); END"
        )
    else:
        statements += [
            f"CREATE TRIGGER slots_version_{table}_insert AFTER INSERT ON {table} "
            f'BEGIN {bump} = NEW."{column}"; END',
            f"CREATE TRIGGER slots_version_{table}_delete AFTER DELETE ON {table} "
            f'BEGIN {bump} = OLD."{column}"; END',
        ]
    return statements


_POSTGRES_BUMP = f"""
    CREATE FUNCTION booking_slots_version_{{name}}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE booking_slotsversion SET version = {POSTGRES_NEW_VERSION}
             WHERE practitioner_id = OLD.{{column}};
        END IF;
        IF TG_OP = 'INSERT' THEN
            UPDATE booking_slotsversion SET version = {POSTGRES_NEW_VERSION}
             WHERE practitioner_id = NEW.{{column}};
        ELSIF TG_OP = 'UPDATE' THEN
            IF NEW.{{column}} IS DISTINCT FROM OLD.{{column}} THEN
                UPDATE booking_slotsversion SET version = {POSTGRES_NEW_VERSION}
                 WHERE practitioner_id = NEW.{{column}};
            END IF;
        END IF;
        RETURN NULL;
    END $$
"""
POSTGRES_FUNCTIONS = [
    # Her own row names her by ``id``; every other table by ``practitioner_id``.
    _POSTGRES_BUMP.format(name="bump", column="practitioner_id"),
    _POSTGRES_BUMP.format(name="bump_own", column="id"),
    f"""
    CREATE FUNCTION booking_slots_version_create() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO booking_slotsversion (practitioner_id, version)
        VALUES (NEW.id, {POSTGRES_NEW_VERSION});
        RETURN NULL;
    END $$
    """,
]


def _postgres(table, column, columns):
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    function = "bump_own" if column == "id" else "bump"
    run = f"EXECUTE FUNCTION booking_slots_version_{function}()"
    when = f" WHEN ({_changed(columns, 'IS DISTINCT FROM')})" if columns else ""
    statements = [
        f"CREATE CONSTRAINT TRIGGER slots_version_update AFTER UPDATE ON {table} "
        f"{deferred}{when} {run}",
    ]
    if table == "practice_practitioner":
        statements.append(
            f"CREATE TRIGGER slots_version_insert AFTER INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION booking_slots_version_create()"
        )
    else:
        statements.append(
            f"CREATE CONSTRAINT TRIGGER slots_version_insert_delete "
            f"AFTER INSERT OR DELETE ON {table} {deferred} {run}"
        )
    return statements


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = list(POSTGRES_FUNCTIONS) if vendor == "postgresql" else []
    for table, column, columns in WATCHED:
        statements += (_postgres if vendor == "postgresql" else _sqlite)(table, column, columns)
    statements.append(
        "INSERT INTO booking_slotsversion (practitioner_id, version) SELECT id, "
        f"{POSTGRES_NEW_VERSION if vendor == 'postgresql' else SQLITE_NEW_VERSION} "
        "FROM practice_practitioner"
    )
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _, _ in WATCHED:
        if vendor == "postgresql":
            for name in (
                "slots_version_update",
                "slots_version_insert_delete",
                "slots_version_insert",
            ):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS slots_version_{table}_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION booking_slots_version_bump()")
        schema_editor.execute("DROP FUNCTION booking_slots_version_bump_own()")
        schema_editor.execute("DROP FUNCTION booking_slots_version_create()")


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0011_external_calendars"),
        ("practice", "0011_practitioner_feed_token_unique"),
    ]

    operations = [
        migrations.CreateModel(
            name="SlotsVersion",
            fields=[
                (
                    "practitioner",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="practice.practitioner",
                    ),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
