"""The month grid of her calendar page: weeks Monday to Sunday, in her zone's dates."""

import calendar
from datetime import date


def parse_month(text: str, today: date) -> date:
    """``2026-12`` → 1 December 2026; anything else is this month."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def month_grid(month: date, today: date) -> tuple[date, date, list[list[dict]]]:
    """The first and last date shown and the weeks of ``month``, each day with whether it
    is in the month, today or past."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    rows = [
        [
            {
                "day": day,
                "in_month": day.month == month.month,
                "today": day == today,
                "past": day < today,
            }
            for day in week
        ]
        for week in weeks
    ]
    return weeks[0][0], weeks[-1][-1], rows
