from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from campaign.apps import ADMIN_ROWS_PER_PAGE
from campaign.exports import AskResource, EvidenceResource, asks_csv_response
from campaign.models import (
    ASK_ANCHOR_FIELDS,
    ASK_EDITABLE_FIELDS,
    RATIONALE_STATUSES,
    Ask,
    Campaign,
    Digest,
    Evidence,
    Membership,
    NameGuardOverride,
    NamesExport,
    Organisation,
    OutboundEmail,
    Outcome,
    Person,
    ProgressSummary,
    Reminder,
    Signature,
    Suggestion,
    Target,
    TargetResponse,
    UNMeeting,
    UNReview,
    Update,
)
from campaign.services import (
    ask_add_note,
    ask_change_status,
    ask_create,
    ask_soft_delete,
    ask_update,
    evidence_soft_delete,
    guard_ask_text,
    guard_evidence_text,
    name_guard_check,
    outcome_errors,
    person_create,
    public_changed,
    un_meeting_follow,
)
from campaign.suggestions import suggestion_accept_as_update, suggestion_reject
from campaign.un_calendar import anchored
from campaign.views.errors import add_service_errors

NEW_ASK_CLOSED = (
    "A new ask starts open (or as a draft): record it, then change its status with the outcome's evidence, "
    "the target's response and a rationale."
)
NAME_OVERRIDE_LABEL = "Save even though it names a person at risk (logged)"


def _name_override_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=NAME_OVERRIDE_LABEL,
        required=False,
        help_text="Only for text that must name them; the override is recorded with your name.",
    )


def _add_name_guard_errors(form, check) -> None:
    """Run the name guard ``check`` and put what it refuses on the form's fields."""
    try:
        check()
    except ValidationError as error:
        add_service_errors(form, error)


# django-otp's TOTP app names itself by its label, shown as "OTP_TOTP" on the
# admin index. A display name only: no migration depends on it.
apps.get_app_config("otp_totp").verbose_name = "Two-factor devices"


class HistoryAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/simple_history/object_history_list.html"


# --- Campaigns, members, targets ---------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class QuickActionCheckbox:
    """Each changelist row's action checkbox in Django's own markup, without a
    widget template rendered per row: on the 50-row ask list that render was a
    quarter of the page's time."""

    def action_checkbox(self, obj):
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    list_display = ["title", "slug", "status", "country_or_region", "started_on", "ends_on"]
    list_filter = ["status", ("started_on", admin.DateFieldListFilter)]
    search_fields = ["title", "slug", "summary", "country_or_region"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MembershipInline]
    # Publishing goes through campaign.publishing (the campaign's page for leads),
    # which asks for confirmation; here it is shown, not changed.
    readonly_fields = ["published", "published_at", "public_title", "public_summary", "allow_indexing"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "campaign", "role", "created_at"]
    list_filter = ["role", "campaign"]
    search_fields = ["user__email", "user__full_name", "campaign__title"]
    autocomplete_fields = ["user", "campaign"]
    list_select_related = ["user", "campaign"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]


def _restore(queryset, user) -> int:
    """Bring soft-deleted asks or evidence back, one save each, so their history
    says who restored them (there is no service for it: only the admin restores)."""
    with transaction.atomic():
        restored = list(queryset.filter(deleted_at__isnull=False))
        for item in restored:
            item.deleted_at = None
            item._history_user = user
            item.save(update_fields=["deleted_at"])
        for campaign_id in {item.campaign_id for item in restored}:
            public_changed(campaign_id=campaign_id)
    return len(restored)


