import datetime

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from campaign.models import AskStatus

register = template.Library()

# The widgets ``form_field`` builds the markup of (date inputs are Inputs).
PLAIN_WIDGETS = (forms.widgets.Input, forms.Select, forms.Textarea, forms.CheckboxInput)

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


@register.filter
def form_field(field):
    """A form field in crispy-forms' Bootstrap 5 markup, built in Python.

    crispy renders each field through a dozen nested templates (~0.3-1 ms a
    field: the ask list's ten filters and the ask page's two forms on every
    request). The plain cases, a field with no errors to show that is a text,
    date or number input, a select, a textarea, or an optional checkbox
    without help text, are assembled here with the same elements, classes, ids
    and attributes (``tests/campaign/test_form_markup.py`` compares them with
    crispy's); anything else still goes through crispy.
    """
    widget = field.field.widget
    if (
        field.errors
        or field.is_hidden
        or field.field.show_hidden_initial  # crispy adds the initial value's hidden input
        or not isinstance(widget, PLAIN_WIDGETS)
        or isinstance(widget, forms.FileInput)
    ):
        return as_crispy_field(field)
    if isinstance(widget, forms.CheckboxInput):
        if field.field.required or field.help_text:
            return as_crispy_field(field)
        control = field.as_widget(attrs={"class": _crispy_classes(widget, "form-check-input")})
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}</label></div></div>',
            field.auto_id,
            control,
            field.id_for_label,
            field.label,
        )
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    control = field.as_widget(attrs={"class": _crispy_classes(widget, bootstrap)})
    required = field.field.required
    help_text = ""
    if field.help_text:
        # crispy, like Django's own form templates, takes help text as the developer wrote it.
        written = mark_safe(field.help_text)  # noqa: S308 - from the form's code, never from users
        help_text = format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, written)
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>{}{}</div>',
        field.auto_id,
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
        control,
        help_text,
    )


@register.filter
def form_fields(form):
    """``form|crispy`` for a form with nothing to complain about, from
    ``form_field``; a form with errors to show goes through crispy whole."""
    if form.errors:
        return as_crispy_form(form)
    return mark_safe("".join(form_field(field) for field in form))  # noqa: S308 - each field is escaped


def _crispy_classes(widget, bootstrap: str) -> str:
    """The class attribute crispy gives a widget: its own classes, its class
    name in lower case, then Bootstrap's."""
    name = type(widget).__name__.lower()
    classes = widget.attrs.get("class", "")
    if name not in classes:
        classes = f"{classes} {name}".strip()
    return f"{classes} {bootstrap}"
