"""Money: the month's payments and refunds with totals per currency, and the same month as
a CSV for her bookkeeping (behind a fresh confirmation of who she is: it lists every
client's name and email of the month)."""

import csv
import re
from datetime import date, datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from booking.payments import ledger
from booking.payments.policy import format_money
from console.access import practitioner_required, sensitive

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
UNKNOWN_MONTH = "That month was not understood, so this is the current month."

CSV_COLUMNS = [
    "date",
    "type",
    "client name",
    "client email",
    "offering",
    "amount",
    "currency",
    "state",
    "how_paid",
    "booking reference",
    "stripe payment intent",
    "stripe refund",
]


def _month(request) -> tuple[date, bool]:
    """The month asked for (``?month=2026-12``), else the current one in her zone; and
    whether what was asked could not be read."""
    today = datetime.now(request.practitioner.zone).date()
    asked = request.GET.get("month", "")
    match = MONTH.match(asked)
    if match and 1900 < int(match[1]) < 9999 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1), False
    return date(today.year, today.month, 1), bool(asked)


@practitioner_required
def money(request):
    first, unknown = _month(request)
    month = ledger.month_of(practitioner=request.practitioner, first=first)
    return render(
        request,
        "console/money.html",
        {
            "nav": "money",
            "month": month,
            "unknown_month": UNKNOWN_MONTH if unknown else "",
            "previous": ledger.previous_month(first),
            "next": ledger.next_month(first),
            "totals": [
                {
                    "currency": line.currency,
                    "received": format_money(line.received, line.currency),
                    "refunded": format_money(line.refunded, line.currency),
                    "pending": format_money(line.refund_pending, line.currency)
                    if line.refund_pending
                    else "",
                    "net": format_money(line.net, line.currency),
                }
                for line in month.totals
            ],
            "csv_url": reverse("console:money_csv") + f"?month={first:%Y-%m}",
        },
    )


def money_csv(request):
    first, _ = _month(request)
    month = ledger.month_of(practitioner=request.practitioner, first=first)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payments-{first:%Y-%m}.csv"'
    # A BOM, so that Excel reads the file as UTF-8 and accents come out right.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    rows = [(line.at, "payment", line, line.state, "") for line in month.payments] + [
        (line.at, "refund", line, _refund_state(line), line.refund_id) for line in month.refunds
    ]
    for at, kind, line, state, refund_id in sorted(rows, key=lambda row: row[0]):
        writer.writerow(
            [
                at.isoformat(timespec="seconds"),
                kind,
                _cell(line.client_name),
                _cell(line.client_email),
                _cell(line.offering),
                f"{line.amount}",
                line.currency,
                state,
                line.method,
                line.booking_id,
                line.payment_intent_id,
                refund_id,
            ]
        )
    return response


def _refund_state(line: ledger.RefundLine) -> str:
    """Stripe's outcome, or, for money paid outside, that it is hers to give back."""
    return "to_give_back_yourself" if line.to_give_back else line.state


def _cell(text: str) -> str:
    """Text a client typed, kept from being read as a formula by a spreadsheet."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


money_csv = sensitive(money_csv, reading_too=True)