# --- Asks --------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        overdue = Ask.all_objects.overdue().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class DueFilter(admin.SimpleListFilter):
    """Open asks by how soon they are due (OverdueFilter has the past ones)."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("7", "In the next 7 days"), ("30", "In the next 30 days"), ("none", "No deadline")]

    def queryset(self, request, queryset):
        if self.value() in ("7", "30"):
            return queryset.filter(pk__in=Ask.all_objects.due_within(int(self.value())).values("pk"))
        if self.value() == "none":
            return queryset.filter(deadline__isnull=True)
        return queryset


class OwnerFilter(admin.SimpleListFilter):
    """Two fixed choices instead of one link (or option) for each of hundreds of
    users; the search box finds an owner by name or email."""

    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("me", "Mine"), ("none", "Nobody")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(owner=request.user)
        if self.value() == "none":
            return queryset.filter(owner__isnull=True)
        return queryset


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted (restorable)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class LatestRowsInline(admin.TabularInline):
    """An inline that lists only an ask's latest ``max_rows`` rows, newest first,
    and says so in its heading: a long-followed ask gathers hundreds of timeline
    entries, and Django lists every one of them on the change page.

    The inline admin is made afresh for each request, and Django asks it for
    the formset (with the ask) before the queryset, so the ask is kept here."""

    max_rows = ADMIN_ROWS_PER_PAGE
    ordering: list[str] = []
    ask = None

    def get_formset(self, request, obj=None, **kwargs):
        self.ask = obj
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.ask is None:
            return queryset.none()
        latest = list(
            queryset.filter(ask=self.ask).order_by(*self.ordering).values_list("pk", flat=True)[: self.max_rows + 1]
        )
        if len(latest) > self.max_rows:
            total = queryset.filter(ask=self.ask).count()
            heading = type(self).verbose_name_plural or self.opts.verbose_name_plural
            self.verbose_name_plural = f"{heading} (the latest {self.max_rows} of {total})"
        return queryset.filter(pk__in=latest[: self.max_rows])


class UpdateInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        override = getattr(self, "name_override", False)
        for form in self.forms:
            note = form.cleaned_data.get("note") if form.has_changed() else None
            if note and self.instance.pk and not override:
                _add_name_guard_errors(
                    form,
                    lambda note=note: name_guard_check(
                        campaign_id=self.instance.campaign_id, texts={"note": note}, author=None
                    ),
                )


class UpdateInline(LatestRowsInline):
    """The timeline: admins add notes here; existing entries are never edited.
    The ask's page shows the whole timeline."""

    model = Update
    formset = UpdateInlineFormSet
    extra = 0
    fields = ["created_at", "author", "old_status", "new_status", "note"]
    readonly_fields = ["created_at", "author", "old_status", "new_status"]
    ordering = ["-created_at", "-id"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignatureInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if sum(1 for form in kept if form.cleaned_data.get("role") == Signature.Role.LEAD_DRAFTER) > 1:
            raise ValidationError("An ask has at most one lead drafter.")


class SignatureInline(admin.TabularInline):
    model = Signature
    formset = SignatureInlineFormSet
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "signed_on", "public"]


class AskEvidenceInline(LatestRowsInline):
    model = Evidence.asks.through
    extra = 0
    autocomplete_fields = ["evidence"]
    verbose_name = "evidence item"
    verbose_name_plural = "evidence"
    ordering = ["-id"]


