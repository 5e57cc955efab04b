"""``{{ amount|money:currency }}`` on her client pages: ``120.00 EUR``, as everywhere else."""

from django import template

from booking.payments.policy import format_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    return format_money(amount, currency) if amount is not None else ""
