"""Spans in words, and the number-and-unit field that reads them back as minutes."""

from django import forms

from console.durations import DurationField, in_words


class Policy(forms.Form):
    notice = DurationField(min_minutes=0, max_minutes=4 * 7 * 24 * 60)


def test_spans_are_said_in_the_largest_unit_that_fits():
    assert in_words(720) == "12 hours"
    assert in_words(60) == "1 hour"
    assert in_words(1440) == "1 day"
    assert in_words(90) == "90 minutes"
    assert in_words(20160) == "2 weeks"
    assert in_words(0) == "no time"


def test_the_field_shows_a_stored_span_in_its_own_unit_and_reads_it_back():
    shown = Policy(initial={"notice": 720}).as_p()
    assert 'name="notice_0" value="12"' in shown
    assert '<option value="hours" selected>' in shown

    form = Policy({"notice_0": "2", "notice_1": "days"})
    assert form.is_valid()
    assert form.cleaned_data["notice"] == 2880


def test_a_span_beyond_its_limits_or_half_typed_is_refused_in_words():
    too_long = Policy({"notice_0": "5", "notice_1": "weeks"})
    assert not too_long.is_valid()
    assert too_long.errors["notice"] == ["Please choose at most 4 weeks."]

    assert not Policy({"notice_0": "", "notice_1": "hours"}).is_valid()
    assert not Policy({"notice_0": "-3", "notice_1": "hours"}).is_valid()
