"""Pages' content, stored under keys that change with the data it shows.

Building the ask list, the dashboard, a campaign page or an ask's timeline and
evidence costs 10-15 ms (their queries, 50 rows, a filter form); serving the
stored content costs what the layout around it does. The rule that keeps it
right: every campaign has a ``content_version`` that changes, in the same
transaction, with every write to what its pages show (``campaigns_changed``: the
receivers below catch every model save and delete, the admin's and the imports'
included; the few ``QuerySet.update`` calls, which send no signal, call it
themselves). A page's key names the user, each campaign it draws on with the
user's access to it and its version, the URL, the local date and time zone. So
stored content is never served after a change: the next request makes a new key
and builds the page again. Nothing is told to forget anything, which is why a
cache of each process's own is as right as a shared one; old entries age out.

The versions are read (with the user's memberships, or with the campaign or ask
the page is about) before the page's queries run, so content is stored under a
version at most as new as its data, never newer: a write that lands meanwhile
changes the version, and the next request misses."""

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.db.models import signals
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "pages"

# The user columns that pages show (names in lists, timelines and member lists)
# or that decide what a user sees; a login's ``last_login`` is none of them.
USER_SHOWN_FIELDS = frozenset({"email", "full_name", "is_active", "is_superuser"})


# --- Keys and content ----------------------------------------------------------------------


def page_key(kind: str, user, *parts) -> str:
    """A key for one user's view of a page: ``parts`` name everything else it depends on."""
    raw = repr((kind, user.pk, timezone.get_current_timezone_name(), get_language(), *parts))
    return f"{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def scope_parts(scope) -> tuple:
    """What a page over a user's campaigns depends on: each campaign, whether the
    user may edit it (confidential evidence, edit links) and its version."""
    return tuple(
        (campaign.id, campaign.id in scope.editable_ids, campaign.content_version) for campaign in scope.campaigns
    )


def cached_html(key: str, build: Callable[[], str], *, store: bool = True) -> SafeString:
    """The content stored under ``key``, built and stored first if there is none.
    ``store=False`` builds it without looking: a page shown again after a failed
    POST may hold what the request changed in memory before it failed."""
    cache = caches[CACHE_ALIAS]
    html = cache.get(key) if store else None
    if html is None:
        html = str(build())
        if store:
            cache.set(key, html)
    # Stored as plain text: it was rendered (and escaped) by the template engine.
    return mark_safe(html)  # noqa: S308


def stored_html(request, kind: str, parts: tuple, build: Callable[[], str], *, store: bool = True) -> SafeString:
    """``cached_html`` under the request's user's key for a page of ``kind``."""
    return cached_html(page_key(kind, request.user, *parts), build, store=store)


def csrf_slot() -> str:
    """What stored content holds where a form's CSRF token goes: each request fills
    in its own (``with_csrf_token``). Derived from the secret key, so no one can
    write it into a page's text, where every value is escaped anyway."""
    return _slot_for(settings.SECRET_KEY)


@functools.cache
def _slot_for(secret_key: str) -> str:
    return hashlib.sha256(f"page-cache-csrf-slot:{secret_key}".encode()).hexdigest()


def with_csrf_token(request, html: str) -> SafeString:
    return mark_safe(html.replace(csrf_slot(), get_token(request)))  # noqa: S308 - a token of [A-Za-z0-9]


def site_parts() -> tuple:
    """What a page over the whole site (the admin's ask list) depends on: every
    campaign's version, and the users and targets its filters list (a new one
    changes no campaign; renames and deletions change them all)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Max

    from campaign.models import Campaign, Target

    return (
        tuple(Campaign.objects.order_by("pk").values_list("pk", "content_version")),
        tuple(get_user_model()._base_manager.aggregate(n=Count("pk"), last=Max("pk")).values()),
        tuple(Target.objects.aggregate(n=Count("pk"), last=Max("pk")).values()),
    )


def stored_admin_page(request, kind: str, build: Callable[[dict], object]):
    """An admin page for a superuser, stored like the staff pages: ``build(extra_context)``
    is the ModelAdmin view. Built afresh, not stored, for anyone else, for other
    methods than GET, and while messages wait to be shown (the layout shows them once)."""
    from django.contrib import messages
    from django.http import HttpResponse

    user = request.user
    if request.method != "GET" or not (user.is_active and user.is_superuser) or len(messages.get_messages(request)):
        return build({})
    key = page_key(kind, user, site_parts(), request.get_full_path(), timezone.localdate())
    html = caches[CACHE_ALIAS].get(key)
    if html is None:
        response = build({"csrf_token": csrf_slot()})
        if not hasattr(response, "render"):
            return response  # a redirect, say: nothing rendered with the slot
        response.render()
        html = response.content.decode()
        if response.status_code != 200:
            response.content = with_csrf_token(request, html)
            return response
        caches[CACHE_ALIAS].set(key, html)
    return HttpResponse(with_csrf_token(request, html))


# --- Versions --------------------------------------------------------------------------------


def campaigns_changed(campaign_ids: Iterable[int | None]) -> None:
    """Give these campaigns new versions: their pages' stored content is not served again."""
    from campaign.models import Campaign

    ids = sorted({pk for pk in campaign_ids if pk is not None})
    if ids:
        Campaign.objects.filter(pk__in=ids).update(content_version=uuid.uuid4())


