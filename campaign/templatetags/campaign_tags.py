import datetime

from django import template
from django.utils import timezone

from campaign import un_links
from campaign.models import AskStatus

register = template.Library()

# The emails' filters for UN symbols: the same functions as the pages' (config.jinja2).
register.filter("un_links", un_links.link_references, is_safe=True)
register.filter("un_reference", un_links.reference_link, is_safe=True)
register.filter("un_reference_url", un_links.evidence_reference_url)

STATUS_BADGE = {
    AskStatus.DRAFT: "text-bg-light border",
    AskStatus.OPEN: "text-bg-secondary",
    AskStatus.IN_PROGRESS: "text-bg-primary",
    AskStatus.PARTIALLY_MET: "text-bg-info",
    AskStatus.MET: "text-bg-success",
    AskStatus.NOT_MET: "text-bg-danger",
    AskStatus.WITHDRAWN: "text-bg-dark",
}

PRIORITY_BADGE = {"high": "text-bg-warning", "medium": "text-bg-light border", "low": "text-bg-light border"}


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


@register.filter
def iso_moment(value: datetime.datetime) -> str:
    """A moment for a ``datetime`` attribute, to the second: HTML allows at most
    three digits of a second's fraction, not Python's six (W3C's checker refuses them)."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def deadline_phrase(deadline: datetime.date | None, today: datetime.date | None = None) -> str:
    """“in 3 days”, “tomorrow”, “today”, “1 day overdue”, “5 days overdue”."""
    if not deadline:
        return "no deadline"
    days = (deadline - (today or timezone.localdate())).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 1:
        return f"in {days} days"
    return f"{_plural(-days, 'day')} overdue"


@register.filter
def deadline_note(ask, today: datetime.date | None = None) -> str:
    """The deadline phrase for an open ask; a closed ask is no longer “overdue”."""
    if ask.is_closed:
        return f"closed ({ask.get_status_display().lower()})" if ask.deadline else ""
    return deadline_phrase(ask.deadline, today)


@register.filter
def status_badge(status: str) -> str:
    """The Bootstrap classes of a status badge."""
    return STATUS_BADGE.get(status, "text-bg-secondary")


@register.filter
def priority_badge(priority: str) -> str:
    return PRIORITY_BADGE.get(priority, "text-bg-light border")


@register.filter
def deadline_class(ask, today: datetime.date | None = None) -> str:
    """A text class that flags overdue and imminent deadlines of open asks."""
    days = ask.days_left(today)
    if days is None or ask.is_closed:
        return "text-body-secondary"
    if days < 0:
        return "text-danger fw-semibold"
    if days <= 7:
        return "text-warning-emphasis fw-semibold"
    return ""


@register.filter
def percent(value: float) -> str:
    """A share for an SVG width attribute: always a dot, never a locale comma."""
    return f"{value:.2f}%"
