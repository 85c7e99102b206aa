"""What a page does when the name guard (``services.name_guard_check``) refuses a save."""

from django import forms

from campaign import services
from campaign.views.errors import add_service_errors

OVERRIDE_FIELD = "name_override"


def name_override_requested(request) -> bool:
    """The lead's "save anyway" box; the service checks that they are a lead."""
    return request.POST.get(OVERRIDE_FIELD) == "on"


def show_refusal(form, error, *, user, campaign_id: int) -> None:
    """Put a refused save's messages on their fields and, for a lead, offer the
    override box beside them (it is logged when used)."""
    add_service_errors(form, error)
    if isinstance(error, services.NameGuardError) and services.is_campaign_lead(user, campaign_id):
        form.fields[OVERRIDE_FIELD] = forms.BooleanField(
            label="Save anyway: this text must name them (logged with your name)", required=False
        )
