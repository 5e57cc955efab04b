"""An instant as the database computes it in microseconds since the epoch, the integers the
slot engines work on (booking.intervals.micros): one SQL text per database, for the slot
search's reads (booking.slot_reads) and for the columns that store it (``EpochMicros``).

The text must be immutable on PostgreSQL to serve a generated column: ``date_part`` of a
``timestamptz`` depends on the session's time zone, of a ``timestamp`` does not, so the
instant is first taken to UTC's wall clock. A double holds every microsecond exactly for
±142 years around 1970, and rounds back to it; EXTRACT's exact numeric took half as long
again. SQLite holds Django's instants as ISO text, "YYYY-MM-DD HH:MM:SS" with ".ffffff"
when the microseconds are not zero: whole seconds go through unixepoch (SQLite 3.38+), a
fraction is added from the text, since SQLite's own date functions round it to
milliseconds.
"""

from django.db.models import BigIntegerField, Func

# ``{0}`` is the column of an instant.
AS_MICROS = {
    "postgresql": "(date_part('epoch', {0} AT TIME ZONE 'UTC') * 1000000)::bigint",
    "sqlite": "(CASE WHEN length({0}) = 19 THEN unixepoch({0}) * 1000000 "
    "ELSE unixepoch(substr({0}, 1, 19)) * 1000000 + CAST(substr({0}, 21) AS INTEGER) END)",
}


class EpochMicros(Func):
    """The instant of one column in microseconds since the epoch, as an integer. A column,
    not any expression: the template names it more than once, its parameters only once."""

    arity = 1
    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        template = AS_MICROS[connection.vendor].format("%(expressions)s")
        return super().as_sql(compiler, connection, template=template, **extra_context)