def _asks_campaigns(**filters):
    from campaign.models import Ask

    return Ask.all_objects.filter(**filters).values_list("campaign_id", flat=True).distinct()


def _all_campaigns_changed() -> None:
    from campaign.models import Campaign

    Campaign.objects.update(content_version=uuid.uuid4())


def _remember_campaign(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before an ask or a piece of evidence is saved: the campaign it was in, so
    that moving it to another changes the pages of both."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"campaign", "campaign_id"}.intersection(update_fields):
        return  # a status change, a soft delete: it stays where it is
    instance._campaign_before = (
        sender._base_manager.filter(pk=instance.pk).values_list("campaign_id", flat=True).first()
    )


def _in_campaign_changed(sender, instance, raw=False, **kwargs):
    """An ask, update, piece of evidence, membership or summary saved or deleted."""
    if raw:
        return
    campaigns_changed([instance.campaign_id, getattr(instance, "_campaign_before", None)])


def _campaign_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        campaigns_changed([instance.pk])


def _target_saved(sender, instance, raw=False, created=False, **kwargs):
    # Targets are named in the ask lists and the admin's target filter; a rename is rare.
    if not raw and not created:
        _all_campaigns_changed()


def _shown_of_user(user) -> tuple:
    return tuple(getattr(user, name) for name in sorted(USER_SHOWN_FIELDS))


def _remember_user(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a user is saved: what pages show of them, to tell whether it changed
    (saving one's email preferences changes no page)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not USER_SHOWN_FIELDS.intersection(update_fields):
        return  # a login's last_login, a session epoch
    before = sender._base_manager.filter(pk=instance.pk).values_list(*sorted(USER_SHOWN_FIELDS)).first()
    instance._shown_changed = before is not None and before != _shown_of_user(instance)


def _user_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw or created or not getattr(instance, "_shown_changed", False):
        return
    instance._shown_changed = False
    # Names appear in every campaign the user has worked in; a rename is rare.
    _all_campaigns_changed()


def _user_deleted(sender, instance, **kwargs):
    # Their asks lose their owner (SET NULL, which sends no signal per ask).
    _all_campaigns_changed()


def _evidence_links_changed(sender, instance, action, pk_set=None, model=None, **kwargs):
    """Evidence linked to asks or unlinked, from either side."""
    if not action.startswith("post_"):
        return
    from campaign.models import Ask

    ids = [instance.campaign_id]
    if pk_set:
        if model is Ask:
            ids += _asks_campaigns(pk__in=pk_set)
        else:
            ids += model._base_manager.filter(pk__in=pk_set).values_list("campaign_id", flat=True)
    campaigns_changed(ids)


def connect_receivers() -> None:
    from campaign.models import Ask, Campaign, Evidence, Membership, ProgressSummary, Target, Update

    for model in (Ask, Evidence):
        signals.pre_save.connect(_remember_campaign, sender=model, dispatch_uid=f"page_cache_before_{model.__name__}")
    for model in (Ask, Update, Evidence, Membership, ProgressSummary):
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(_in_campaign_changed, sender=model, dispatch_uid=f"page_cache_{model.__name__}")
    signals.post_save.connect(_campaign_saved, sender=Campaign, dispatch_uid="page_cache_campaign")
    signals.post_save.connect(_target_saved, sender=Target, dispatch_uid="page_cache_target")
    signals.pre_save.connect(_remember_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="page_cache_user_before")
    signals.post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="page_cache_user")
    signals.post_delete.connect(_user_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="page_cache_user_del")
    signals.m2m_changed.connect(_evidence_links_changed, sender=Evidence.asks.through, dispatch_uid="page_cache_links")
