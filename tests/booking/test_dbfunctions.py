from datetime import UTC, datetime, timedelta, timezone

from booking.dbfunctions import UtcText
from booking.models import BusyBlock


def test_instants_read_as_text_are_the_instants_stored(practitioner):
    stored = [
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2))),  # given in CEST
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
    ]
    for moment in stored:
        BusyBlock.objects.create(
            practitioner=practitioner, start=moment, end=moment + timedelta(minutes=15)
        )
    texts = BusyBlock.objects.annotate(s=UtcText("start")).order_by("start").values_list("s")
    assert [datetime.fromisoformat(text) for (text,) in texts] == stored
