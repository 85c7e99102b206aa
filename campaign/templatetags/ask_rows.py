"""The rows of the long ask lists, built in Python.

The ask list, the dashboard panels and the campaign page each show up to 50 or
60 asks; through the template engine every row costs ~25 variable lookups, two
URL reversals and a few filters, which was most of those pages' time (the ask
list's 50 rows took ~12 ms of a ~45 ms request). Here a row is one
``format_html`` call with the URL built from a prefix reversed once.

The markup is exactly what the templates it replaces wrote; the status cell of
the ask list must stay in step with ``campaign/_status_cell.html``.
"""

import datetime
import functools
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from campaign.templatetags.campaign_tags import deadline_class, deadline_note, priority_badge, status_badge

register = template.Library()


def _ask_url_maker():
    """pk -> the ask page's path, with one reversal instead of one per row."""
    prefix, _, suffix = reverse("ask_detail", args=[0]).rpartition("0")
    return lambda pk: f"{prefix}{pk}{suffix}"


def _row_tools(context):
    """The URL maker and today's date, made once per page: the campaign page
    calls its tag once per target group, and each call reversed a URL and read
    the time zone again. ``render_context`` lives as long as one render."""
    tools = context.render_context.get(_row_tools)
    if tools is None:
        tools = context.render_context[_row_tools] = (_ask_url_maker(), timezone.localdate())
    return tools


@functools.lru_cache(maxsize=4096)
def _short_date(day: datetime.date, language: str) -> str:
    # Django's date formatting looks up the locale's formats on every call
    # (~40 us); a page shows few distinct deadlines.
    return date_format(day, "j M Y")


def _deadline_html(ask):
    return format_html(
        '<time datetime="{}">{}</time>',
        ask.deadline.isoformat(),
        _short_date(ask.deadline, get_language()),
    )


@register.simple_tag(takes_context=True)
def ask_list_rows(context, asks, editable_campaign_ids):
    """The <tr>s of the /asks/ table."""
    url_of, today = _row_tools(context)
    # The status link brings the user back to this very list.
    here = "next=" + quote(context["request"].get_full_path(), safe="/")
    return format_html_join(
        "\n", "{}", ((_ask_list_row(ask, url_of, today, editable_campaign_ids, here),) for ask in asks)
    )


def _ask_list_row(ask, url_of, today, editable_campaign_ids, here):
    url = url_of(ask.pk)
    if ask.deadline:
        deadline = format_html(
            '{}<div class="small {}">{}</div>',
            _deadline_html(ask),
            deadline_class(ask, today),
            deadline_note(ask, today),
        )
    else:
        deadline = format_html('<span class="text-body-secondary">{}</span>', "—")
    change = ""
    if ask.campaign_id in editable_campaign_ids:
        change = format_html(
            '<a class="small ms-1" href="{}status/?{}" hx-get="{}status/" hx-target="#status-cell-{}">'
            'Change<span class="visually-hidden"> status of {}</span></a>',
            url,
            here,
            url,
            ask.pk,
            ask.title,
        )
    return format_html(
        "<tr>"
        '<td><a href="{}" class="fw-semibold">{}</a><div class="small text-body-secondary">{}</div></td>'
        "<td>{}</td>"
        "<td>{}</td>"
        '<td class="text-nowrap">{}</td>'
        '<td><span class="badge {}">{}</span></td>'
        '<td class="status-cell" id="status-cell-{}"><span class="badge {}">{}</span>\n{}\n</td>'
        "</tr>",
        url,
        ask.title,
        ask.campaign.title,
        ask.target.name,
        ask.owner or "—",
        deadline,
        priority_badge(ask.priority),
        ask.get_priority_display(),
        ask.pk,
        status_badge(ask.status),
        ask.get_status_display(),
        change,
    )


@register.simple_tag(takes_context=True)
def ask_panel_items(context, asks, empty: str):
    """The <li>s of a dashboard panel (what ``_ask_table.html`` loops over)."""
    if not asks:
        return format_html('<li class="list-group-item px-0 text-body-secondary">{}</li>', empty)
    url_of, today = _row_tools(context)
    return format_html_join("\n", "{}", ((_ask_panel_item(ask, url_of, today),) for ask in asks))


def _ask_panel_item(ask, url_of, today):
    deadline = ""
    if ask.deadline:
        deadline = format_html("{} · ", _deadline_html(ask))
    return format_html(
        '<li class="list-group-item px-0">'
        '<div class="d-flex justify-content-between gap-2">'
        '<a href="{}" class="fw-semibold">{}</a>'
        '<span class="badge {} align-self-start">{}</span>'
        "</div>"
        '<div class="small text-body-secondary">{} · {} · <span class="{}">{}{}</span></div>'
        "</li>",
        url_of(ask.pk),
        ask.title,
        status_badge(ask.status),
        ask.get_status_display(),
        ask.campaign.title,
        ask.target.name,
        deadline_class(ask, today),
        deadline,
        deadline_note(ask, today),
    )


@register.simple_tag(takes_context=True)
def campaign_ask_items(context, asks):
    """The <li>s of one target's asks on the campaign page."""
    url_of, today = _row_tools(context)
    return format_html_join("\n", "{}", ((_campaign_ask_item(ask, url_of, today),) for ask in asks))


def _campaign_ask_item(ask, url_of, today):
    owner = format_html(' <span class="small text-body-secondary">· {}</span>', ask.owner) if ask.owner else ""
    return format_html(
        '<li class="list-group-item d-flex flex-wrap justify-content-between gap-2">'
        '<span><a href="{}">{}</a>{}</span>'
        '<span class="text-nowrap"><span class="small {}">{}</span> <span class="badge {}">{}</span></span>'
        "</li>",
        url_of(ask.pk),
        ask.title,
        owner,
        deadline_class(ask, today),
        deadline_note(ask, today),
        status_badge(ask.status),
        ask.get_status_display(),
    )
