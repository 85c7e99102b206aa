"""The leads' publishing pages (issue 20): what the public sees of a campaign
and of each ask, and the updates published about it. Leads only, by the usual
rule (``get_campaign_for`` / ``get_ask_for`` with need="lead"): viewers and
editors get 403, non-members 404. The writes are campaign.publishing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from campaign import publishing, selectors, suggestions
from campaign.forms_publishing import AskPublishForm, CampaignPublishForm, UpdatePublishForm
from campaign.models import Ask, Update
from campaign.views.errors import add_service_errors


def _campaign_asks(campaign) -> list:
    return list(
        Ask.objects.filter(campaign=campaign)
        .select_related("target")
        .only("pk", "title", "status", "published", "public_id", "target__name")
        .order_by("target__name", "title")
    )


def _campaign_page(request, campaign, form, *, status=200):
    context = {
        "campaign": campaign,
        "form": form,
        "asks": _campaign_asks(campaign),
        "permanence_note": publishing.PERMANENCE_NOTE,
        "pending_suggestions": suggestions.suggestions_pending_count(campaign),
    }
    return render(request, "campaign/campaign_public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def campaign_public(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    initial = {
        "public_title": campaign.public_title or campaign.title,
        "public_summary": campaign.public_summary or campaign.summary,
        "allow_indexing": campaign.allow_indexing,
    }
    form = CampaignPublishForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            was_published = campaign.published
            try:
                publishing.campaign_publish(
                    campaign=campaign,
                    actor=request.user,
                    public_title=form.cleaned_data["public_title"],
                    public_summary=form.cleaned_data["public_summary"],
                    allow_indexing=form.cleaned_data["allow_indexing"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                done = "Public details saved." if was_published else "Campaign published."
                messages.success(request, done)
                return redirect("campaign_public", slug=campaign.slug)
        return _campaign_page(request, campaign, form, status=400)
    return _campaign_page(request, campaign, form)


@require_POST
def campaign_unpublish(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    publishing.campaign_unpublish(campaign=campaign, actor=request.user)
    messages.success(request, "Campaign unpublished: its public pages, feed and widget are gone from this site.")
    return redirect("campaign_public", slug=campaign.slug)


def _published_updates(ask) -> list:
    return list(
        Update.objects.filter(ask=ask, published=True)
        .only("pk", "public_note", "public_status", "published_at")
        .order_by("-published_at", "-id")
    )


def _ask_page(request, ask, *, ask_form=None, update_form=None, status=200):
    initial = {
        "public_wording": ask.public_wording or ask.wording,
        "public_source_title": ask.public_source_title or ask.source_title,
        "public_source_url": ask.public_source_url or ask.source_url,
        "public_source_date": ask.public_source_date or ask.source_date,
        "public_weight": ask.public_weight,
    }
    updates = _published_updates(ask)
    context = {
        "ask": ask,
        "campaign": ask.campaign,
        "ask_form": ask_form or AskPublishForm(initial=initial),
        "update_form": update_form or UpdatePublishForm(initial={"public_status": ask.status}),
        "published_updates": updates,
        "public_status": updates[0].get_public_status_display() if updates else "Open",
        "permanence_note": publishing.PERMANENCE_NOTE,
    }
    return render(request, "campaign/ask_public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def ask_public(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="lead")
    if request.method == "GET":
        return _ask_page(request, ask)
    form = AskPublishForm(request.POST)
    if form.is_valid():
        was_published = ask.published
        fields = {name: value for name, value in form.cleaned_data.items() if name != "confirm"}
        try:
            publishing.ask_publish(ask=ask, actor=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Public wording saved." if was_published else "Ask published.")
            return redirect("ask_public", pk=ask.pk)
    return _ask_page(request, ask, ask_form=form, status=400)


@require_POST
def ask_unpublish(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="lead")
    publishing.ask_unpublish(ask=ask, actor=request.user)
    messages.success(request, "Ask unpublished: its public page is gone from this site.")
    return redirect("ask_public", pk=ask.pk)


@require_POST
def update_publish(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="lead")
    form = UpdatePublishForm(request.POST)
    if form.is_valid():
        try:
            publishing.update_publish(
                ask=ask,
                actor=request.user,
                public_status=form.cleaned_data["public_status"],
                public_note=form.cleaned_data["public_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Update published.")
            return redirect("ask_public", pk=ask.pk)
    return _ask_page(request, ask, update_form=form, status=400)


@require_POST
def update_withdraw(request, pk, update_pk):
    ask = selectors.get_ask_for(request.user, pk, need="lead")
    update = get_object_or_404(Update.objects.select_related("ask__campaign"), pk=update_pk, ask=ask, published=True)
    publishing.update_unpublish(update=update, actor=request.user)
    messages.success(request, "Update withdrawn from the public pages and the feed.")
    return redirect("ask_public", pk=ask.pk)
