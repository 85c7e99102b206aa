"""The reads the pages share, and the one access check per object kind.

``get_campaign_for`` and ``get_ask_for`` are what every view (and the export and
download) call: a 404 when the user may not see the object at all, so a
non-member learns nothing; a 403 when they may see it but their role is too low.
"""

import datetime
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import Http404
from django.urls import reverse

from campaign import un_symbols
from campaign.history import ask_history_entries
from campaign.models import (
    CLOSED_STATUSES,
    NEED_RANK,
    OPEN_STATUSES,
    ROLE_RANK,
    Ask,
    AskStatus,
    Campaign,
    Evidence,
    Membership,
    Organisation,
    Outcome,
    Person,
    Role,
    Signature,
    Suggestion,
    TargetResponse,
    UNMeeting,
    Update,
    in_users_campaigns,
)
from campaign.people import Surface, person_display_name

ASK_LIST_RELATED = ("campaign", "target", "owner")
# The columns the ask lists show (ask_rows.py): reading the wording and the
# rest of four joined rows for 50 asks doubled the cost of the list query.
ASK_ROW_FIELDS = (
    "campaign_id",
    "target_id",
    "owner_id",
    "title",
    "status",
    "priority",
    "deadline",
    "deadline_provisional",
    "campaign__title",
    "target__name",
)
ASK_LIST_FIELDS = (*ASK_ROW_FIELDS, "owner__full_name", "owner__email")

# The order and names of the dashboard's progress bar segments.
PROGRESS_SEGMENTS = [
    (AskStatus.MET, "met"),
    (AskStatus.PARTIALLY_MET, "partially met"),
    (AskStatus.IN_PROGRESS, "in progress"),
    (AskStatus.OPEN, "open"),
    (AskStatus.NOT_MET, "not met"),
]


def _first_with_role(queryset, user, campaign_column: str):
    """The queryset's first row and the user's role in that row's campaign
    ("lead" for superusers; None for a non-member, an inactive or anonymous
    user: the same rule as the models' ``visible_to``), read in one query: the
    role rides on the row as a subquery over the (user, campaign) membership."""
    if not user.is_authenticated or not user.is_active:
        return queryset.first(), None
    if user.is_superuser:
        return queryset.first(), "lead"
    # At most one row (unique per user and campaign); no ordering, so no join
    # to campaigns for Membership's default order by campaign title.
    roles = Membership.objects.filter(user=user, campaign_id=OuterRef(campaign_column)).order_by().values("role")
    row = queryset.annotate(member_role=Subquery(roles[:1])).first()
    return row, row.member_role if row is not None else None


def role_grants(role: str | None, need: str) -> bool:
    return role is not None and ROLE_RANK[role] >= NEED_RANK[need]


def _require(role: str | None, need: str):
    if role is None:
        raise Http404
    if not role_grants(role, need):
        raise PermissionDenied(f"Your role in this campaign does not allow this ({need} access needed).")


def get_campaign_for(user, slug: str, need: str = "view") -> Campaign:
    """The campaign, with ``user_role`` set; 404 for non-members, 403 for a too-low role."""
    # The role is the visibility check (no role, 404): one membership lookup,
    # with the campaign, instead of a membership subquery and the same lookup again.
    campaign, role = _first_with_role(Campaign.objects.filter(slug=slug), user, "pk")
    _require(role, need)
    campaign.user_role = role
    return campaign


def get_ask_for(user, pk: int, need: str = "view") -> Ask:
    """The ask, with ``user_role`` set; 404 when not visible, 403 when visible but
    the role is insufficient."""
    # The meeting an anchored deadline follows, for the ask page: in the same query.
    asks = Ask.objects.select_related(*ASK_LIST_RELATED, "deadline_meeting")
    ask, role = _first_with_role(asks.filter(pk=pk), user, "campaign_id")
    _require(role, need)  # as in get_campaign_for: no role, no ask (404)
    ask.user_role = role
    return ask


def get_suggestion_for(user, pk: int, need: str = "lead") -> Suggestion:
    """A suggestion from the public, by the rule of its campaign: 404 for a
    non-member, 403 for a role below ``need`` (only leads moderate)."""
    suggestions = Suggestion.objects.select_related("campaign", "ask")
    suggestion, role = _first_with_role(suggestions.filter(pk=pk), user, "campaign_id")
    _require(role if suggestion is not None else None, need)
    return suggestion


