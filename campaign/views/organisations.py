"""Organisations (shared by all campaigns, kept by campaign leads) and an
ask's signatories (added and removed by the campaign's editors and leads)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import selectors, services
from campaign.forms import OrganisationForm, SignatureForm
from campaign.models import Organisation, Signature
from campaign.views.rendering import render_page

ORGANISATIONS_PER_PAGE = 50


@require_GET
def organisation_list(request):
    query = request.GET.get("q", "").strip()
    organisations = Organisation.objects.order_by("name")
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(country__icontains=query))
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "organisations": list(page.object_list),
        "query": query,
        "can_edit": selectors.leads_somewhere(request.user),
    }
    return render_page(request, "campaign/organisations.html", context, title="Organisations")


@require_GET
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    scope = selectors.campaign_scope(request.user)
    context = {
        "organisation": organisation,
        "signatures": selectors.organisation_signatures(organisation, scope),
        "can_edit": selectors.leads_somewhere(request.user),
    }
    return render_page(request, "campaign/organisation.html", context, title=organisation.name)


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk=None):
    organisation = get_object_or_404(Organisation, pk=pk) if pk else None
    if not selectors.leads_somewhere(request.user):
        raise PermissionDenied("Only a campaign lead can add or edit organisations.")
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
            else:
                services.organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Organisation “{organisation}” saved.")
            return redirect(organisation)
    return render(request, "campaign/organisation_form.html", {"form": form, "organisation": organisation})


@require_POST
def signature_add(request, pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    form = SignatureForm(request.POST)
    if form.is_valid():
        try:
            services.signature_add(ask=ask, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{form.cleaned_data['organisation']} added as a signatory.")
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect(ask.get_absolute_url() + "#signatories")


@require_POST
def signature_remove(request, pk, signature_pk):
    ask = selectors.get_ask_for(request.user, pk, need="edit")
    signature = get_object_or_404(Signature.objects.select_related("organisation"), pk=signature_pk, ask=ask)
    services.signature_remove(signature=signature, actor=request.user)
    messages.success(request, f"{signature.organisation} is no longer listed as a signatory.")
    return redirect(ask.get_absolute_url() + "#signatories")
