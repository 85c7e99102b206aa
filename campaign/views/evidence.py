"""Editing and deleting an evidence item: the campaign's editors and leads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from campaign import selectors, services
from campaign.forms import EvidenceEditForm
from campaign.redirects import next_or
from campaign.views.guard import name_override_requested, show_refusal

NOT_A_SYMBOL = (
    "“{reference}” is not a UN symbol or a Special Procedures reference, so it is kept as typed and not linked. "
    "A UN symbol looks like A/HRC/51/L.6 or CERD/C/CHN/CO/14-17; a communication like AL CHN 5/2021."
)


def reference_messages(request, evidence) -> None:
    """After a save: say when the reference is not a symbol (it is kept, never
    refused), and warn when another item of the campaign cites the same one."""
    if evidence.is_unrecognised_reference:
        messages.info(request, NOT_A_SYMBOL.format(reference=evidence.reference))
    for other in selectors.evidence_citing_the_same(request.user, evidence):
        messages.warning(
            request,
            format_html(
                '{} is also cited by <a href="{}">“{}”</a> in this campaign. Edit one of them if they are the '
                "same document.",
                evidence.reference_canonical,
                reverse("evidence_edit", args=[other.pk]),
                other.title,
            ),
        )


def _back(request, evidence):
    """Where the user came from (an ask page), else the campaign page."""
    return next_or(request, evidence.campaign)


@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk):
    evidence = selectors.get_evidence_for(request.user, pk, need="edit")
    form = EvidenceEditForm(request.POST or None, request.FILES or None, instance=evidence)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.evidence_update(
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
            reference_messages(request, saved)
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