class ScopedCampaign(NamedTuple):
    """What the list pages show of a campaign in a user's scope."""

    id: int
    title: str
    slug: str
    status: str

    @property
    def pk(self) -> int:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("campaign_detail", args=[self.slug])


@dataclass(frozen=True)
class CampaignScope:
    """The campaigns a user sees and those they may edit, read once per request.

    The list pages filter by these as literal ids: ``campaign_id IN (1, 2, 3)``
    instead of a membership subquery in every query. PostgreSQL then plans each
    query faster and picks far better plans. The rows are exactly those of
    ``Ask.objects.visible_to(user)``: the ids come from ``Campaign.objects.visible_to``
    and ``editable_campaigns``. ``campaigns``, by title, name them for the
    ask list's campaign filter and the dashboard's progress bars."""

    ids: tuple[int, ...]
    editable_ids: frozenset[int]
    campaigns: tuple[ScopedCampaign, ...] = ()

    def asks(self):
        """``Ask.objects.visible_to(user)``, as literal campaign ids."""
        return Ask.objects.filter(campaign_id__in=self.ids)

    def evidence(self):
        """``Evidence.objects.visible_to(user)``, as literal campaign ids."""
        return Evidence.objects.in_campaigns(self.ids, editable=sorted(self.editable_ids))


def campaign_scope(user) -> CampaignScope:
    """One query: the user's campaigns, with their role in each."""
    if not user.is_authenticated or not user.is_active:
        return CampaignScope(ids=(), editable_ids=frozenset())
    if user.is_superuser:
        campaigns = [ScopedCampaign(*row) for row in Campaign.objects.values_list(*ScopedCampaign._fields)]
        editable = [campaign.id for campaign in campaigns]
    else:
        columns = ["campaign_id", *(f"campaign__{name}" for name in ScopedCampaign._fields[1:])]
        rows = list(Membership.objects.filter(user=user).order_by("campaign_id").values_list("role", *columns))
        campaigns = [ScopedCampaign(*row[1:]) for row in rows]
        editable = [campaign_id for role, campaign_id, *_ in rows if role_grants(role, "edit")]
    return CampaignScope(
        ids=tuple(sorted(campaign.id for campaign in campaigns)),
        editable_ids=frozenset(editable),
        campaigns=tuple(sorted(campaigns, key=lambda campaign: (campaign.title.casefold(), campaign.id))),
    )


def asks_for_list(user, scope: CampaignScope | None = None):
    """The asks the user sees, with what a row of the ask list shows."""
    asks = scope.asks() if scope is not None else Ask.objects.visible_to(user)
    return asks.select_related(*ASK_LIST_RELATED).only(*ASK_LIST_FIELDS)


def _asks_for_panel(scope: CampaignScope):
    """As ``asks_for_list``, for the dashboard panels, which show no owner."""
    return scope.asks().select_related("campaign", "target").only(*ASK_ROW_FIELDS)


def ask_timeline(ask: Ask) -> list:
    """The ask's Updates merged with its field-level audit history, newest first."""
    # With each status change's outcome, if it judged the ask, in the same query.
    updates = ask.updates.select_related("author", "outcome", "outcome__evidence")
    entries = [*updates, *ask_history_entries(ask)]
    return sorted(entries, key=attrgetter("created_at"), reverse=True)


def standing_outcome(ask: Ask) -> Outcome | None:
    """The outcome the ask's status rests on now; None for an open ask."""
    return ask.outcomes.filter(reopened_at__isnull=True).select_related("evidence").first()


def ask_evidence_for(user, ask: Ask) -> list[Evidence]:
    """The evidence on an ask the user may see. For an ask from ``get_ask_for``
    the role it carries decides on confidential items (and only evidence of the
    ask's own campaign is listed); otherwise ``Evidence.objects.visible_to``."""
    if hasattr(ask, "user_role"):
        evidence = _evidence_with_role(ask.campaign_id, ask.user_role)
    else:
        evidence = Evidence.objects.visible_to(user)
    return list(evidence.filter(asks=ask).select_related("added_by"))


