"""``{{ moment|clock:zone_name }}``: a time as people in that zone read a clock; and the one
name of a zone."""

from django import template

from practice import timezones

register = template.Library()


@register.filter
def clock(moment, zone_name: str) -> str:
    if not moment:
        return ""
    return timezones.clock(moment, zone_name)


@register.filter
def zone_label(zone_name: str) -> str:
    """``{{ zone_name|zone_label }}``: ``New York``, as the picker and the emails name it."""
    return timezones.zone_label(zone_name) if zone_name else ""


@register.simple_tag
def clock_span(start, end, zone_name: str) -> str:
    """``{% clock_span start end zone_name %}``: ``16:00–16:30`` or ``4:00–4:30 PM``."""
    return timezones.clock_span(start, end, zone_name)


@register.filter
def day(value, zone_name: str) -> str:
    """``{{ moment|day:zone_name }}``: ``Tuesday 1 December``, with the year when it is not
    this year. Every date in a booking page's sentences goes through it."""
    if not value:
        return ""
    return timezones.day(value, zone_name)
