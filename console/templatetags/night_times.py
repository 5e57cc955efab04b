"""``{{ moment|at_night:zone_name }}``: whether a time falls in the client's night."""

from django import template

from console import night

register = template.Library()


@register.filter
def at_night(moment, zone_name: str) -> bool:
    return night.at_night(moment, zone_name)