class AskAdminForm(forms.ModelForm):
    status_note = forms.CharField(
        label="Note for the status change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you change the status: it goes on the ask's timeline.",
    )
    # The version the page was loaded with, as on the web form: a save made
    # since (by anyone, anywhere) is not overwritten.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name_override = _name_override_field()
    # The outcome a move to met, partially met, not met or withdrawn needs (services.outcome_errors).
    outcome_evidence = forms.ModelChoiceField(
        label="Outcome: evidence it rests on",
        queryset=Evidence.objects.all(),
        required=False,
        help_text="For met, partially met or not met: an item of the ask's campaign; linked to the ask if it is not.",
    )
    outcome_response = forms.ChoiceField(
        label="Outcome: the target's response",
        choices=[("", "---------"), *TargetResponse.choices],
        required=False,
    )
    outcome_rationale = forms.CharField(
        label="Outcome: rationale",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For met, partially met, not met or withdrawn: why, in a few sentences.",
    )

    class Meta:
        model = Ask
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        self.fields["deadline_offset_days"].required = False  # left empty: on the day
        # Only the ask's campaign's evidence can back its outcome; a select of every item would be long.
        self.fields["outcome_evidence"].queryset = Evidence.objects.filter(campaign_id=self.instance.campaign_id)

    def clean(self):
        cleaned = super().clean()
        self._clean_anchor(cleaned)
        if self.instance.pk and "status" in self.changed_data and not cleaned.get("status_note", "").strip():
            self.add_error("status_note", "Say why the status changed: the note goes on the timeline.")
        if (
            self.instance.pk
            and cleaned.get("loaded_version") is not None
            and cleaned["loaded_version"] != self.instance.version
        ):
            self.add_error(None, STALE_ADMIN_EDIT)
        self._clean_outcome(cleaned)
        if not cleaned.get("name_override") and cleaned.get("campaign"):
            draft = Ask(**{name: cleaned.get(name) or "" for name in ("title", "wording", "deadline_reason")})
            draft.source_title, draft.campaign_id = cleaned.get("source_title") or "", cleaned["campaign"].pk
            _add_name_guard_errors(self, lambda: guard_ask_text(draft, author=None, override=False))
            note = (cleaned.get("status_note") or "").strip()
            if note:
                _add_name_guard_errors(
                    self,
                    lambda: name_guard_check(campaign_id=draft.campaign_id, texts={"status_note": note}, author=None),
                )
        return cleaned

    def _clean_anchor(self, cleaned) -> None:
        """What services.ask_update would refuse, said on the field instead."""
        cleaned["deadline_offset_days"] = cleaned.get("deadline_offset_days") or 0
        meeting = cleaned.get("deadline_meeting")
        if meeting is None:
            return
        if not cleaned.get("deadline_anchor"):
            self.add_error("deadline_anchor", "Say whether the deadline counts from when the meeting opens or closes.")
        elif (
            anchored(
                meeting,
                cleaned["deadline_anchor"],
                cleaned.get("deadline_offset_days") or 0,
                cleaned.get("deadline_review_country", ""),
            )
            is None
        ):
            self.add_error("deadline_review_country", f"{meeting} lists no review of this country.")

    def _clean_outcome(self, cleaned) -> None:
        status = cleaned.get("status")
        if not self.instance.pk:
            if status in RATIONALE_STATUSES:
                self.add_error("status", NEW_ASK_CLOSED)
            return
        if "status" not in self.changed_data or not status:
            return
        draft = Ask(pk=self.instance.pk, campaign=cleaned.get("campaign") or self.instance.campaign)
        draft.deadline = cleaned.get("deadline")
        errors = outcome_errors(
            ask=draft,
            new_status=status,
            evidence=cleaned.get("outcome_evidence"),
            response=cleaned.get("outcome_response") or "",
            rationale=cleaned.get("outcome_rationale") or "",
        )
        for name, message in errors.items():
            self.add_error(f"outcome_{name}", message)


STALE_ADMIN_EDIT = (
    "Someone else saved this ask while you were editing it. Your changes were not saved: "
    "reload the page to see the current version, then make your change again."
)


def _carry_on_with(saved: Ask, obj: Ask) -> None:
    """The services save an instance of their own; the admin goes on with the
    form's (its inlines, its log entry and its redirect use that one)."""
    for field in Ask._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding, obj._state.db = False, saved._state.db


