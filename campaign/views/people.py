"""People at risk: a campaign's people, one person's page, recording and
editing them (editors and leads), and a lead's logged export of the names.

Pages show the name ``people.person_display_name`` decides; URLs carry only
the pseudonym."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import selectors, services
from campaign.exports import neutralise
from campaign.forms import NamesExportForm, PersonForm
from campaign.people import Surface, person_display_name
from campaign.views.rendering import VIEWER_NOTE, render_page


@require_GET
def campaign_people(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug)
    shown_role = selectors.names_role(request.user, campaign.pk, campaign.user_role)
    people = selectors.people_shown(selectors.campaign_people(campaign), role=shown_role, surface=Surface.PEOPLE_LIST)
    context = {
        "campaign": campaign,
        "people": people,
        "can_edit": selectors.role_grants(campaign.user_role, "edit"),
        "is_lead": selectors.role_grants(campaign.user_role, "lead"),
        "role_note": "" if selectors.role_grants(campaign.user_role, "edit") else VIEWER_NOTE,
        "export_form": NamesExportForm(),
    }
    return render_page(request, "campaign/people.html", context, title=f"People — {campaign.title}")


@require_GET
def person_detail(request, pseudonym):
    person = selectors.get_person_for(request.user, pseudonym)
    shown_role = selectors.names_role(request.user, person.campaign_id, person.user_role)
    shown_name = person_display_name(person, role=shown_role, surface=Surface.PERSON_PAGE)
    context = {
        "person": person,
        "shown_name": shown_name,
        "named": shown_name != person.pseudonym,
        "asks": list(person.asks.select_related("target").order_by("title")),
        "can_edit": selectors.role_grants(person.user_role, "edit"),
    }
    return render_page(request, "campaign/person.html", context, title=person.pseudonym)


@require_http_methods(["GET", "POST"])
def person_create(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="edit")
    initial = {"asks": [request.GET["ask"]]} if request.GET.get("ask", "").isdigit() else {}
    form = PersonForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=request.user, campaign=campaign, asks=list(form.cleaned_data["asks"]), **form.service_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Person recorded as {person.pseudonym}.")
            return redirect(person)
    return render(request, "campaign/person_form.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
def person_edit(request, pseudonym):
    person = selectors.get_person_for(request.user, pseudonym, need="edit")
    if not selectors.role_grants(selectors.names_role(request.user, person.campaign_id, person.user_role), "edit"):
        # The form holds the name: an admin outside the team edits people in the admin.
        raise PermissionDenied("Only the campaign's editors and leads edit its people here; admins use the admin.")
    form = PersonForm(request.POST or None, instance=person, campaign=person.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                person=person, actor=request.user, asks=list(form.cleaned_data["asks"]), **form.service_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{person.pseudonym} saved.")
            return redirect(person)
    return render(request, "campaign/person_form.html", {"form": form, "campaign": person.campaign, "person": person})


NAMES_EXPORT_COLUMNS = ["pseudonym", "name", "other_names", "risk", "consent", "asks"]


@require_POST
def names_export(request, slug):
    """The one file that carries real names: a lead asks for it with a reason,
    and the request is logged (who, when, why) before the file is built."""
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    form = NamesExportForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason", ["Give a reason."])[0])
        services.names_export_record(campaign=campaign, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("campaign_people", slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-names-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(NAMES_EXPORT_COLUMNS)
    for person in campaign.people.prefetch_related("asks").order_by("pseudonym"):
        asks = " | ".join(str(ask.pk) for ask in person.asks.all())
        row = [person.pseudonym, person.name, person.other_names, person.risk, person.consent, asks]
        writer.writerow([neutralise(cell) for cell in row])
    return response
