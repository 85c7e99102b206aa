"""The Jinja2 environment of the staff pages' content (templates/jinja2/).

The long lists (the ask list, the dashboard panels, the campaign page, an ask's
timeline and evidence) are loops over up to 50 rows. Django's Jinja2 backend
runs them at a fraction of what the same loop costs through Django templates,
with the same default: every value is escaped. The layout around them (nav,
messages) stays in Django templates (``base.html``), and so does the admin.

Everything a template may call is listed here, so nothing reaches a page but
what this module hands it.
"""

import datetime
import functools
from urllib.parse import quote

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import get_language
from jinja2 import Environment

from campaign import un_links
from campaign.templatetags import campaign_tags


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def url_maker(name: str):
    """pk -> the path of ``name`` for that pk, reversed once for a whole list."""
    prefix, _, suffix = reverse(name, args=[0]).rpartition("0")
    return lambda pk: f"{prefix}{pk}{suffix}"


MOMENT_FORMAT = "j M Y, H:i"


@functools.lru_cache(maxsize=4096)
def _format_day(day: datetime.date, format_string: str, language: str) -> str:
    # Django looks up the locale's formats on every call; a page shows few distinct days.
    return dateformat.format(day, format_string)


@functools.lru_cache(maxsize=64)
def _month_abbreviation(month: int, language: str) -> str:
    return dateformat.format(datetime.date(2000, month, 1), "M")


def date(value, format_string: str = "j M Y") -> str:
    """A day as "7 Dec 2026"; a moment in the active (the user's) time zone."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        if format_string == MOMENT_FORMAT:
            # A timeline's every entry: Django's formatter looks up the locale each time.
            month = _month_abbreviation(local.month, get_language())
            return f"{local.day} {month} {local.year}, {local:%H:%M}"
        return dateformat.format(local, format_string)
    return _format_day(value, format_string, get_language())


def pluralize(number: int, suffix: str = "s") -> str:
    return "" if number == 1 else suffix


def truncate_chars(text: str, length: int) -> str:
    return Truncator(text).chars(length)


def since(moment: datetime.datetime, now: datetime.datetime | None = None) -> str:
    return timesince(moment, now)


def quote_path(path: str) -> str:
    return quote(path, safe="/")


def querystring(request, **changes) -> str:
    """The request's query string with ``changes`` applied, as Django's ``{% querystring %}``."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return f"?{query.urlencode()}"


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 - the backend passes autoescape=True
    env.globals.update(
        url=url,
        url_maker=url_maker,
        static=static,
        querystring=querystring,
        localdate=timezone.localdate,
        now=timezone.now,
    )
    env.filters.update(
        date=date,
        iso_moment=campaign_tags.iso_moment,
        pluralize=pluralize,
        truncate_chars=truncate_chars,
        since=since,
        quote_path=quote_path,
        filesizeformat=filesizeformat,
        crispy_field=as_crispy_field,
        status_badge=campaign_tags.status_badge,
        priority_badge=campaign_tags.priority_badge,
        deadline_note=campaign_tags.deadline_note,
        deadline_class=campaign_tags.deadline_class,
        percent=campaign_tags.percent,
        un_links=un_links.link_references,
        un_reference=un_links.reference_link,
    )
    return env


def public_environment(**options) -> Environment:
    """The public pages' own environment (templates/public/, issue 20): no
    request, no user, no CSRF token, no staff URL helpers; only what a page
    built from ``campaign.public``'s dataclasses needs. Times are shown in
    TIME_ZONE, the same for every reader."""
    env = Environment(**options)  # noqa: S701 - the backend passes autoescape=True
    env.globals.update(static=static)
    env.filters.update(
        date=date, iso_moment=campaign_tags.iso_moment, pluralize=pluralize, percent=campaign_tags.percent
    )
    return env
