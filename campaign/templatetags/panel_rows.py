"""The dashboard's timeline panel and the campaign progress bars, built in Python.

Through the template engine, the dashboard's ten latest updates and its progress
bars (two loops over five segments per campaign, through an include) took about
half of the page's rendering (~1.9 of ~3.5 ms). As in ``ask_rows``, each item is
one f-string in which every value is escaped (``_e``), with the markup exactly as
the templates it replaces wrote it.
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from campaign.markup import escape_text as _e
from campaign.templatetags.ask_rows import _ask_url_maker
from campaign.templatetags.campaign_tags import percent, status_badge

register = template.Library()

NOTE_PREVIEW_CHARS = 200


@register.simple_tag
def update_items(updates):
    """The <li>s of the dashboard's "Latest updates" (updates from
    ``selectors.latest_updates``, with their ask, campaign and author)."""
    if not updates:
        return mark_safe('<li class="text-body-secondary">No updates yet.</li>')
    url_of = _ask_url_maker()
    now = timezone.now()
    return mark_safe("\n".join(_update_item(update, url_of, now) for update in updates))  # noqa: S308 - escaped


def _update_item(update, url_of, now) -> str:
    badge = ""
    if update.is_status_change:
        badge = f'<span class="badge {status_badge(update.new_status)}">{_e(update.get_new_status_display())}</span>'
    when = timezone.localtime(update.created_at)
    return (
        '<li class="mb-2">'
        f'<a href="{url_of(update.ask_id)}" class="fw-semibold">{_e(update.ask.title)}</a>\n{badge}'
        f'<div class="note-text">{_e(Truncator(update.note).chars(NOTE_PREVIEW_CHARS))}</div>'
        f'<div class="small text-body-secondary">{_e(update.author or "System")} · '
        f'<time datetime="{when.isoformat()}">{_e(timesince(update.created_at, now))} ago</time> · '
        f"{_e(update.ask.campaign.title)}</div>"
        "</li>"
    )


@register.simple_tag
def progress_bar(row):
    """One campaign's progress bar and its legend (``row`` from
    ``selectors.campaign_progress``)."""
    text_id = f"progress-{row['campaign'].pk}-text"
    shown = [segment for segment in row["segments"] if segment["count"]]
    rects = "".join(
        f'<rect class="seg-{segment["status"]}" x="{percent(segment["offset"])}" y="0" '
        f'width="{percent(segment["share"])}" height="100%"></rect>'
        for segment in shown
    )
    if row["total"]:
        legend = "".join(
            f'<span class="me-2 text-nowrap"><span class="legend-swatch seg-{segment["status"]}" aria-hidden="true">'
            f"</span> {segment['count']} {_e(segment['label'])}</span>"
            for segment in shown
        )
    else:
        legend = '<span class="text-body-secondary">No asks yet.</span>'
    return mark_safe(  # noqa: S308 - statuses and numbers are ours, labels escaped
        f'<svg class="progress-stack" role="img" aria-labelledby="{text_id}" preserveAspectRatio="none">{rects}</svg>\n'
        f'<p class="small mb-0 mt-1" id="{text_id}">{legend}</p>'
    )
