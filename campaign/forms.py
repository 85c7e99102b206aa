from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import format_html

from campaign.models import (
    EVIDENCE_NEEDS_SOURCE,
    Ask,
    AskStatus,
    DeadlineAnchor,
    Evidence,
    Membership,
    Organisation,
    Person,
    Signature,
    Target,
    TargetResponse,
    UNMeeting,
    in_users_campaigns,
)
from campaign.selectors import editable_campaigns, un_meetings_upcoming_first
from campaign.un_calendar import anchored
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
    new_target_name = forms.CharField(
        label="Or a new target",
        max_length=200,
        required=False,
        help_text="Campaign leads can add a target that is not in the list yet.",
    )
    new_target_kind = forms.ChoiceField(
        label="Kind of the new target", choices=[("", "Choose…"), *Target.Kind.choices], required=False
    )
    as_draft = forms.BooleanField(
        label="Save as a draft",
        required=False,
        help_text="A draft has not been made of the target yet: the team sees it, and no count includes it until its status changes.",
    )

    deadline_meeting = forms.ModelChoiceField(
        label="Or anchor the deadline to a UN meeting",
        queryset=UNMeeting.objects.all(),
        required=False,
        empty_label="No meeting: use the date above",
        help_text="The deadline then follows the meeting's dates when they change. Upcoming meetings first.",
    )
    anchor_days = forms.IntegerField(label="Days", min_value=0, max_value=365, required=False, initial=0)
    anchor_direction = forms.ChoiceField(
        label="Before or after", choices=[("before", "before"), ("after", "after")], required=False
    )
    deadline_anchor = forms.ChoiceField(
        label="The meeting…",
        choices=[
            (DeadlineAnchor.OPENS, "opens"),
            (DeadlineAnchor.CLOSES, "closes"),
            (DeadlineAnchor.REVIEW, "reviews a country"),
        ],
        required=False,
    )
    deadline_review_country = forms.CharField(
        label="Country reviewed", max_length=7, required=False, help_text="For a review: CHN, CHN-HKG…"
    )

    field_order = ["campaign", "target", "new_target_name", "new_target_kind"]
    ANCHOR_FIELDS = (
        "deadline_meeting",
        "anchor_days",
        "anchor_direction",
        "deadline_anchor",
        "deadline_review_country",
    )

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
        self.fields["owner"].choices = self._owner_choices(campaigns)
        self.fields["owner"].help_text = "A member of the ask's campaign."
        self.lead_campaigns = set(
            in_users_campaigns(campaigns, user, column="id", need="lead").values_list("pk", flat=True)
        )
        if not self.lead_campaigns:
            del self.fields["new_target_name"], self.fields["new_target_kind"]
        else:
            self.fields["target"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            del self.fields["as_draft"]
        self.fields["deadline"].required = False
        self.fields["deadline"].help_text = "A date, or leave it to the UN meeting below."
        self._anchor_fields_follow_the_deadline()

    def _anchor_fields_follow_the_deadline(self) -> None:
        """The anchor's fields come right after the deadline, with upcoming meetings first."""
        meetings = un_meetings_upcoming_first(timezone.localdate())
        self.fields["deadline_meeting"].choices = [("", self.fields["deadline_meeting"].empty_label)] + [
            (meeting.pk, _meeting_label(meeting)) for meeting in meetings
        ]
        order = list(self.fields)
        for name in self.ANCHOR_FIELDS:
            order.remove(name)
        at = order.index("deadline") + 1
        self.order_fields(order[:at] + list(self.ANCHOR_FIELDS) + order[at:])
        offset = self.instance.deadline_offset_days if self.instance.pk else 0
        self.initial.setdefault("anchor_days", abs(offset))
        self.initial.setdefault("anchor_direction", "after" if offset > 0 else "before")

    def _owner_choices(self, campaigns) -> list:
        """Only members of the ask's campaign: grouped by campaign while the form
        does not know which (it works without JavaScript), else that campaign's."""
        chosen = self.data.get("campaign") or self.initial.get("campaign") or self.instance.campaign_id
        chosen = getattr(chosen, "pk", chosen)
        memberships = (
            Membership.objects.filter(campaign__in=campaigns, user__is_active=True)
            .select_related("user", "campaign")
            .order_by("campaign__title", "user__full_name", "user__email")
        )
        if chosen and str(chosen).isdigit():
            memberships = memberships.filter(campaign_id=int(chosen))
        groups: dict = {}
        for membership in memberships:
            groups.setdefault(membership.campaign.title, []).append((membership.user_id, str(membership.user)))
        if len(groups) == 1:
            return [("", "Nobody yet"), *next(iter(groups.values()))]
        return [("", "Nobody yet"), *groups.items()]

    def recorded_on(self):
        return timezone.localtime(self.instance.created_at).date() if self.instance.pk else timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        self._clean_new_target(cleaned)
        campaign, owner = cleaned.get("campaign"), cleaned.get("owner")
        if campaign and owner and not Membership.objects.filter(campaign=campaign, user=owner).exists():
            self.add_error("owner", f"{owner} is not a member of “{campaign}”. Choose a member of the campaign.")
        self._clean_anchor(cleaned)
        deadline = cleaned.get("deadline")
        if deadline and deadline < self.recorded_on() and not cleaned.get("confirm_past_deadline"):
            self.fields["confirm_past_deadline"].widget = forms.CheckboxInput()
            self.add_error(
                "deadline",
                f"This deadline is before the ask was recorded ({self.recorded_on().day} {self.recorded_on():%b %Y}). "
                "If that is right, tick the confirmation box below and save again.",
            )
        return cleaned

    def _clean_anchor(self, cleaned) -> None:
        """An anchored deadline is computed here too, so the past-deadline check sees it."""
        meeting = cleaned.get("deadline_meeting")
        if meeting is None:
            return
        anchor, country = cleaned.get("deadline_anchor"), (cleaned.get("deadline_review_country") or "").strip().upper()
        cleaned["deadline_review_country"] = country if anchor == DeadlineAnchor.REVIEW else ""
        if not anchor:
            self.add_error("deadline_anchor", "Say whether the deadline counts from when the meeting opens or closes.")
            return
        if anchor == DeadlineAnchor.REVIEW and not country:
            self.add_error("deadline_review_country", "Name the country whose review the deadline counts from.")
            return
        days = cleaned.get("anchor_days") or 0
        cleaned["deadline_offset_days"] = -days if cleaned.get("anchor_direction") != "after" else days
        result = anchored(meeting, anchor, cleaned["deadline_offset_days"], cleaned["deadline_review_country"])
        if result is None:
            countries = ", ".join(review.country for review in meeting.reviews.all()) or "none"
            self.add_error(
                "deadline_review_country", f"{meeting} lists no review of {country} (it lists: {countries})."
            )
            return
        cleaned["deadline"] = result.deadline

    def _clean_new_target(self, cleaned) -> None:
        if "new_target_name" not in self.fields:
            return
        name = (cleaned.get("new_target_name") or "").strip()
        campaign = cleaned.get("campaign")
        if not name:
            if not cleaned.get("target") and "target" not in self.errors:
                self.add_error("target", "Choose the target, or name a new one below.")
            return
        if cleaned.get("target"):
            self.add_error("new_target_name", "Choose a target from the list or name a new one, not both.")
        elif Target.objects.filter(name__iexact=name).exists():
            self.add_error("new_target_name", f"A target named “{name}” exists already: choose it from the list.")
        elif campaign and campaign.pk not in self.lead_campaigns:
            self.add_error("new_target_name", f"Only leads of “{campaign}” can add a target for its asks.")
        elif not cleaned.get("new_target_kind"):
            self.add_error("new_target_kind", "Say what kind of target this is.")

    def new_target(self) -> dict | None:
        """The new target to create first, if the user named one."""
        name = (self.cleaned_data.get("new_target_name") or "").strip()
        return {"name": name, "kind": self.cleaned_data["new_target_kind"]} if name else None

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["deadline_meeting"] = meeting = self.cleaned_data.get("deadline_meeting")
        fields["deadline_anchor"] = self.cleaned_data.get("deadline_anchor") if meeting else ""
        fields["deadline_offset_days"] = self.cleaned_data.get("deadline_offset_days", 0) if meeting else 0
        fields["deadline_review_country"] = self.cleaned_data.get("deadline_review_country", "") if meeting else ""
        if self.cleaned_data.get("as_draft"):
            fields["status"] = AskStatus.DRAFT
        return fields


def _meeting_label(meeting) -> str:
    dates = f"{meeting.starts_on.day} {meeting.starts_on:%b %Y} – {meeting.ends_on.day} {meeting.ends_on:%b %Y}"
    return f"{meeting.name} · {dates}{'' if meeting.confirmed else ' (provisional)'}"


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

    evidence = forms.ModelChoiceField(
        label="Evidence it rests on",
        queryset=Evidence.objects.none(),
        required=False,
        empty_label="Choose…",
        help_text="For met, partially met or not met: the reply, resolution or report, "
        "among this ask's evidence (add it to the ask first if it is not listed).",
    )
    response = forms.ChoiceField(
        label="The target's response",
        choices=[("", "Choose…"), *TargetResponse.choices],
        required=False,
        help_text="For met, partially met or not met. “No reply” only once the deadline has passed.",
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For met, partially met, not met or withdrawn: why, in a few sentences.",
    )

    def __init__(self, *args, ask, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [("", "Choose…")] + [
            (value, label) for value, label in AskStatus.choices if value != ask.status
        ]
        # Editors and leads change statuses, and they see confidential evidence
        # too. The ask's own evidence: a campaign followed for years holds
        # thousands of items, too many for a select on every ask page.
        self.fields["evidence"].queryset = (
            Evidence.objects.filter(campaign_id=ask.campaign_id, asks=ask)
            .only("pk", "title", "reference")  # what an option shows (Evidence.__str__)
            .order_by("-published_on", "-added_at")
        )

    def outcome_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("evidence", "response", "rationale")}


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_unrecognised_reference:
            # crispy-forms renders help texts unescaped: format_html escapes the typed reference.
            self.fields["reference"].help_text = format_html(
                "“{}” is not a UN symbol: it is kept as typed and not linked. {}",
                self.instance.reference,
                self.fields["reference"].help_text,
            )

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


class PersonForm(forms.ModelForm):
    """A person an ask concerns, and which of the campaign's asks do."""

    asks = forms.ModelMultipleChoiceField(
        queryset=Ask.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Asks that concern them",
    )

    class Meta:
        model = Person
        fields = ["name", "other_names", "risk", "consent"]
        widgets = {"other_names": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "risk": "Elevated or high: viewers, emails, exports and the calendar show only the pseudonym, "
            "and shared text that names them is refused.",
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asks"].queryset = Ask.objects.filter(campaign=campaign).order_by("title")
        if self.instance.pk:
            self.fields["asks"].initial = list(self.instance.asks.values_list("pk", flat=True))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NamesExportForm(forms.Form):
    reason = forms.CharField(
        label="Why the names must leave the tracker, and for whom",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Logged with your name and the time.",
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "country", "website"]


class SignatureForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), empty_label="Choose…")

    class Meta:
        model = Signature
        fields = ["organisation", "role", "signed_on", "public"]
        widgets = {"signed_on": DateInput}
        labels = {"public": "May be named outside the team"}

    def _post_clean(self):
        # The ask is not on the form; services.signature_add checks the signature whole.
        pass
