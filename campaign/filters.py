"""The ask list's filters. The page and the CSV export both use ``AskFilter`` with
the same GET parameters, so an export holds exactly the rows on screen."""

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.functional import cached_property

from campaign.models import Ask, AskStatus, Signature, Target
from campaign.selectors import campaign_scope, signatory_options, visible_evidence_reference_match
from campaign.widgets import DateInput

PRIORITY_RANK = Case(
    When(priority=Ask.Priority.HIGH, then=Value(0)),
    When(priority=Ask.Priority.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

# Asks without a deadline go last either way, on SQLite and PostgreSQL alike.
SORTS = {
    "deadline": (F("deadline").asc(nulls_last=True), "id"),
    "-deadline": (F("deadline").desc(nulls_last=True), "-id"),
    "priority": ("priority_rank", F("deadline").asc(nulls_last=True), "id"),
    "-last_activity": ("-last_activity_at", "-id"),
    "last_activity": ("last_activity_at", "id"),
}
SORT_CHOICES = [
    ("deadline", "Deadline, soonest first"),
    ("-deadline", "Deadline, latest first"),
    ("priority", "Priority, highest first"),
    ("-last_activity", "Last activity, newest first"),
    ("last_activity", "Last activity, oldest first"),
]


class AskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text")
    # Their choices, set in ``form``, are the campaigns in the user's scope and
    # the targets of their asks: what the selects offer is what validates.
    campaign = django_filters.ChoiceFilter(empty_label="All campaigns")
    target = django_filters.ChoiceFilter(empty_label="All targets")
    signatory = django_filters.ChoiceFilter(label="Signed by", empty_label="Any signatory", method="filter_signatory")
    status = django_filters.ChoiceFilter(choices=AskStatus.choices, empty_label="Any status")
    priority = django_filters.ChoiceFilter(choices=Ask.Priority.choices, empty_label="Any priority")
    open = django_filters.BooleanFilter(label="Only open asks", method="filter_open", widget=forms.CheckboxInput)
    mine = django_filters.BooleanFilter(label="Only asks I own", method="filter_mine", widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label="Only overdue", method="filter_overdue", widget=forms.CheckboxInput)
    deadline_from = django_filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label="Deadline from", widget=DateInput
    )
    deadline_to = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lte", label="Deadline to", widget=DateInput
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    class Meta:
        model = Ask
        fields: list[str] = []

    def __init__(self, data=None, *args, request=None, scope=None, **kwargs):
        """``scope``, the page's ``selectors.campaign_scope``, when it has one."""
        super().__init__(data, *args, request=request, **kwargs)
        self.scope = scope if scope is not None else campaign_scope(request.user)

    @cached_property
    def campaign_options(self) -> list[tuple[int, str]]:
        """The campaign select's (id, title) pairs: the campaigns the user sees."""
        return [(campaign.id, campaign.title) for campaign in self.scope.campaigns]

    @cached_property
    def target_options(self) -> list[tuple[int, str]]:
        """The targets of any ask of those campaigns (deleted asks too, as a join
        would): a semi-join reads each target once, from ``ask_campaign_target``
        alone, instead of DISTINCT over all asks."""
        asks = Ask.all_objects.filter(campaign_id__in=self.scope.ids)
        return list(Target.objects.filter(pk__in=asks.values("target_id")).values_list("id", "name"))

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            # Read once, when the form validates or the selects render.
            form.fields["campaign"].choices = lambda: self.campaign_options
            form.fields["target"].choices = lambda: self.target_options
            form.fields["signatory"].choices = lambda: signatory_options(self.scope)
        return self._form

    @property
    def qs(self):
        if not hasattr(self, "_sorted_qs"):
            queryset = super().qs
            # Sorting applies even when the "sort" parameter is absent or invalid.
            if not getattr(self.form, "cleaned_data", {}).get("sort"):
                queryset = self.filter_sort(queryset, "sort", "deadline")
            self._sorted_qs = queryset
        return self._sorted_qs

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The evidence search reads only the chosen campaign's evidence, else
        # that of all the campaigns in scope.
        chosen = self.form.cleaned_data.get("campaign")
        return queryset.filter(
            Q(title__icontains=value)
            | Q(wording__icontains=value)
            | visible_evidence_reference_match(self.scope, value, campaign_id=int(chosen) if chosen else None)
        )

    def filter_signatory(self, queryset, name, value):
        # Through the signatures, so an ask is listed once.
        return queryset.filter(pk__in=Signature.objects.filter(organisation_id=value).values("ask_id"))

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    def filter_sort(self, queryset, name, value):
        ordering = SORTS.get(value, SORTS["deadline"])
        if "priority_rank" in ordering:
            queryset = queryset.annotate(priority_rank=PRIORITY_RANK)
        return queryset.order_by(*ordering)
