"""The plain slots query (booking.api_forms.plain_slots_query) accepts nothing the form
would refuse and cleans what it accepts exactly as the form does."""

from datetime import date

from django.http import QueryDict
from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking.api_forms import SlotsQuery, plain_slots_query

DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.sampled_from(["2026-12-05", "2026-1-5", " 2026-12-05", "2026-02-30", "20261205", ""]),
    st.text(alphabet="0123456789-/ ٣", max_size=12),
)
ZONES = st.one_of(
    st.sampled_from(["Europe/Berlin", "Asia/Calcutta", "Asia/Kolkata", "UTC", "Etc/UTC"]),
    st.sampled_from(["europe/berlin", " Europe/Berlin", "Mars/Olympus", "", "Europe/Berlin\x00"]),
    st.text(max_size=40),
)
SLUGS = st.one_of(
    st.sampled_from(["assessment", "a" * 50, "a" * 51, " assessment", "séance", "a\x00"]),
    st.text(max_size=60),
)


def query_of(fields: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in fields.items():
        if value is not None:
            query[name] = value
    return query


@settings(max_examples=400, deadline=None)
@given(
    offering=st.one_of(st.none(), SLUGS),
    start=st.one_of(st.none(), DATES),
    end=st.one_of(st.none(), DATES),
    zone=st.one_of(st.none(), ZONES),
)
@example(offering="assessment", start="2026-12-05", end="2027-02-04", zone=None)  # 62 days
@example(offering="assessment", start="2026-12-05", end="2027-02-05", zone=None)  # 63 days
@example(offering="assessment", start="0001-01-01", end="0001-01-02", zone="UTC")
def test_the_plain_query_is_the_forms_answer_or_none(offering, start, end, zone):
    query = query_of({"offering": offering, "start": start, "end": end, "timezone": zone})
    plain = plain_slots_query(query)
    if plain is not None:
        form = SlotsQuery(query)
        assert form.is_valid(), form.errors
        assert plain == form.cleaned_data


def test_what_a_widget_sends_is_plain():
    query = query_of(
        {"offering": "assessment", "start": "2026-12-05", "end": "2026-12-11", "timezone": ""}
    )
    assert plain_slots_query(query) == {
        "offering": "assessment",
        "start": date(2026, 12, 5),
        "end": date(2026, 12, 11),
        "timezone": "",
    }
    assert plain_slots_query(query_of({"offering": "assessment", "start": "2026-12-05"})) is None
