from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaign.models import EVIDENCE_NEEDS_SOURCE, Ask, AskStatus, Evidence, Membership, Target
from campaign.selectors import editable_campaigns
from campaign.uploads import validate_upload
from campaign.widgets import DateInput


class AskForm(forms.ModelForm):
    # The version the form was loaded with; ask_update refuses a save over a newer one.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_past_deadline = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Yes, the deadline is before the ask was recorded",
        help_text="Tick this to save a deadline that had already passed when the ask was made.",
    )

    source_url = forms.URLField(label="Source URL", max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Ask
        fields = [
            "campaign",
            "target",
            "title",
            "wording",
            "priority",
            "owner",
            "deadline",
            "deadline_reason",
            "source_title",
            "source_url",
            "source_date",
        ]
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 5}),
            "deadline": DateInput,
            "source_date": DateInput,
        }
        labels = {"source_url": "Source URL", "source_title": "Source (document or statement)"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        campaigns = editable_campaigns(user)
        self.fields["campaign"].queryset = campaigns
        self.fields["target"].queryset = Target.objects.all()
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, memberships__campaign__in=campaigns)
            .distinct()
            .order_by("full_name", "email")
        )
        self.fields["owner"].help_text = "Must be a member of the ask's campaign."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def recorded_on(self):
        return timezone.localtime(self.instance.created_at).date() if self.instance.pk else timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        campaign, owner = cleaned.get("campaign"), cleaned.get("owner")
        if campaign and owner and not Membership.objects.filter(campaign=campaign, user=owner).exists():
            self.add_error("owner", f"{owner} is not a member of “{campaign}”. Choose a member of the campaign.")
        deadline = cleaned.get("deadline")
        if deadline and deadline < self.recorded_on() and not cleaned.get("confirm_past_deadline"):
            self.fields["confirm_past_deadline"].widget = forms.CheckboxInput()
            self.add_error(
                "deadline",
                f"This deadline is before the ask was recorded ({self.recorded_on().day} {self.recorded_on():%b %Y}). "
                "If that is right, tick the confirmation box below and save again.",
            )
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StatusChangeForm(forms.Form):
    new_status = forms.ChoiceField(
        label="New status",
        choices=AskStatus.choices,
        error_messages={"required": "Choose the new status."},
        widget=forms.Select,
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required: say what happened.",
        error_messages={"required": "Say what happened: a note is required with every status change."},
    )

    def __init__(self, *args, ask, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [("", "Choose…")] + [
            (value, label) for value, label in AskStatus.choices if value != ask.status
        ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Log an update",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example “letter sent” or “meeting held”.",
        error_messages={"required": "Write what happened."},
    )

    def __init__(self, *args, **kwargs):
        # The ask page shows this form beside the status form, whose field is
        # also "note": its own ids keep each label and help text on its textarea.
        kwargs.setdefault("auto_id", "id_update_%s")
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = [
            "title",
            "kind",
            "reference",
            "url",
            "file",
            "published_on",
            "summary",
            "assessment",
            "sensitivity",
        ]
        widgets = {"published_on": DateInput, "summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "file": "PDF, Word, OpenDocument, Excel, CSV, text, PNG or JPEG.",
            "sensitivity": "Confidential evidence is shown only to the campaign's editors and leads.",
        }

    detected_content_type = ""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            # From the bytes, not the name or the browser's claim.
            self.detected_content_type = validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("url") or cleaned.get("file") or cleaned.get("reference")) and not self.errors:
            raise forms.ValidationError(EVIDENCE_NEEDS_SOURCE)
        return cleaned

    def _post_clean(self):
        # The model's own checks need a campaign; evidence_add runs them when saving.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "file"}


class EvidenceEditForm(EvidenceForm):
    """An evidence item's details and the asks of its campaign it bears on (one
    UN document often supports several asks)."""

    asks = forms.ModelMultipleChoiceField(
        queryset=Ask.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Asks it bears on",
    )

    class Meta(EvidenceForm.Meta):
        fields = [*EvidenceForm.Meta.fields, "asks"]
        help_texts = {**EvidenceForm.Meta.help_texts, "file": "Choose a file only to replace the current one."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asks"].queryset = Ask.objects.filter(campaign_id=self.instance.campaign_id).order_by("title")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EvidenceForm.Meta.fields if name != "file"}