def _evidence_with_role(campaign_id: int, role: str | None):
    """A campaign's evidence that someone with ``role`` in it may see: the rule
    of ``Evidence.objects.visible_to`` when the role is already known."""
    if role is None:
        return Evidence.objects.none()
    return Evidence.objects.in_campaigns([campaign_id], editable=[campaign_id] if role_grants(role, "edit") else [])


def campaign_evidence_for(campaign: Campaign):
    """``Evidence.objects.visible_to(user).filter(campaign=campaign)`` for a
    campaign from ``get_campaign_for`` (its ``user_role`` already read): the role
    decides on confidential items without the two membership subqueries."""
    return _evidence_with_role(campaign.pk, campaign.user_role)


def recent_evidence_for(user, campaign: Campaign, limit: int = 10) -> list[Evidence]:
    visible = campaign_evidence_for(campaign) if hasattr(campaign, "user_role") else Evidence.objects.visible_to(user)
    return list(visible.filter(campaign=campaign).select_related("added_by").order_by("-added_at")[:limit])


CAMPAIGN_PAGE_ASKS = 50


def campaign_asks_by_target(campaign: Campaign, limit: int = CAMPAIGN_PAGE_ASKS) -> tuple[list[tuple], "AskTally"]:
    """The campaign's most pressing asks, open ones first by deadline, grouped
    [(target, [asks...]), ...] in target name order, and the campaign's tally. At most ``limit`` rows: a campaign of years has hundreds of asks, and the
    full, filterable list is /asks/?campaign=<id>. Two queries."""
    asks = list(
        campaign.asks.select_related("target", "owner")
        .only(
            "campaign_id",
            "title",
            "status",
            "deadline",
            "deadline_provisional",
            "target_id",
            "owner_id",
            "target__name",
            "target__kind",
            "owner__full_name",
            "owner__email",
        )
        .annotate(is_closed_rank=Q(status__in=CLOSED_STATUSES))
        .order_by("is_closed_rank", F("deadline").asc(nulls_last=True), "id")[:limit]
    )
    groups: dict = {}
    for ask in sorted(asks, key=lambda ask: ask.target.name):
        groups.setdefault(ask.target, []).append(ask)
    return list(groups.items()), ask_tallies([campaign.pk])[campaign.pk]


def campaign_members(campaign: Campaign) -> list[Membership]:
    return list(campaign.memberships.select_related("user").order_by("role", "user__full_name", "user__email"))


# The dashboard's panels show the first few of each list and link to the rest.
DASHBOARD_PANEL_ROWS = 8


def my_open_asks(user, scope: CampaignScope, limit: int = DASHBOARD_PANEL_ROWS):
    return list(_asks_for_panel(scope).open().filter(owner=user).order_by("deadline", "id")[:limit])


def overdue_asks(scope: CampaignScope, today: datetime.date, limit: int = DASHBOARD_PANEL_ROWS):
    return list(_asks_for_panel(scope).overdue(today).order_by("deadline", "id")[:limit])


def asks_due_within(scope: CampaignScope, *, days: int, today: datetime.date, limit: int = DASHBOARD_PANEL_ROWS):
    return list(_asks_for_panel(scope).due_within(days, today).order_by("deadline", "id")[:limit])


def latest_updates(scope: CampaignScope, limit: int = 10) -> list[Update]:
    """The newest timeline entries of the scope's campaigns. Two queries: which
    entries (``_newest_update_ids``), then those entries with what the panel shows."""
    ids = _newest_update_ids(scope, limit)
    return list(
        Update.objects.filter(pk__in=ids)
        .select_related("ask", "ask__campaign", "author")
        .only(
            "ask_id",
            "author_id",
            "created_at",
            "note",
            "old_status",
            "new_status",
            "ask__title",
            "ask__campaign__title",
            "author__full_name",
            "author__email",
        )
        .order_by("-created_at", "-id")
    )


# Up to this many campaigns, the dashboard reads each one's newest entries on
# its own (one cheap index read per campaign); beyond, see below.
NEWEST_PER_CAMPAIGN_MAX = 12


