"""CSV exports shared by the web list and Django admin."""

import csv

from django.http import HttpResponse
from django.utils import timezone

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

ASK_COLUMNS = [
    "id",
    "campaign",
    "target",
    "title",
    "status",
    "priority",
    "owner",
    "deadline",
    "days_left",
    "deadline_reason",
    "source_title",
    "source_url",
    "source_date",
    "last_activity_at",
    "link",
]


def neutralise(value) -> str:
    """Render a value as text a spreadsheet shows and never evaluates."""
    if isinstance(value, int | float):
        return str(value)  # a number such as -5 days left is data, not a formula
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def ask_row(ask, *, site_url: str, today) -> list:
    return [
        ask.pk,
        ask.campaign.title,
        ask.target.name,
        ask.title,
        ask.status,
        ask.priority,
        ask.owner.email if ask.owner else "",
        ask.deadline.isoformat() if ask.deadline else "",
        ask.days_left(today) if ask.deadline else "",
        ask.deadline_reason,
        ask.source_title,
        ask.source_url,
        ask.source_date.isoformat() if ask.source_date else "",
        timezone.localtime(ask.last_activity_at).isoformat(timespec="minutes"),
        site_url + ask.get_absolute_url(),
    ]


def asks_csv_response(asks, *, filename: str, site_url: str) -> HttpResponse:
    """``asks`` should already be limited to what the user may see."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(ASK_COLUMNS)
    today = timezone.localdate()
    for ask in asks.select_related("campaign", "target", "owner").iterator(chunk_size=500):
        writer.writerow([neutralise(cell) for cell in ask_row(ask, site_url=site_url, today=today)])
    return response
