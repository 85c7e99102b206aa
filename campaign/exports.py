"""Asks and evidence as spreadsheets: the staff CSV export, and the admin's
import and export (django-import-export resources). The two share columns, so
an exported file can be edited and imported back, and one neutraliser, so no
export carries a live formula."""

import csv

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import Result

from campaign.models import (
    ASK_EDITABLE_FIELDS,
    RATIONALE_STATUSES,
    Ask,
    AskStatus,
    Campaign,
    Evidence,
    Organisation,
    Signature,
    Target,
)
from campaign.people import Surface, person_display_name
from campaign.services import (
    ask_change_status,
    ask_timeline_follow,
    guard_ask_text,
    guard_evidence_text,
    public_changed,
    signatures_replace,
)
from campaign.signatories import parse_signatories, signatories_text
from campaign.un_links import evidence_reference_url, reference_urls_in

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The admin import reads these columns back (days_left, last_activity_at, link,
# un_links and people are for reading only and ignored on import; signatories
# are read). un_links: the UN document system's URLs of the symbols cited in the
# wording, one a line. people: pseudonyms only.
ASK_COLUMNS = [
    "id",
    "campaign",
    "target",
    "title",
    "wording",
    "status",
    "priority",
    "owner",
    "deadline",
    "days_left",
    "deadline_reason",
    "source_title",
    "source_url",
    "source_date",
    "last_activity_at",
    "link",
    "un_links",
    "people",
    "signatories",
]


def neutralise(value) -> str:
    """Render a value as text a spreadsheet shows and never evaluates."""
    if isinstance(value, int | float):
        return str(value)  # a number such as -5 days left is data, not a formula
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The text ``neutralise`` was given back, so an export imports unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def ask_row(ask, *, site_url: str, today) -> list:
    days_left = ask.days_left(today)
    return [
        ask.pk,
        ask.campaign.slug,
        ask.target.name,
        ask.title,
        ask.wording,
        ask.status,
        ask.priority,
        ask.owner.email if ask.owner else "",
        ask.deadline.isoformat() if ask.deadline else "",
        "" if days_left is None or ask.is_closed else days_left,
        ask.deadline_reason,
        ask.source_title,
        ask.source_url,
        ask.source_date.isoformat() if ask.source_date else "",
        timezone.localtime(ask.last_activity_at).isoformat(timespec="minutes"),
        site_url + ask.get_absolute_url(),
        "\n".join(reference_urls_in(ask.wording)),
        " | ".join(person_display_name(p, role=None, surface=Surface.EXPORT) for p in ask.people.all()),
        signatories_text(ask.signatures.all()),
    ]


def asks_csv_response(asks, *, filename: str, site_url: str) -> HttpResponse:
    """``asks`` should already be limited to what the user may see."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(ASK_COLUMNS)
    today = timezone.localdate()
    # The people column carries pseudonyms only, to everyone: see campaign.people.
    asks = asks.select_related("campaign", "target", "owner").prefetch_related("people", "signatures__organisation")
    for ask in asks.iterator(chunk_size=500):
        writer.writerow([neutralise(cell) for cell in ask_row(ask, site_url=site_url, today=today)])
    return response


# --- The admin's import and export ---------------------------------------------------


class SpreadsheetLinesResult(Result):
    """Row numbers as the spreadsheet shows them: line 1 is the header."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)


class LookupWidget(widgets.ForeignKeyWidget):
    """A related object by one of its columns (any case); a value that matches
    nothing is a validation error of its row, naming the value and the column,
    so the other rows' errors stay on the page."""

    def __init__(self, model, field: str, *, column: str):
        super().__init__(model, field=field)
        self.column = column

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {f"{self.field}__iexact": str(value).strip()}

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned):
            name = self.model._meta.verbose_name
            raise ValueError(f'{name} "{value}" not found (column {self.column})') from None


class ChoiceWidget(widgets.Widget):
    """A choice by its stored value or its label, in any case ("Open", "in
    progress", "IN_PROGRESS"); exported as the stored value."""

    def __init__(self, choices, *, column: str):
        super().__init__()
        self.column = column
        self.labels = [label for _value, label in choices]
        self.by_text = {}
        for value, label in choices:
            self.by_text[value.lower()] = value
            self.by_text[label.lower()] = value

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None  # the field keeps its value (or the default, for a new ask)
        try:
            return self.by_text[text.lower()]
        except KeyError:
            valid = ", ".join(self.labels)
            raise ValueError(f'"{value}" is not one of: {valid} (column {self.column})') from None


class IsoDateWidget(widgets.DateWidget):
    """YYYY-MM-DD only: 01/03/2027 is the 1st of March to some and the 3rd of
    January to others, so it is refused rather than guessed."""

    def __init__(self, *, column: str):
        super().__init__(format="%Y-%m-%d")
        self.column = column

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                f'"{value}" is not a date in the form YYYY-MM-DD, such as 2027-03-01 (column {self.column})'
            ) from None


class NeutralisedResource(resources.ModelResource):
    """The base of every admin resource: what it exports, in any format, holds no
    live formula, and what it imports has the neutraliser's quote taken off."""

    @classmethod
    def get_result_class(cls):
        return SpreadsheetLinesResult

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return neutralise(value) if isinstance(value, str) else value

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if isinstance(value, str):
                row[column] = unneutralise(value)


def _choice(name: str, choices) -> fields.Field:
    return fields.Field(name, name, ChoiceWidget(choices, column=name), saves_null_values=False)