def _newest_update_ids(scope: CampaignScope, limit: int) -> list[int]:
    """The ids of the scope's ``limit`` newest entries (of live asks).

    Asked for in one go, PostgreSQL walks the whole timeline index backwards
    until enough entries of the user's campaigns turn up: quick usually, but
    very slow for a member of one campaign that has gone quiet while the others
    stayed busy, and slower as the timeline grows. So each
    campaign's newest ``limit`` come through ``update_campaign_created`` (one
    campaign: a plain query; a few: UNION ALL, which PostgreSQL merges), as many
    index rows as the user has campaigns times ``limit`` however long the
    timeline. A scope of many campaigns (administrators see them all) covers
    most of the activity, so the walk ends soon and the single query is cheaper
    than dozens of parts. SQLite cannot limit the parts of a UNION; it serves
    small installations with the single query."""
    if not scope.ids:
        return []
    live = Update.objects.filter(ask__deleted_at__isnull=True).order_by("-created_at", "-id")
    few = 1 < len(scope.ids) <= NEWEST_PER_CAMPAIGN_MAX
    if not (few and connection.features.supports_slicing_ordering_in_compound):
        return list(live.filter(campaign_id__in=scope.ids).values_list("pk", flat=True)[:limit])
    parts = [live.filter(campaign_id=pk).values_list("pk", "created_at")[:limit] for pk in scope.ids]
    newest = parts[0].union(*parts[1:], all=True).order_by("-created_at", "-pk")[:limit]
    return [pk for pk, _ in newest]


@dataclass(frozen=True)
class AskTally:
    """How many asks a campaign has, counted the one way the dashboard, the
    campaign page, the digests and the weekly summaries all show.

    A draft has not been made of anyone yet: it is counted apart (``drafts``),
    never in ``total`` or as open. A withdrawn ask counts, as closed."""

    by_status: dict[str, int]

    @property
    def drafts(self) -> int:
        return self.by_status.get(AskStatus.DRAFT, 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values()) - self.drafts

    @property
    def open(self) -> int:
        return sum(self.by_status.get(status, 0) for status in OPEN_STATUSES) - self.drafts

    @property
    def closed(self) -> int:
        return sum(self.by_status.get(status, 0) for status in CLOSED_STATUSES)

    def of(self, status: str) -> int:
        return self.by_status.get(status, 0)


def ask_tally(statuses) -> AskTally:
    """The tally of asks with these statuses (one per ask)."""
    by_status: dict[str, int] = {}
    for status in statuses:
        by_status[status] = by_status.get(status, 0) + 1
    return AskTally(by_status)


def ask_tallies(campaign_ids) -> dict[int, AskTally]:
    """Each campaign's tally of its live asks, in one grouped query."""
    rows = (
        Ask.objects.filter(campaign_id__in=list(campaign_ids))
        .values_list("campaign_id", "status")
        .annotate(n=Count("campaign"))
        .order_by()
    )
    by_campaign: dict[int, dict[str, int]] = {pk: {} for pk in campaign_ids}
    for campaign_id, status, number in rows:
        by_campaign[campaign_id][status] = number
    return {pk: AskTally(by_status) for pk, by_status in by_campaign.items()}


@dataclass(frozen=True)
class AskCounts:
    """The dashboard's figures, from one grouped query over the user's asks:
    per campaign the asks in each status (for the progress bars), and in all
    the open asks that are overdue, due within ``due_soon_days`` or the user's."""

    by_campaign: dict[int, dict[str, int]]
    overdue: int
    due_soon: int
    mine: int


def ask_counts(user, scope: CampaignScope, *, today: datetime.date, due_soon_days: int) -> AskCounts:
    rows = (
        scope.asks()
        .values("campaign_id", "status")
        # Counting campaign_id (never null), not id, keeps every column the query
        # reads in ask_live_campaign_status: PostgreSQL answers from the index
        # alone without visiting the table.
        .annotate(
            n=Count("campaign"),
            overdue=Count("campaign", filter=Q(deadline__lt=today)),
            due_soon=Count(
                "campaign", filter=Q(deadline__range=(today, today + datetime.timedelta(days=due_soon_days)))
            ),
            mine=Count("campaign", filter=Q(owner=user)),
        )
        .order_by()
    )
    by_campaign: dict[int, dict[str, int]] = {}
    totals = {"overdue": 0, "due_soon": 0, "mine": 0}
    for row in rows:
        by_campaign.setdefault(row["campaign_id"], {})[row["status"]] = row["n"]
        if row["status"] in OPEN_STATUSES:
            for name in totals:
                totals[name] += row[name]
    return AskCounts(by_campaign=by_campaign, **totals)