@admin.register(Ask)
class AskAdmin(QuickActionCheckbox, ImportExportModelAdmin, HistoryAdmin):
    form = AskAdminForm
    resource_classes = [AskResource]
    # Few, short columns: the page fits a 1280 px window, and each column is a
    # template rendered per row. The target and owner are on the ask's page and
    # found by the search box. The campaign through a method: Django keeps a
    # foreign key's column on one line ("nowrap"), and a campaign's title alone
    # pushed the table 200 px past its container.
    list_display = ["title", "campaign_title", "status", "priority", "deadline", "days_left_display"]
    # No filter that lists every target or user: the search covers them.
    list_filter = [DeletedFilter, "status", "priority", OverdueFilter, DueFilter, OwnerFilter, "campaign"]
    search_fields = ["title", "wording", "evidence__reference", "target__name", "owner__email", "owner__full_name"]
    autocomplete_fields = ["campaign", "target", "owner"]
    list_select_related = ["campaign"]
    list_per_page = ADMIN_ROWS_PER_PAGE
    readonly_fields = ["created_at", "updated_at", "last_activity_at", "deleted_at"]
    inlines = [UpdateInline, AskEvidenceInline, SignatureInline]
    actions = ["export_csv", "restore", "soft_delete"]
    fieldsets = [
        (None, {"fields": ["campaign", "target", "title", "wording", "name_override"]}),
        ("Status", {"fields": ["status", "status_note", "priority", "owner", "deadline", "deadline_reason"]}),
        (
            "Deadline anchored to a UN meeting",
            {
                "description": "The deadline then follows the meeting's dates. Days: negative before, positive after.",
                "fields": ["deadline_meeting", "deadline_anchor", "deadline_offset_days", "deadline_review_country"],
            },
        ),
        ("Outcome", {"fields": ["outcome_evidence", "outcome_response", "outcome_rationale"]}),
        ("Source", {"fields": ["source_title", "source_url", "source_date"]}),
        ("Record", {"fields": ["created_at", "updated_at", "last_activity_at", "deleted_at", "loaded_version"]}),
    ]

    def get_queryset(self, request):
        # Admins see soft-deleted asks too, so they can restore them.
        return Ask.all_objects.all()

    @admin.display(description="campaign", ordering="campaign__title")
    def campaign_title(self, ask):
        return ask.campaign.title

    @admin.display(description="days left", ordering="deadline")
    def days_left_display(self, ask):
        days = ask.days_left()
        if days is None or ask.is_closed:
            return "—"
        if days < 0:
            return format_html('<strong class="errornote">{} overdue</strong>', -days)
        return days

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        # A new ask has no timestamps yet, no status to explain and no version.
        return [
            (name, {"fields": [f for f in options["fields"] if f not in ("status_note", "loaded_version")]})
            for name, options in self.fieldsets
            if name not in ("Record", "Outcome")
        ]

    def save_model(self, request, obj, form, change):
        """Through the services, as the web form saves: a status change writes its
        timeline entry in the same transaction, and a stale form is refused."""
        data = form.cleaned_data
        edited = {name: data[name] for name in ASK_EDITABLE_FIELDS if name in data}
        # The anchor only when changed here: an unchanged anchor leaves an edited reason alone.
        edited |= {name: data[name] for name in ASK_ANCHOR_FIELDS if name in form.changed_data or not change}
        override = bool(data.get("name_override"))
        if not change:
            saved = ask_create(author=request.user, status=data["status"], name_override=override, **edited)
        else:
            saved = obj
            if set(form.changed_data) & {*ASK_EDITABLE_FIELDS, *ASK_ANCHOR_FIELDS}:
                version = data["loaded_version"] if data.get("loaded_version") is not None else obj.version
                saved = ask_update(
                    ask=obj, author=request.user, expected_version=version, name_override=override, **edited
                )
            if "status" in form.changed_data:
                ask_change_status(
                    ask=saved,
                    new_status=data["status"],
                    author=request.user,
                    note=data["status_note"],
                    name_override=override,
                    evidence=data.get("outcome_evidence"),
                    response=data.get("outcome_response") or "",
                    rationale=data.get("outcome_rationale") or "",
                )
        _carry_on_with(saved, obj)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        override = request.method == "POST" and bool(request.POST.get("name_override"))
        for formset in formsets:
            formset.name_override = override
        return formsets, inline_instances

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Update):
                # A note added here is a timeline entry like any other: it bumps last activity.
                override = bool(form.cleaned_data.get("name_override"))
                ask_add_note(ask=form.instance, author=request.user, note=instance.note, name_override=override)
            else:
                instance.save()
        # save(commit=False) leaves removals to the caller (e.g. unlinking an evidence item).
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()

    @admin.action(description="Export selected asks as CSV")
    def export_csv(self, request, queryset):
        return asks_csv_response(queryset, filename="asks.csv", site_url=settings.SITE_URL)

    @admin.action(description="Restore selected deleted asks")
    def restore(self, request, queryset):
        count = _restore(queryset, request.user)
        self.message_user(request, f"Restored {count} ask{pluralize(count)}.", messages.SUCCESS)

    @admin.action(description="Soft-delete selected asks (restorable)")
    def soft_delete(self, request, queryset):
        with transaction.atomic():
            asks = list(queryset.filter(deleted_at__isnull=True))
            for ask in asks:
                ask_soft_delete(ask=ask, author=request.user)
        self.message_user(
            request, f"Deleted {len(asks)} ask{pluralize(len(asks))}; they can be restored.", messages.SUCCESS
        )


# --- Evidence and timeline -----------------------------------------------------


class EvidenceAdminForm(forms.ModelForm):
    name_override = _name_override_field()

    class Meta:
        model = Evidence
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        asks = cleaned.get("asks")
        campaign = cleaned.get("campaign")
        if asks and campaign and any(ask.campaign_id != campaign.pk for ask in asks):
            self.add_error("asks", "Evidence can support only asks of its own campaign.")
        if campaign and not cleaned.get("name_override"):
            draft = Evidence(campaign=campaign, original_filename=self.instance.original_filename)
            for name in ("title", "summary", "reference"):
                setattr(draft, name, cleaned.get(name) or "")
            _add_name_guard_errors(self, lambda: guard_evidence_text(draft, author=None, override=False))
        return cleaned


