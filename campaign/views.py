"""The staff pages. Views stay thin: the access check is ``get_ask_for`` /
``get_campaign_for`` (campaign.selectors), the writes are campaign.services."""

import copy
import datetime
from functools import cache, partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import page_cache, selectors, services
from campaign.filters import AskFilter
from campaign.forms import AskForm, EvidenceForm, NoteForm, StatusChangeForm
from campaign.models import Campaign
from campaign.redirects import next_or

ASKS_PER_PAGE = 50
DUE_SOON_DAYS = 14


@require_GET
def dashboard(request):
    user = request.user
    scope = selectors.campaign_scope(user)
    now = timezone.now()
    today = timezone.localdate(now)
    # "Latest updates" says how long ago each came: the key changes every minute.
    parts = (user.get_short_name(), page_cache.scope_parts(scope), today, now.strftime("%Y%m%d%H%M"))
    content = page_cache.stored_html(request, "dashboard", parts, lambda: _dashboard_content(request, scope, today))
    return render(request, "campaign/stored_page.html", {"title": "Dashboard", "content": content})


def _dashboard_content(request, scope, today) -> str:
    user = request.user
    counts = selectors.ask_counts(user, scope, today=today, due_soon_days=DUE_SOON_DAYS)
    context = {
        "my_open_asks": selectors.my_open_asks(user, scope),
        "overdue_asks": selectors.overdue_asks(scope, today),
        "due_soon_asks": selectors.asks_due_within(scope, days=DUE_SOON_DAYS, today=today),
        "counts": counts,
        "due_soon_days": DUE_SOON_DAYS,
        # The full lists behind each panel, on the ask list's filters.
        "overdue_query": urlencode({"overdue": "on", "sort": "deadline"}),
        "due_soon_query": urlencode(
            {
                "open": "on",
                "deadline_from": today.isoformat(),
                "deadline_to": (today + datetime.timedelta(days=DUE_SOON_DAYS)).isoformat(),
                "sort": "deadline",
            }
        ),
        "mine_query": urlencode({"mine": "on", "open": "on", "sort": "deadline"}),
        "latest_updates": selectors.latest_updates(scope),
        "progress": selectors.campaign_progress(scope, counts),
    }
    return render_to_string("campaign/_dashboard_content.html", context, request=request)


@require_GET
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).order_by("status", "title")
    return render(request, "campaign/campaign_list.html", {"campaigns": list(campaigns)})


@require_GET
def campaign_detail(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug)
    parts = (campaign.pk, campaign.user_role, campaign.content_version, request.get_full_path(), timezone.localdate())
    content = page_cache.stored_html(request, "campaign", parts, lambda: _campaign_content(request, campaign))
    return render(request, "campaign/stored_page.html", {"title": campaign.title, "content": content})


def _campaign_content(request, campaign) -> str:
    asks_by_target, ask_count = selectors.campaign_asks_by_target(campaign)
    context = {
        "campaign": campaign,
        "can_edit": selectors.role_grants(campaign.user_role, "edit"),
        "asks_by_target": asks_by_target,
        "ask_count": ask_count,
        "asks_shown": sum(len(asks) for _, asks in asks_by_target),
        "members": selectors.campaign_members(campaign),
        "recent_evidence": selectors.recent_evidence_for(request.user, campaign, limit=6),
        "evidence_count": selectors.campaign_evidence_for(campaign).count(),
    }
    return render_to_string("campaign/_campaign_detail_content.html", context, request=request)


@require_GET
def ask_list(request):
    scope = selectors.campaign_scope(request.user)
    parts = (page_cache.scope_parts(scope), request.get_full_path(), timezone.localdate())
    content = page_cache.stored_html(request, "asks", parts, lambda: _ask_list_content(request, scope))
    return render(request, "campaign/stored_page.html", {"title": "Asks", "content": content})


def _ask_list_content(request, scope) -> str:
    ask_filter = AskFilter(
        request.GET, queryset=selectors.asks_for_list(request.user, scope), request=request, scope=scope
    )
    page = Paginator(ask_filter.qs, ASKS_PER_PAGE).get_page(request.GET.get("page"))
    # The query string without "page", for the pager's and the export's links.
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": ask_filter,
        "page": page,
        "asks": list(page.object_list),
        "query_string": query.urlencode(),
        "is_filtered": any(value for key, value in query.items() if key != "sort"),
        "editable_campaign_ids": scope.editable_ids,
    }
    return render_to_string("campaign/_ask_list_content.html", context, request=request)


@require_http_methods(["GET", "POST"])
def ask_create(request):
    form = AskForm(request.POST or None, user=request.user)
    initial_campaign = request.GET.get("campaign")
    if request.method == "GET" and initial_campaign:
        form.initial["campaign"] = form.fields["campaign"].queryset.filter(slug=initial_campaign).first()
    if request.method == "POST" and form.is_valid():
        ask = services.ask_create(author=request.user, **form.service_fields())
        messages.success(request, f"Ask “{ask.title}” recorded.")
        return redirect(ask)
    if not form.fields["campaign"].queryset.exists():
        messages.info(request, "You need the editor or lead role in a campaign to record asks.")
    return render(request, "campaign/ask_form.html", {"form": form})


@require_GET
def ask_detail(request, pk):
    # What the stored parts' keys need; the whole ask is read only to build one.
    ask = selectors.get_ask_for(request.user, pk, fields=selectors.ASK_PAGE_KEY_FIELDS)
    can_edit = selectors.role_grants(ask.user_role, "edit")
    whole = partial(selectors.get_ask_for, request.user, pk)
    return render(request, "campaign/ask_detail.html", _ask_page_context(request, ask, can_edit, whole=whole))


