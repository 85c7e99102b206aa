"""The ask pages: the list, one ask, and recording, editing, status changes,
notes, evidence and deletion. The access check is ``get_ask_for`` (campaign.selectors),
the writes are campaign.services."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import selectors, services
from campaign.filters import AskFilter
from campaign.forms import AskForm, EvidenceForm, NoteForm, SignatureForm, StatusChangeForm
from campaign.models import AskStatus
from campaign.people import Surface
from campaign.redirects import next_or
from campaign.views.dashboard import scope_actions
from campaign.views.evidence import reference_messages
from campaign.views.guard import name_override_requested, show_refusal
from campaign.views.rendering import VIEWER_NOTE, render_page

ASKS_PER_PAGE = 50


@require_GET
def ask_list(request):
    scope = selectors.campaign_scope(request.user)
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
        "today": timezone.localdate(),
        "query_string": query.urlencode(),
        "is_filtered": any(value for key, value in query.items() if key != "sort"),
        "editable_campaign_ids": scope.editable_ids,
        **scope_actions(scope),
    }
    return render_page(request, "campaign/asks.html", context, title="Asks")


@require_http_methods(["GET", "POST"])
def ask_create(request):
    initial = {}
    if request.method == "GET" and request.GET.get("campaign"):
        initial["campaign"] = selectors.editable_campaigns(request.user).filter(slug=request.GET["campaign"]).first()
    form = AskForm(request.POST or None, user=request.user, initial=initial)
    if not form.fields["campaign"].queryset.exists():
        messages.info(
            request, "You need the editor or lead role in a campaign to record asks; a lead can change your role."
        )
        return redirect("dashboard")
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                ask = services.ask_create(
                    author=request.user,
                    name_override=name_override_requested(request),
                    **_with_new_target(form, request.user),
                )
        except ValidationError as error:
            show_refusal(form, error, user=request.user, campaign_id=form.cleaned_data["campaign"].pk)
        else:
            saved_as = " as a draft" if ask.status == AskStatus.DRAFT else ""
            messages.success(request, f"Ask “{ask.title}” recorded{saved_as}.")
            return redirect(ask)
    return render(request, "campaign/ask_form.html", {"form": form})


def _with_new_target(form, user) -> dict:
    """The form's fields for the service, with the target a lead named created first."""
    fields = form.service_fields()
    new_target = form.new_target() if "new_target_name" in form.fields else None
    if new_target:
        fields["target"] = services.target_create(author=user, **new_target)
    return fields


@require_GET
def ask_detail(request, pk):
    ask = selectors.get_ask_for(request.user, pk)
    return _render_ask_page(request, ask)


# An ask followed for years gathers hundreds of updates and changes, and some
# pieces of evidence: the page shows 50 of each at a time and pages through the rest.
TIMELINE_PER_PAGE = EVIDENCE_PER_PAGE = 50


def _render_ask_page(request, ask, *, status_form=None, note_form=None, status=200):
    """The ask page; after a failed POST, with the user's input and its errors."""
    can_edit = selectors.role_grants(ask.user_role, "edit")
    timeline = Paginator(selectors.ask_timeline(ask), TIMELINE_PER_PAGE)
    shown_role = selectors.names_role(request.user, ask.campaign_id, ask.user_role)
    people = selectors.people_shown(selectors.ask_people(ask), role=shown_role, surface=Surface.ASK_PAGE)
    evidence = Paginator(selectors.ask_evidence_for(request.user, ask), EVIDENCE_PER_PAGE)
    context = {
        "ask": ask,
        "today": timezone.localdate(),
        "can_edit": can_edit,
        "role_note": "" if can_edit else VIEWER_NOTE,
        "timeline": timeline.get_page(request.GET.get("timeline")),
        "evidence": evidence.get_page(request.GET.get("evidence")),
        "status_form": status_form or (StatusChangeForm(ask=ask) if can_edit else None),
        "note_form": note_form or (NoteForm() if can_edit else None),
        "people": people,
        "outcome": selectors.standing_outcome(ask),
        "signatures": selectors.ask_signatures(ask),
        "signature_form": SignatureForm() if can_edit else None,
        # Viewers read "based on confidential evidence", without its title or link.
        "sees_confidential": can_edit,
    }
    return render_page(request, "campaign/ask.html", context, title=ask.title, status=status)


@require_http_methods(["GET", "POST"])
def ask_edit(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    form = AskForm(request.POST or None, instance=ask, user=request.user)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.ask_update(
                    ask=ask,
                    author=request.user,
                    expected_version=form.cleaned_data["version"] or 0,
                    name_override=name_override_requested(request),
                    **_with_new_target(form, request.user),
                )
        except ValidationError as error:
            # The name guard, or a rule the form checked already, broken by someone else's save since.
            show_refusal(form, error, user=request.user, campaign_id=form.cleaned_data["campaign"].pk)
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
                ask=ask,
                new_status=form.cleaned_data["new_status"],
                author=request.user,
                note=form.cleaned_data["note"],
                name_override=name_override_requested(request),
                **form.outcome_fields(),
            )
        except ValidationError as error:
            show_refusal(form, error, user=request.user, campaign_id=ask.campaign_id)
        else:
            message = f"Status of “{ask.title}” changed to {ask.get_status_display()}."
            if in_cell:
                return _status_cell(request, ask, saved=message)
            messages.success(request, message)
            return redirect(next_or(request, ask))
    if in_cell and "cancel" in request.GET:
        return _status_cell(request, ask)
    if in_cell:
        return render(request, "campaign/_status_cell_form.html", {"ask": ask, "form": form})
    if request.method == "POST":
        # Errors on the ask page itself, with what the user typed. htmx swaps
        # only successful responses; the page shows the errors either way.
        return _render_ask_page(request, ask, status_form=form, status=200 if request.htmx else 400)
    return render(request, "campaign/ask_status.html", {"ask": ask, "form": form})


def _status_cell(request, ask, *, saved: str = ""):
    context = {"ask": ask, "can_edit": True, "saved": saved}
    return render(request, "campaign/status_cell.html", context, using="jinja2")


@require_POST
def ask_note(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.ask_add_note(
                ask=ask,
                author=request.user,
                note=form.cleaned_data["note"],
                name_override=name_override_requested(request),
            )
        except ValidationError as error:
            show_refusal(form, error, user=request.user, campaign_id=ask.campaign_id)
        else:
            messages.success(request, "Update logged.")
            return redirect(ask)
    return _render_ask_page(request, ask, note_form=form, status=400)


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
                name_override=name_override_requested(request),
                **form.service_fields(),
            )
        except ValidationError as error:
            show_refusal(form, error, user=request.user, campaign_id=ask.campaign_id)
        else:
            messages.success(request, f"Evidence “{evidence}” added.")
            reference_messages(request, evidence)
            return redirect(ask)
    return render(request, "campaign/evidence_form.html", {"ask": ask, "form": form})


@require_POST
def ask_delete(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    services.ask_soft_delete(ask=ask, author=request.user)
    messages.success(request, f"Ask “{ask.title}” deleted. An administrator can restore it if needed.")
    return redirect("campaign_detail", slug=ask.campaign.slug)