@admin.register(Evidence)
class EvidenceAdmin(QuickActionCheckbox, ImportExportModelAdmin, HistoryAdmin):
    form = EvidenceAdminForm
    resource_classes = [EvidenceResource]
    list_display = ["title", "reference", "kind", "campaign", "assessment", "sensitivity", "published_on", "has_file"]
    list_filter = [
        DeletedFilter,
        "sensitivity",
        "kind",
        "assessment",
        "campaign",
        ("published_on", admin.DateFieldListFilter),
    ]
    search_fields = ["title", "reference", "reference_canonical", "summary"]
    autocomplete_fields = ["campaign", "asks", "added_by"]
    list_select_related = ["campaign"]
    readonly_fields = [
        "reference_canonical",
        "reference_kind",
        "original_filename",
        "content_type",
        "file_size",
        "deleted_at",
    ]
    actions = ["restore", "soft_delete"]

    def get_queryset(self, request):
        return Evidence.all_objects.all()

    @admin.display(boolean=True, description="file")
    def has_file(self, evidence):
        return bool(evidence.file)

    def save_model(self, request, obj, form, change):
        if not change and not obj.added_by_id:
            obj.added_by = request.user
        obj.read_reference()
        # The form refused a name unless overridden; this logs the override.
        guard_evidence_text(obj, author=request.user, override=bool(form.cleaned_data.get("name_override")))
        super().save_model(request, obj, form, change)
        # A sensitivity changed here reaches the public pages at once.
        public_changed(campaign_id=obj.campaign_id)
        if form.initial.get("campaign") not in (None, obj.campaign_id):
            public_changed(campaign_id=form.initial["campaign"])

    @admin.action(description="Restore selected deleted evidence")
    def restore(self, request, queryset):
        count = _restore(queryset, request.user)
        self.message_user(request, f"Restored {count} evidence item{pluralize(count)}.", messages.SUCCESS)

    @admin.action(description="Soft-delete selected evidence (restorable)")
    def soft_delete(self, request, queryset):
        with transaction.atomic():
            items = list(queryset.filter(deleted_at__isnull=True))
            for evidence in items:
                evidence_soft_delete(evidence=evidence, actor=request.user)
        count = len(items)
        self.message_user(
            request, f"Deleted {count} evidence item{pluralize(count)}; they can be restored.", messages.SUCCESS
        )


# --- People at risk ---------------------------------------------------------------


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["campaign", "name", "other_names", "risk", "consent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Lists show pseudonyms only (``Person.__str__``), and the search box takes
    pseudonyms only: a name typed there would travel in the page's URL, into
    server logs and browser history. The change form shows the name: an admin
    corrects a misspelt record there, and could read the table anyway."""

    form = PersonAdminForm
    list_display = ["pseudonym", "campaign", "risk", "consent", "created_at"]
    list_filter = ["risk", "consent", "campaign"]
    search_fields = ["pseudonym"]
    autocomplete_fields = ["campaign"]
    list_select_related = ["campaign"]
    readonly_fields = ["pseudonym", "created_at"]
    fields = ["pseudonym", "campaign", "name", "other_names", "risk", "consent", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = person_create(actor=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        obj.pk, obj.pseudonym, obj._state.adding = saved.pk, saved.pseudonym, False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "website"]
    search_fields = ["name", "country"]
    list_per_page = ADMIN_ROWS_PER_PAGE


class AppendOnlyAdmin:
    """Records written only by the services, as a log: admins read them, and
    neither add, edit nor delete them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Outcome)
class OutcomeAdmin(AppendOnlyAdmin, admin.ModelAdmin):
    """Read-only: an outcome is written with its status change, and reopening keeps it."""

    list_display = ["created_at", "ask", "status", "response", "evidence", "reopened_at"]
    list_filter = ["status", "response"]
    list_select_related = ["ask", "evidence"]
    search_fields = ["ask__title", "rationale"]


@admin.register(NameGuardOverride)
class NameGuardOverrideAdmin(AppendOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "user", "person", "field", "campaign"]
    list_filter = ["campaign"]
    list_select_related = ["user", "person", "campaign"]


@admin.register(NamesExport)
class NamesExportAdmin(NameGuardOverrideAdmin):
    list_display = ["created_at", "user", "campaign", "reason"]
    list_select_related = ["user", "campaign"]