# An ask followed for years gathers hundreds of updates and changes, and some
# pieces of evidence: the page shows 50 of each at a time and pages through the rest.
TIMELINE_PER_PAGE = EVIDENCE_PER_PAGE = 50


def _ask_page_context(request, ask, can_edit, *, whole=None, status_form=None, note_form=None):
    """The page's three parts are built once and stored (the forms' CSRF tokens
    filled in on each request): they depend on the ask's campaign (its version),
    the user's role, the pages of the timeline and evidence asked for, and the
    date. After a failed POST they are built with the user's input, not stored.
    ``whole`` reads the whole ask when ``ask`` holds only what the keys need."""
    whole_ask = cache(whole or (lambda: ask))
    parts = (ask.pk, ask.user_role, ask.campaign.content_version, request.get_full_path(), timezone.localdate())

    def part(kind, template, context_of):
        def build():
            return render_to_string(template, context_of(whole_ask()), request=request)

        return page_cache.stored_html(request, kind, parts, build, store=request.method == "GET")

    def side(ask):
        evidence = Paginator(selectors.ask_evidence_for(request.user, ask), EVIDENCE_PER_PAGE)
        return {
            "ask": ask,
            "can_edit": can_edit,
            "evidence": evidence.get_page(request.GET.get("evidence")),
            "status_form": status_form or (StatusChangeForm(ask=ask) if can_edit else None),
            "note_form": note_form or (NoteForm() if can_edit else None),
            "csrf_token": page_cache.csrf_slot(),
        }

    def main(ask):
        timeline = Paginator(selectors.ask_timeline(ask), TIMELINE_PER_PAGE)
        return {"ask": ask, "can_edit": can_edit, "timeline": timeline.get_page(request.GET.get("timeline"))}

    return {
        "ask": ask,
        "head_html": part("ask-head", "campaign/_ask_head.html", lambda ask: {"ask": ask, "can_edit": can_edit}),
        "main_html": part("ask-main", "campaign/_ask_main.html", main),
        "side_html": page_cache.with_csrf_token(request, part("ask-side", "campaign/_ask_side.html", side)),
    }


@require_http_methods(["GET", "POST"])
def ask_edit(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    form = AskForm(request.POST or None, instance=ask, user=request.user)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_update(
                ask=ask,
                author=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **form.service_fields(),
            )
        except ValidationError as error:
            # A rule the form checked already, broken by someone else's save since.
            form.add_error(None, error)
        except services.StaleEditError as error:
            current = selectors.get_ask_for(request.user, pk, need="edit")
            # Keep what the user typed, but against the version now saved, so a
            # deliberate second save goes through.
            data = request.POST.copy()
            data["version"] = current.version
            # A copy: validating the form writes the user's input onto its instance.
            form = AskForm(data, instance=copy.copy(current), user=request.user)
            form.is_valid()
            form.add_error(None, str(error))
        else:
            messages.success(request, "Changes saved.")
            return redirect("ask_detail", pk=pk)
    return render(request, "campaign/ask_form.html", {"form": form, "ask": ask, "current": current})


@require_http_methods(["GET", "POST"])
def ask_status(request, pk):
    """Change status with a note. From the list with htmx, the status cell is
    swapped in place; without JavaScript this is a page of its own."""
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    in_cell = bool(request.htmx) and (request.htmx.target or "").startswith("status-cell-")
    form = StatusChangeForm(request.POST or None, ask=ask)
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_change_status(
                ask=ask, new_status=form.cleaned_data["new_status"], author=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = f"Status of “{ask.title}” changed to {ask.get_status_display()}."
            if in_cell:
                return render(request, "campaign/_status_cell.html", {"ask": ask, "can_edit": True, "saved": message})
            messages.success(request, message)
            return redirect(next_or(request, ask))
    if in_cell and "cancel" in request.GET:
        return render(request, "campaign/_status_cell.html", {"ask": ask, "can_edit": True})
    if in_cell:
        return render(request, "campaign/_status_cell_form.html", {"ask": ask, "form": form})
    if request.method == "POST":
        # Errors on the ask page itself, with what the user typed.
        context = _ask_page_context(request, ask, True, status_form=form)
        # htmx swaps only successful responses; the page shows the errors either way.
        return render(request, "campaign/ask_detail.html", context, status=200 if request.htmx else 400)
    return render(request, "campaign/ask_status.html", {"ask": ask, "form": form})


@require_POST
def ask_note(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    form = NoteForm(request.POST)
    if form.is_valid():
        services.ask_add_note(ask=ask, author=request.user, note=form.cleaned_data["note"])
        messages.success(request, "Update logged.")
        return redirect(ask)
    context = _ask_page_context(request, ask, True, note_form=form)
    return render(request, "campaign/ask_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def evidence_add(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.evidence_add(
                campaign=ask.campaign,
                added_by=request.user,
                asks=[ask],
                file=form.cleaned_data.get("file"),
                content_type=form.detected_content_type,
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Evidence “{evidence}” added.")
            return redirect(ask)
    return render(request, "campaign/evidence_form.html", {"ask": ask, "form": form})


@require_POST
def ask_delete(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    services.ask_soft_delete(ask=ask, author=request.user)
    messages.success(request, f"Ask “{ask.title}” deleted. An administrator can restore it if needed.")
    return redirect("campaign_detail", slug=ask.campaign.slug)
