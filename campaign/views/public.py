"""The public pages (issue 20): a published campaign, its public asks, the Atom
feed of its public updates, the embeddable widget and the sitemap.

They read only through ``campaign.public`` and render only templates/public/.
They touch neither ``request.user`` nor the session (campaign.middleware gives
them empty ones), so every reader gets the same bytes: sent with
``Cache-Control: public`` and an ETag, and kept in Django's cache under a key
that carries the campaign's ``public_version``, which every write that can
change a public page bumps (campaign.services.public_changed). An unpublished
campaign or ask is a 404 at once: the campaign is read before the cache.
"""

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from campaign import public

# Part of every ETag and cache key: a deploy that changes the templates changes it.
PAGE_FORMAT = "2"
HTML = "text/html; charset=utf-8"


def public_view(view):
    """No login; GET and HEAD only; a hidden thing is the public 404 page,
    which carries no cookie either (the staff 404 page would set a CSRF cookie)."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return not_found()

    wrapped.__name__ = wrapped.__qualname__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_not_required(require_safe(wrapped))


def not_found() -> HttpResponseNotFound:
    response = HttpResponseNotFound(render_to_string("404.html", using="public"), content_type=HTML)
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    return response


def _cached(request, campaign: public.PublicCampaign, page: str, build, *, content_type: str = HTML):
    """The page from the cache or built now, with its ETag, or a 304."""
    etag = quote_etag(f"{campaign.campaign_id}.{campaign.version}.{PAGE_FORMAT}.{page}")
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = f"public-page:{etag}"
        content = cache.get(key) if settings.PUBLIC_CACHE_SECONDS else None
        if content is None:
            content = build()
            if settings.PUBLIC_CACHE_SECONDS:
                cache.set(key, content, settings.PUBLIC_CACHE_SECONDS)
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    if not campaign.allow_indexing:
        response["X-Robots-Tag"] = "noindex"
    return response


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _render(template_name: str, context: dict) -> str:
    return render_to_string(template_name, {"site_url": settings.SITE_URL, **context}, using="public")


def _campaign_context(campaign: public.PublicCampaign) -> dict:
    asks = public.campaign_asks(campaign)
    return {
        "campaign": campaign,
        "progress": public.progress(asks),
        "asks_by_target": public.asks_by_target(asks),
    }


@public_view
def campaign_page(request, slug):
    campaign = public.published_campaign(slug)

    def build():
        return _render("campaign.html", {**_campaign_context(campaign), "canonical": _absolute(campaign.url)})

    return _cached(request, campaign, "campaign", build)


@public_view
def ask_page(request, slug, public_id):
    campaign = public.published_campaign(slug)
    ask = public.public_ask(campaign, public_id)  # before the cache: an unpublished ask is a 404 at once

    def build():
        context = {
            "campaign": campaign,
            "ask": ask,
            "updates": public.ask_updates(campaign, ask),
            "evidence": public.ask_evidence(campaign, ask),
            "outcome": public.ask_outcome(campaign, ask),
            "signatories": public.ask_signatories(campaign, ask),
            "canonical": _absolute(ask.url),
        }
        return _render("ask.html", context)

    return _cached(request, campaign, f"ask.{public_id}", build)


@public_view
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request, slug):
    """The widget for partners' sites: the only page that may be framed. No
    forms, no cookies; its links open the full pages outside the frame."""
    campaign = public.published_campaign(slug)

    def build():
        return _render("embed.html", {**_campaign_context(campaign), "canonical": _absolute(campaign.url)})

    return _cached(request, campaign, "embed", build)


class CampaignUpdatesFeed(Feed):
    """A campaign's public updates as Atom. Links are built from SITE_URL, not
    the request's host, so every reader and the cache get the same feed."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return request.public_campaign

    def title(self, campaign):
        return campaign.title

    def subtitle(self, campaign):
        return campaign.summary or f"Public updates of {campaign.title}"

    def link(self, campaign):
        return _absolute(campaign.url)

    def feed_url(self, campaign):
        return _absolute(campaign.feed_url)

    def feed_guid(self, campaign):
        return _absolute(campaign.feed_url)

    def author_name(self, campaign):
        # Atom asks for an author; the campaign speaks for itself, never a staff member.
        return campaign.title

    def items(self, campaign):
        return public.campaign_updates(campaign)

    def item_title(self, update):
        return f"{update.status_label}: {Truncator(update.ask_wording).chars(120)}"

    def item_description(self, update):
        return update.note

    def item_link(self, update):
        return _absolute(f"{update.ask_url}#{update.anchor}")

    def item_guid(self, update):
        return self.item_link(update)

    def item_pubdate(self, update):
        return update.published_at

    def item_updateddate(self, update):
        return update.published_at


_feed = CampaignUpdatesFeed()


@public_view
def feed(request, slug):
    campaign = public.published_campaign(slug)
    request.public_campaign = campaign

    def build():
        return _feed(request, slug=slug).content

    return _cached(request, campaign, "feed", build, content_type="application/atom+xml; charset=utf-8")


class PublicPagesSitemap(Sitemap):
    """Indexable public pages only: published campaigns whose lead let search
    engines index them, and their public asks. Addresses from SITE_URL."""

    def items(self):
        return public.sitemap_entries()

    def location(self, entry):
        return entry[0]

    def lastmod(self, entry):
        return entry[1]

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


@login_not_required
@require_safe
def sitemap(request):
    response = sitemap_view(request, sitemaps={"public": PublicPagesSitemap})
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    return response
