"""Forms of the leads' publishing pages (issue 20). Each publication asks the
lead to confirm that they understand it is permanent for feed readers."""

from django import forms

from campaign.publishing import PERMANENCE_NOTE, PUBLIC_STATUS_CHOICES
from campaign.widgets import DateInput

CONFIRM_LABEL = "I understand: once published, readers and feed readers keep what they fetched."


def _confirm_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=CONFIRM_LABEL,
        help_text=PERMANENCE_NOTE,
        error_messages={"required": "Tick the box to confirm: publishing cannot be recalled from readers."},
    )


class CampaignPublishForm(forms.Form):
    public_title = forms.CharField(label="Public title", max_length=200)
    public_summary = forms.CharField(
        label="Public summary", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    allow_indexing = forms.BooleanField(label="Let search engines index", required=False)
    confirm = _confirm_field()


class AskPublishForm(forms.Form):
    public_wording = forms.CharField(
        label="Public wording", widget=forms.Textarea(attrs={"rows": 4}), help_text="The demand as the public reads it."
    )
    public_source_title = forms.CharField(label="Where it was made public", max_length=300, required=False)
    public_source_url = forms.URLField(label="Link to where it was made public", max_length=500, required=False)
    public_source_date = forms.DateField(label="When it was made public", required=False, widget=DateInput)
    public_weight = forms.IntegerField(
        label="Weight in the progress bar", min_value=1, max_value=100, initial=1, help_text="1 unless it counts more."
    )
    confirm = _confirm_field()


class UpdatePublishForm(forms.Form):
    public_status = forms.ChoiceField(label="Public status", choices=PUBLIC_STATUS_CHOICES)
    public_note = forms.CharField(
        label="Note for the public",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Written for the public: no internal details, no names of people at risk.",
    )
    confirm = _confirm_field()