def campaign_progress(scope: CampaignScope, counts: AskCounts) -> list[dict]:
    """Per visible campaign that is not closed, the share of its asks in each
    progress segment; a campaign with no asks gets an empty bar."""
    campaigns = [campaign for campaign in scope.campaigns if campaign.status != Campaign.Status.CLOSED]
    progress = []
    for campaign in campaigns:
        by_status = counts.by_campaign.get(campaign.pk, {})
        counted = sum(by_status.get(status, 0) for status, _ in PROGRESS_SEGMENTS)
        segments, offset = [], 0.0
        for status, label in PROGRESS_SEGMENTS:
            number = by_status.get(status, 0)
            share = 100.0 * number / counted if counted else 0.0
            segments.append({"status": status, "label": label, "count": number, "share": share, "offset": offset})
            offset += share
        tally = AskTally(by_status)
        progress.append({"campaign": campaign, "total": tally.total, "drafts": tally.drafts, "segments": segments})
    return progress


def visible_evidence_reference_match(scope: CampaignScope, text: str, *, campaign_id: int | None = None):
    """A Q over asks whose *visible* evidence (``scope.evidence()``) mentions
    ``text`` in its reference; confidential evidence never matches for someone
    who may not see it. A symbol matches as typed or in its canonical form
    (``campaign.un_symbols``), so ``cerd/c/chn/co/14–17`` finds
    ``CERD/C/CHN/CO/14-17`` and ``a / hrc / 51`` finds ``A/HRC/51/L.6``.

    The scope's literal campaign ids (or ``campaign_id``, the one the list is
    filtered to) let the database read only those campaigns' evidence through
    its campaign index: a reference search cannot use an index, and without
    the literal ids PostgreSQL scans every evidence row of every campaign,
    twice per page with the count. Built from the ids, not from
    ``Evidence.objects.visible_to``'s membership subqueries, the Q is also
    cheaper for Django to assemble."""
    parsed = un_symbols.parse(text)
    if parsed.is_recognised:  # a whole symbol: the (campaign, canonical) index finds it
        in_canonical = Q(reference_canonical=parsed.canonical)
    else:
        # Only invisible characters, squeezed away, must not match every item.
        key = un_symbols.search_key(text)
        in_canonical = Q(reference_canonical__icontains=key) if key else Q(pk__in=[])
    evidence = scope.evidence().filter(Q(reference__icontains=text) | in_canonical)
    if campaign_id is not None:
        evidence = evidence.filter(campaign_id=campaign_id)
    # Through the link table, so an ask with two matching items is listed once.
    return Q(pk__in=Evidence.asks.through.objects.filter(evidence_id__in=evidence.values("id")).values("ask_id"))


def evidence_citing_the_same(user, evidence: Evidence) -> list[Evidence]:
    """The campaign's other live evidence the user may see with the same
    canonical symbol or communication reference as ``evidence``."""
    if not evidence.reference_canonical:
        return []
    return list(
        Evidence.objects.visible_to(user)
        .filter(campaign_id=evidence.campaign_id, reference_canonical=evidence.reference_canonical)
        .exclude(pk=evidence.pk)
        .only("id", "title", "reference_canonical")
        .order_by("id")
    )


def un_meetings_upcoming_first(today: datetime.date) -> list[UNMeeting]:
    """Meetings still to close, soonest first, then past ones, latest first: the
    order the ask form offers them in."""
    meetings = list(UNMeeting.objects.order_by("starts_on", "body", "id"))
    upcoming = [meeting for meeting in meetings if meeting.ends_on >= today]
    past = [meeting for meeting in reversed(meetings) if meeting.ends_on < today]
    return upcoming + past


def editable_campaigns(user):
    return in_users_campaigns(Campaign.objects.all(), user, column="id", need="edit")