@admin.register(Update)
class UpdateAdmin(AppendOnlyAdmin, admin.ModelAdmin):
    """Read-only: the timeline is append-only."""

    list_display = ["created_at", "ask", "author", "old_status", "new_status", "note_start"]
    # By the entry's own campaign (kept with its ask's), through update_campaign_created.
    list_filter = ["new_status", "campaign", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["note", "ask__title"]
    list_select_related = ["ask", "author"]

    @admin.display(description="note")
    def note_start(self, update):
        return update.note[:80]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """The moderation queue of suggestions from the public, across campaigns.
    Read-only: the actions decide through the same services as the leads' page
    (campaign.suggestions), so accepting writes an internal update, never a public one."""

    list_display = ["created_at", "campaign", "ask", "status", "text_start", "decided_by", "decided_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["text", "ask__title"]
    list_select_related = ["campaign", "ask", "decided_by"]
    actions = ["accept_as_update", "reject"]

    @admin.display(description="what happened")
    def text_start(self, suggestion):
        return suggestion.text[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, decide, done: str):
        decided = 0
        for suggestion in queryset.filter(status=Suggestion.Status.PENDING).select_related("campaign", "ask"):
            try:
                decide(suggestion=suggestion, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{suggestion}: {' '.join(error.messages)}", messages.ERROR)
            else:
                decided += 1
        self.message_user(request, f"{done} {decided} suggestion{pluralize(decided)}.", messages.SUCCESS)

    @admin.action(description="Accept selected pending suggestions as internal updates")
    def accept_as_update(self, request, queryset):
        self._decide(request, queryset, suggestion_accept_as_update, "Accepted as internal updates:")

    @admin.action(description="Reject selected pending suggestions")
    def reject(self, request, queryset):
        self._decide(request, queryset, suggestion_reject, "Rejected:")


# --- What the jobs keep --------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgressSummary)
class ProgressSummaryAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "period_start", "period_end", "created_at"]
    list_filter = ["campaign", ("period_end", admin.DateFieldListFilter)]
    list_select_related = ["campaign"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "ask", "recipient", "deadline"]
    list_filter = ["kind"]
    search_fields = ["ask__title", "recipient__email"]
    list_select_related = ["ask", "recipient"]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["subject", "user", "frequency", "period_end", "sent_at"]
    list_filter = ["frequency"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]


class EmailKindFilter(admin.SimpleListFilter):
    """The kinds the app sends (campaign.emails names each by its template),
    listed whether or not one has gone out yet and without reading the outbox."""

    title = "kind"
    parameter_name = "kind"
    KINDS = [("reminder", "Reminder"), ("status-change", "Status change"), ("digest", "Digest")]

    def lookups(self, request, model_admin):
        return self.KINDS

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", EmailKindFilter]
    search_fields = ["to", "subject", "dedupe_key"]
    actions = ["retry_now"]

    @admin.action(description="Retry the selected failed emails now")
    def retry_now(self, request, queryset):
        with transaction.atomic():
            count = queryset.exclude(state=OutboundEmail.State.SENT).update(
                state=OutboundEmail.State.PENDING, next_attempt_at=timezone.now(), claimed_at=None
            )
        self.message_user(
            request, f"{count} email{pluralize(count)} will go out in the next delivery run.", messages.SUCCESS
        )


# --- The UN calendar -------------------------------------------------------------


class UNReviewInline(admin.TabularInline):
    model = UNReview
    extra = 0


@admin.register(UNMeeting)
class UNMeetingAdmin(HistoryAdmin):
    list_display = ["name", "body", "session", "starts_on", "ends_on", "confirmed"]
    list_filter = ["body", "confirmed"]
    search_fields = ["session", "note", "reviews__country"]
    date_hierarchy = "starts_on"
    inlines = [UNReviewInline]

    def save_related(self, request, form, formsets, change):
        # The meeting and its reviews are saved, all in the admin's transaction:
        # the anchored asks follow their dates now, in the same transaction.
        super().save_related(request, form, formsets, change)
        moved = un_meeting_follow(meeting=form.instance, actor=request.user)
        if moved:
            self.message_user(
                request,
                f"{len(moved)} open ask{pluralize(len(moved))} anchored to {form.instance} got a new deadline.",
                messages.SUCCESS,
            )
