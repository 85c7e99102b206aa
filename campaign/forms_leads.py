"""Forms of the pages where a campaign's leads edit its details and members."""

from django import forms

from campaign.models import CAMPAIGN_EDITABLE_FIELDS, Campaign, Role
from campaign.services import campaign_version
from campaign.widgets import DateInput


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = list(CAMPAIGN_EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "started_on": DateInput,
            "ends_on": DateInput,
        }
        labels = {"started_on": "Started on", "ends_on": "Ends on", "stale_after_days": "Stale after (days)"}
        help_texts = {"ends_on": "Leave empty for an open-ended campaign."}

    # The details' version the form was loaded with (``services.campaign_version``);
    # a save over a newer one is refused instead of undoing it.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = campaign_version(self.instance)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address the person signs in with.",
        error_messages={"required": "Enter the email address of the person to add."},
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    """One per row of the member list; ``auto_id`` gives each row's select its own id."""

    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, membership, **kwargs):
        kwargs.setdefault("auto_id", f"id_member_{membership.pk}_%s")
        kwargs.setdefault("initial", {"role": membership.role})
        super().__init__(*args, **kwargs)
        self.membership = membership