def get_evidence_for(user, pk: int, need: str = "view") -> Evidence:
    """The evidence item, with ``user_role`` set; 404 when the user may not see it
    (a non-member, or a viewer and a confidential item), 403 when the role is too low."""
    visible = Evidence.objects.visible_to(user).select_related("campaign").filter(pk=pk)
    evidence, role = _first_with_role(visible, user, "campaign_id")
    if evidence is None:
        raise Http404
    evidence.user_role = role
    _require(evidence.user_role, need)
    return evidence


# --- People at risk -----------------------------------------------------------------


def names_role(user, campaign_id: int, role: str | None) -> str | None:
    """The role that decides on real names: the user's own membership. A
    superuser browsing a campaign they are not a member of reads pseudonyms on
    the pages like anyone outside the team; they see names in the admin."""
    if role is None or not user.is_superuser:
        return role
    return Membership.objects.filter(user=user, campaign_id=campaign_id).values_list("role", flat=True).first()


class ShownPerson(NamedTuple):
    """A person as one surface shows them to one user."""

    person: Person
    shown_name: str

    @property
    def named(self) -> bool:
        return self.shown_name != self.person.pseudonym


def people_shown(people, *, role: str | None, surface: Surface) -> list[ShownPerson]:
    return [ShownPerson(p, person_display_name(p, role=role, surface=surface)) for p in people]


def ask_people(ask: Ask) -> list[Person]:
    return list(ask.people.order_by("pseudonym"))


def campaign_people(campaign: Campaign) -> list[Person]:
    return list(campaign.people.annotate(ask_count=Count("asks", filter=Q(asks__deleted_at__isnull=True))))


def get_person_for(user, pseudonym: str, need: str = "view") -> Person:
    """The person, with ``user_role`` set; 404 for non-members, 403 for a too-low role."""
    person, role = _first_with_role(
        Person.objects.select_related("campaign").filter(pseudonym=pseudonym), user, "campaign_id"
    )
    _require(role, need)
    person.user_role = role
    return person


# --- Outcomes ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeTally:
    """A campaign's standing outcomes by status and the target's response."""

    by_status_response: dict[tuple[str, str], int]

    def of(self, status: str, response: str | None = None) -> int:
        return sum(
            number
            for (each_status, each_response), number in self.by_status_response.items()
            if each_status == status and (response is None or each_response == response)
        )

    @property
    def met_with_support(self) -> int:
        return self.of(AskStatus.MET, TargetResponse.SUPPORTED)


def outcome_tally(campaign_ids) -> dict[int, OutcomeTally]:
    """Each campaign's standing outcomes of live asks, in one grouped query."""
    rows = (
        Outcome.objects.filter(ask__campaign_id__in=list(campaign_ids), ask__deleted_at__isnull=True)
        .filter(reopened_at__isnull=True)
        .values_list("ask__campaign_id", "status", "response")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_campaign: dict[int, dict] = {pk: {} for pk in campaign_ids}
    for campaign_id, status, response, number in rows:
        by_campaign[campaign_id][(status, response)] = number
    return {pk: OutcomeTally(counts) for pk, counts in by_campaign.items()}


# --- Organisations and signatories --------------------------------------------------


def leads_somewhere(user) -> bool:
    """Whether ``user`` keeps the shared list of organisations: a lead of any campaign, or a superuser."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.LEAD).exists()


def ask_signatures(ask: Ask) -> list[Signature]:
    return sorted(
        ask.signatures.select_related("organisation"),
        key=lambda s: (list(Signature.Role.values).index(s.role), s.organisation.name.casefold()),
    )


def organisation_signatures(organisation: Organisation, scope: CampaignScope) -> list[Signature]:
    """The organisation's signatures on the asks the user sees (live asks only)."""
    return list(
        Signature.objects.filter(organisation=organisation, ask__in=scope.asks())
        .select_related("ask", "ask__campaign", "ask__target")
        .order_by("-signed_on", "ask__title")
    )


def signatory_options(scope: CampaignScope) -> list[tuple[int, str]]:
    """The organisations that signed any ask the user sees: the ask list's filter."""
    signed = Signature.objects.filter(ask__campaign_id__in=scope.ids).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=signed).order_by("name").values_list("id", "name"))