def _date(name: str) -> fields.Field:
    return fields.Field(name, name, IsoDateWidget(column=name))


class SignatoriesWidget(widgets.Widget):
    """The signatories cell (campaign.signatories), its organisations found by name in any case."""

    def clean(self, value, row=None, **kwargs):
        entries = parse_signatories("" if value is None else str(value))
        if not entries:
            return []
        any_name = Q()
        for entry in entries:
            any_name |= Q(name__iexact=entry.organisation)
        by_name = {organisation.name.casefold(): organisation for organisation in Organisation.objects.filter(any_name)}
        resolved = []
        for entry in entries:
            organisation = by_name.get(entry.organisation.casefold())
            if organisation is None:
                raise ValueError(
                    f'organisation "{entry.organisation}" not found (column signatories): add it in the admin first'
                )
            resolved.append(
                Signature(organisation=organisation, role=entry.role, signed_on=entry.signed_on, public=entry.public)
            )
        return resolved

    def render(self, value, obj=None, **kwargs):
        return value or ""


class SignatoriesField(fields.Field):
    """Exported from the ask's signatures; imported as the set they become
    (``services.signatures_replace``, after the row's ask is saved). Compared as
    text, so an unchanged cell leaves the row unchanged."""

    def __init__(self):
        super().__init__(attribute="signatories", column_name="signatories", widget=SignatoriesWidget())

    def get_value(self, instance):
        if hasattr(instance, "imported_signatures"):
            return signatories_text(instance.imported_signatures)
        if instance.pk is None:
            return ""
        return signatories_text(instance.signatures.select_related("organisation"))

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.column_name in row:
            instance.imported_signatures = self.clean(row, **kwargs)


IMPORT_CANNOT_CLOSE = (
    "Met, partially met, not met and withdrawn need the outcome's evidence, the target's response and a "
    "rationale: change the status on the ask's page or in the admin, not by import."
)


class AskResource(NeutralisedResource):
    """The staff CSV export's columns, so its file imports back (by id)."""

    campaign = fields.Field("campaign", "campaign", LookupWidget(Campaign, "slug", column="campaign"))
    target = fields.Field("target", "target", LookupWidget(Target, "name", column="target"))
    owner = fields.Field("owner", "owner", LookupWidget(get_user_model(), "email", column="owner"))
    status = _choice("status", AskStatus.choices)
    priority = _choice("priority", Ask.Priority.choices)
    deadline = _date("deadline")
    source_date = _date("source_date")
    signatories = SignatoriesField()

    class Meta:
        model = Ask
        fields = ["id", *ASK_EDITABLE_FIELDS, "status", "signatories"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Ask.objects.all()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The name guard, as on every other path; an import cannot override it.
        guard_ask_text(instance, author=None, override=False)
        old_status = Ask.all_objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        if instance.status in RATIONALE_STATUSES and instance.status != old_status:
            # ask_change_status would refuse it too; said here beside the column.
            raise ValidationError({"status": IMPORT_CANNOT_CLOSE})
        signatures = getattr(instance, "imported_signatures", [])
        if sum(1 for s in signatures if s.role == Signature.Role.LEAD_DRAFTER) > 1:
            raise ValidationError({"signatories": "An ask has at most one lead drafter (column signatories)."})
        if len({s.organisation.pk for s in signatures}) < len(signatures):
            raise ValidationError({"signatories": "An organisation is listed twice (column signatories)."})
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def save_instance(self, instance, is_create, row, **kwargs):
        """An import that changes an ask's status writes its Update like any other change."""
        old_status = None if is_create else Ask.all_objects.values_list("status", flat=True).get(pk=instance.pk)
        if old_status is None or old_status == instance.status:
            super().save_instance(instance, is_create, row, **kwargs)
        else:
            new_status, instance.status = instance.status, old_status
            super().save_instance(instance, is_create, row, **kwargs)
            # Inside the import's transaction: a preview (dry run) rolls this back too.
            ask_change_status(ask=instance, new_status=new_status, author=None, note="Status changed by import.")
        if not is_create:
            ask_timeline_follow(ask=instance)  # the row may move the ask to another campaign
        public_changed(campaign_id=instance.campaign_id)
        if hasattr(instance, "imported_signatures"):
            entries = [(s.organisation, s.role, s.signed_on, s.public) for s in instance.imported_signatures]
            signatures_replace(ask=instance, entries=entries, actor=None)


class EvidenceResource(NeutralisedResource):
    campaign = fields.Field("campaign", "campaign", LookupWidget(Campaign, "slug", column="campaign"))
    asks = fields.Field("asks", "asks", widgets.ManyToManyWidget(Ask, field="id", separator=","))
    published_on = _date("published_on")
    # For reading only: the import sets the canonical form from "reference".
    reference_canonical = fields.Field("reference_canonical", "reference_canonical", readonly=True)
    reference_link = fields.Field(column_name="reference_link", readonly=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "campaign",
            "asks",
            "kind",
            "title",
            "reference",
            "reference_canonical",
            "reference_link",
            "url",
            "published_on",
            "summary",
            "assessment",
            "sensitivity",
        ]
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self):
        return Evidence.objects.all()

    def after_save_instance(self, instance, row, **kwargs):
        public_changed(campaign_id=instance.campaign_id)

    def before_save_instance(self, instance, row, **kwargs):
        instance.read_reference()

    def dehydrate_reference_link(self, evidence) -> str:
        return evidence_reference_url(evidence)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        guard_evidence_text(instance, author=None, override=False)
        super().validate_instance(instance, import_validation_errors, validate_unique)
