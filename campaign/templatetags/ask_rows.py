"""The rows of the long ask lists, built in Python.

The ask list, the dashboard panels and the campaign page each show up to 50 or
60 asks; through the template engine every row costs ~25 variable lookups, two
URL reversals and a few filters, which was most of those pages' time (the ask
list's 50 rows took ~12 ms of a ~45 ms request). Here a row is one f-string
in which every value is escaped (``_e``), with the URL built from a prefix
reversed once.

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
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from campaign.markup import escape_text as _e
from campaign.templatetags.campaign_tags import deadline_class, deadline_note, priority_badge, status_badge

register = template.Library()


def url_maker(url_name: str):
    """pk -> the path of ``url_name`` for that pk, with one reversal instead of one per row."""
    prefix, _, suffix = reverse(url_name, args=[0]).rpartition("0")
    return lambda pk: f"{prefix}{pk}{suffix}"


def _row_tools(context):
    """The URL maker and today's date, made once per page: the campaign page
    calls its tag once per target group, and each call reversed a URL and read
    the time zone again. ``render_context`` lives as long as one render."""
    tools = context.render_context.get(_row_tools)
    if tools is None:
        tools = context.render_context[_row_tools] = (url_maker("ask_detail"), timezone.localdate())
    return tools


@functools.lru_cache(maxsize=4096)
def short_date(day: datetime.date, language: str) -> str:
    # Django's date formatting looks up the locale's formats on every call
    # (~40 us); a page shows few distinct deadlines.
    return date_format(day, "j M Y")


def _deadline_html(ask) -> str:
    return f'<time datetime="{ask.deadline.isoformat()}">{_e(short_date(ask.deadline, get_language()))}</time>'


def join_items(rows) -> str:
    return mark_safe("\n".join(rows))  # noqa: S308 - each row escapes every value it holds


@register.simple_tag(takes_context=True)
def ask_list_rows(context, asks, editable_campaign_ids):
    """The <tr>s of the /asks/ table."""
    url_of, today = _row_tools(context)
    # The status link brings the user back to this very list.
    here = _e("next=" + quote(context["request"].get_full_path(), safe="/"))
    return join_items(_ask_list_row(ask, url_of, today, editable_campaign_ids, here) for ask in asks)


def _ask_list_row(ask, url_of, today, editable_campaign_ids, here) -> str:
    url = url_of(ask.pk)
    if ask.deadline:
        deadline = f'{_deadline_html(ask)}<div class="small {deadline_class(ask, today)}">{_e(deadline_note(ask, today))}</div>'
    else:
        deadline = '<span class="text-body-secondary">—</span>'
    change = ""
    if ask.campaign_id in editable_campaign_ids:
        change = (
            f'<a class="small ms-1" href="{url}status/?{here}" hx-get="{url}status/" hx-target="#status-cell-{ask.pk}">'
            f'Change<span class="visually-hidden"> status of {_e(ask.title)}</span></a>'
        )
    return (
        "<tr>"
        f'<td><a href="{url}" class="fw-semibold">{_e(ask.title)}</a>'
        f'<div class="small text-body-secondary">{_e(ask.campaign.title)}</div></td>'
        f"<td>{_e(ask.target.name)}</td>"
        f"<td>{_e(ask.owner or '—')}</td>"
        f'<td class="text-nowrap">{deadline}</td>'
        f'<td><span class="badge {priority_badge(ask.priority)}">{_e(ask.get_priority_display())}</span></td>'
        f'<td class="status-cell" id="status-cell-{ask.pk}"><span class="badge {status_badge(ask.status)}">'
        f"{_e(ask.get_status_display())}</span>\n{change}\n</td>"
        "</tr>"
    )


@register.simple_tag(takes_context=True)
def ask_panel_items(context, asks, empty: str):
    """The <li>s of a dashboard panel (what ``_ask_table.html`` loops over)."""
    if not asks:
        return format_html('<li class="list-group-item px-0 text-body-secondary">{}</li>', empty)
    url_of, today = _row_tools(context)
    return join_items(_ask_panel_item(ask, url_of, today) for ask in asks)


def _ask_panel_item(ask, url_of, today) -> str:
    deadline = f"{_deadline_html(ask)} · " if ask.deadline else ""
    return (
        '<li class="list-group-item px-0">'
        '<div class="d-flex justify-content-between gap-2">'
        f'<a href="{url_of(ask.pk)}" class="fw-semibold">{_e(ask.title)}</a>'
        f'<span class="badge {status_badge(ask.status)} align-self-start">{_e(ask.get_status_display())}</span>'
        "</div>"
        f'<div class="small text-body-secondary">{_e(ask.campaign.title)} · {_e(ask.target.name)} · '
        f'<span class="{deadline_class(ask, today)}">{deadline}{_e(deadline_note(ask, today))}</span></div>'
        "</li>"
    )


@register.simple_tag(takes_context=True)
def campaign_target_sections(context, asks_by_target):
    """The campaign page's asks, one card per target (``asks_by_target`` from
    ``selectors.campaign_asks_by_target``): a busy campaign's 50 asks fall under
    40-odd targets, and each card through the template engine cost ~50 us."""
    url_of, today = _row_tools(context)
    return join_items(_target_section(target, asks, url_of, today) for target, asks in asks_by_target)


def _target_section(target, asks, url_of, today) -> str:
    count = len(asks)
    items = "\n".join(_campaign_ask_item(ask, url_of, today) for ask in asks)
    return (
        f'<section class="card mb-3" aria-labelledby="target-{target.pk}">'
        f'<div class="card-header"><h3 class="h6 mb-0" id="target-{target.pk}">{_e(target.name)} '
        f'<span class="text-body-secondary fw-normal">· {_e(target.get_kind_display())} · '
        f"{count} ask{'' if count == 1 else 's'}</span></h3></div>"
        f'<ul class="list-group list-group-flush">\n{items}\n</ul>'
        "</section>"
    )


def _campaign_ask_item(ask, url_of, today) -> str:
    owner = f' <span class="small text-body-secondary">· {_e(ask.owner)}</span>' if ask.owner else ""
    return (
        '<li class="list-group-item d-flex flex-wrap justify-content-between gap-2">'
        f'<span><a href="{url_of(ask.pk)}">{_e(ask.title)}</a>{owner}</span>'
        f'<span class="text-nowrap"><span class="small {deadline_class(ask, today)}">{_e(deadline_note(ask, today))}</span> '
        f'<span class="badge {status_badge(ask.status)}">{_e(ask.get_status_display())}</span></span>'
        "</li>"
    )
