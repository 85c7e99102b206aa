"""The pages where a campaign's leads (and superusers) edit its details and
manage its members. Viewers and editors get 403, non-members 404
(``get_campaign_for(..., need="lead")``); the rules, including "a campaign
always keeps a lead", are in campaign.services."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import selectors, services
from campaign.forms_leads import CampaignForm, MemberAddForm, MemberRoleForm
from campaign.models import Membership, Role
from campaign.views.errors import add_service_errors

MEMBERSHIP_CHANGES_SHOWN = 15


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    # A copy: validating writes the input onto the instance, and the page's
    # heading should keep the saved title while errors are shown.
    form = CampaignForm(request.POST or None, instance=copy.copy(campaign))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.campaign_update(
                    campaign=campaign,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"] or None,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.StaleEditError as error:
                return _stale_campaign_edit(request, campaign, error)
            else:
                messages.success(request, f"Details of “{campaign.title}” saved.")
                return redirect(campaign)
        messages.error(request, "The campaign was not saved: correct the fields marked below.")
    return render(request, "campaign/campaign_edit.html", {"campaign": campaign, "form": form})


def _stale_campaign_edit(request, campaign, error):
    """The form again with what the lead typed, now against the details saved
    meanwhile (shown above it), so a deliberate second save goes through."""
    current = selectors.get_campaign_for(request.user, campaign.slug, need="lead")
    data = request.POST.copy()
    data["version"] = services.campaign_version(current)
    form = CampaignForm(data, instance=copy.copy(current))
    form.is_valid()
    form.add_error(None, str(error))
    return render(request, "campaign/campaign_edit.html", {"campaign": current, "form": form, "current": current})


def _membership_changes(campaign) -> list:
    """The latest additions, role changes and removals, with who made them."""
    return list(
        Membership.history.filter(campaign_id=campaign.pk)
        .select_related("user", "history_user")
        .order_by("-history_date", "-history_id")[:MEMBERSHIP_CHANGES_SHOWN]
    )


def _members_page(request, campaign, *, add_form=None, bound_role_form=None, status=200):
    members = selectors.campaign_members(campaign)
    rows = []
    for membership in members:
        if bound_role_form is not None and bound_role_form.membership.pk == membership.pk:
            rows.append((membership, bound_role_form))
        else:
            rows.append((membership, MemberRoleForm(membership=membership)))
    context = {
        "campaign": campaign,
        "rows": rows,
        "lead_count": sum(1 for membership in members if membership.role == Role.LEAD),
        "add_form": add_form or MemberAddForm(),
        "changes": _membership_changes(campaign),
    }
    return render(request, "campaign/members.html", context, status=status)


@require_GET
def campaign_members(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    return _members_page(request, campaign)


@require_POST
def campaign_member_add(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.membership_add(
                campaign=campaign, email=form.cleaned_data["email"], role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{membership.user} added as {membership.get_role_display().lower()}.")
            return redirect("campaign_members", slug=campaign.slug)
    messages.error(request, "Nobody was added: see the message next to the field.")
    return _members_page(request, campaign, add_form=form, status=400)


def _membership_of(campaign, pk) -> Membership:
    # Only this campaign's memberships: another campaign's id is a 404, as if it did not exist.
    return get_object_or_404(campaign.memberships.select_related("user", "campaign"), pk=pk)


@require_POST
def campaign_member_role(request, slug, pk):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    membership = _membership_of(campaign, pk)
    form = MemberRoleForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            messages.error(request, f"The role of {membership.user} was not changed. {_error_text(error)}")
        else:
            messages.success(request, f"{membership.user} is now {membership.get_role_display().lower()}.")
            if membership.user_id == request.user.pk and not request.user.is_superuser:
                # No longer a lead: the members page would answer 403.
                return redirect(campaign)
            return redirect("campaign_members", slug=campaign.slug)
    else:
        messages.error(request, f"The role of {membership.user} was not changed: choose a role from the list.")
    return _members_page(request, campaign, bound_role_form=form, status=400)


@require_POST
def campaign_member_remove(request, slug, pk):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    membership = _membership_of(campaign, pk)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"{membership.user} was not removed. {_error_text(error)}")
        return _members_page(request, campaign, status=400)
    messages.success(request, f"{membership.user} was removed from “{campaign.title}”.")
    if membership.user_id == request.user.pk and not request.user.is_superuser:
        # They left the campaign: its pages now answer 404 to them.
        return redirect("campaign_list")
    return redirect("campaign_members", slug=campaign.slug)
