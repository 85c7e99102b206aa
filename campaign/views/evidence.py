"""Editing and deleting an evidence item: the campaign's editors and leads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from campaign import selectors, services
from campaign.forms import EvidenceEditForm
from campaign.redirects import next_or
from campaign.views.guard import name_override_requested, show_refusal


def _back(request, evidence):
    """Where the user came from (an ask page), else the campaign page."""
    return next_or(request, evidence.campaign)


@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk):
    evidence = selectors.get_evidence_for(request.user, pk, need="edit")
    form = EvidenceEditForm(request.POST or None, request.FILES or None, instance=evidence)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(
                evidence=evidence,
                actor=request.user,
                asks=list(form.cleaned_data["asks"]),
                file=form.cleaned_data.get("file") if "file" in form.changed_data else None,
                content_type=form.detected_content_type,
                name_override=name_override_requested(request),
                **form.service_fields(),
            )
        except ValidationError as error:
            show_refusal(form, error, user=request.user, campaign_id=evidence.campaign_id)
        else:
            messages.success(request, f"Evidence “{evidence.title}” saved.")
            return redirect(_back(request, evidence))
    status = 400 if form.errors else 200
    context = {
        "evidence": evidence,
        "form": form,
        "next": _back(request, evidence),
        "backed_asks": services.evidence_backed_asks(evidence),
    }
    return render(request, "campaign/evidence_edit.html", context, status=status)


@require_POST
def evidence_delete(request, pk):
    evidence = selectors.get_evidence_for(request.user, pk, need="edit")
    try:
        services.evidence_soft_delete(evidence=evidence, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evidence_edit", pk=pk)
    messages.success(request, f"Evidence “{evidence.title}” deleted. An admin can restore it if needed.")
    return redirect(_back(request, evidence))
