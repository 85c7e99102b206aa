"""The public selectors (issue 20): the ONLY way the public pages, the Atom
feed, the widget, the sitemap and the sharing metadata read data.

Every rule of what is public is written here once:

- a campaign is public when a lead published it; nothing of an unpublished one is;
- an ask is public when it is alive, published, and of a published campaign;
- an update is public when it was published, and its ask is public;
- evidence is public when its sensitivity is public, it is alive, and it is
  linked to a public ask of the same campaign;
- an ask's public status is the status of its latest published update ("open"
  until one is published), never its internal status.

What leaves this module are small frozen dataclasses holding public fields
only, never model instances: a template cannot reach an owner, an internal
note or a confidential item through a relation, because there is none.
"""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.urls import reverse

from campaign.models import STATUS_LABELS, Ask, AskStatus, Campaign, Evidence, Target, Update
from campaign.un_links import reference_url

# The order and names of the progress bar's segments; withdrawn asks are left out.
PROGRESS_STATUSES = [
    (AskStatus.MET, "met"),
    (AskStatus.PARTIALLY_MET, "partially met"),
    (AskStatus.IN_PROGRESS, "in progress"),
    (AskStatus.OPEN, "open"),
    (AskStatus.NOT_MET, "not met"),
]
# What a published ask shows until a lead publishes an update about it.
INITIAL_PUBLIC_STATUS = AskStatus.OPEN
TARGET_KIND_LABELS = dict(Target.Kind.choices)
EVIDENCE_KIND_LABELS = dict(Evidence.Kind.choices)


@dataclass(frozen=True)
class PublicCampaign:
    slug: str
    title: str
    summary: str
    allow_indexing: bool
    published_at: datetime.datetime | None
    # For cache keys and queries; not for templates (tests/campaign/test_public_templates.py).
    version: int = field(repr=False)
    campaign_id: int = field(repr=False)

    @property
    def url(self) -> str:
        return reverse("public_campaign", args=[self.slug])

    @property
    def feed_url(self) -> str:
        return reverse("public_feed", args=[self.slug])

    @property
    def embed_url(self) -> str:
        return reverse("public_embed", args=[self.slug])


@dataclass(frozen=True)
class PublicAsk:
    public_id: str
    campaign_slug: str
    wording: str
    target_name: str
    target_kind: str
    source_title: str
    source_url: str
    source_date: datetime.date | None
    published_at: datetime.datetime | None
    deadline: datetime.date | None
    status: str
    weight: int
    ask_id: int = field(repr=False)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def url(self) -> str:
        return reverse("public_ask", args=[self.campaign_slug, self.public_id])

    @property
    def suggest_url(self) -> str:
        return reverse("public_suggest", args=[self.campaign_slug, self.public_id])


@dataclass(frozen=True)
class PublicUpdate:
    ask_public_id: str
    ask_wording: str
    status: str
    note: str
    published_at: datetime.datetime
    ask_url: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def anchor(self) -> str:
        # From the time, not the row id: ids would show how many internal updates exist.
        return f"update-{self.published_at:%Y%m%d%H%M%S%f}"


@dataclass(frozen=True)
class PublicEvidence:
    title: str
    kind: str
    reference: str
    url: str
    published_on: datetime.date | None
    reference_url: str = ""  # the UN document or communication it names, from its canonical form


@dataclass(frozen=True)
class ProgressSegment:
    status: str
    label: str
    count: int
    weight: int
    share: float  # of the total weight, 0–100
    offset: float


@dataclass(frozen=True)
class Progress:
    segments: tuple[ProgressSegment, ...]
    total_weight: int
    ask_count: int


# --- Campaigns -------------------------------------------------------------------

_CAMPAIGN_FIELDS = ("pk", "slug", "public_title", "public_summary", "allow_indexing", "published_at", "public_version")


def _public_campaign(row: dict) -> PublicCampaign:
    return PublicCampaign(
        slug=row["slug"],
        title=row["public_title"],
        summary=row["public_summary"],
        allow_indexing=row["allow_indexing"],
        published_at=row["published_at"],
        version=row["public_version"],
        campaign_id=row["pk"],
    )


def published_campaign(slug: str) -> PublicCampaign:
    """The published campaign, in one query; 404 for anything else."""
    row = Campaign.objects.filter(slug=slug, published=True).values(*_CAMPAIGN_FIELDS).first()
    if row is None:
        raise Http404("No such public campaign.")
    return _public_campaign(row)


def indexable_campaigns() -> list[PublicCampaign]:
    """Published campaigns whose lead let search engines index them (the sitemap)."""
    rows = Campaign.objects.filter(published=True, allow_indexing=True).order_by("slug").values(*_CAMPAIGN_FIELDS)
    return [_public_campaign(row) for row in rows]


# --- Asks ------------------------------------------------------------------------


def _public_updates():
    """Published timeline entries of public asks (the campaign is checked by the callers)."""
    return Update.objects.filter(published=True, ask__published=True, ask__deleted_at__isnull=True)


def _public_asks(campaign: PublicCampaign):
    latest_status = (
        Update.objects.filter(ask_id=OuterRef("pk"), published=True)
        .order_by("-published_at", "-id")
        .values("public_status")[:1]
    )
    return (
        Ask.objects.filter(campaign_id=campaign.campaign_id, campaign__published=True, published=True)
        .annotate(latest_public_status=Subquery(latest_status))
        .values(
            "pk",
            "public_id",
            "public_wording",
            "public_source_title",
            "public_source_url",
            "public_source_date",
            "public_weight",
            "published_at",
            "deadline",
            "latest_public_status",
            "target__name",
            "target__kind",
        )
    )


def _public_ask(campaign: PublicCampaign, row: dict) -> PublicAsk:
    return PublicAsk(
        public_id=row["public_id"],
        campaign_slug=campaign.slug,
        wording=row["public_wording"],
        target_name=row["target__name"],
        target_kind=TARGET_KIND_LABELS.get(row["target__kind"], ""),
        source_title=row["public_source_title"],
        source_url=row["public_source_url"],
        source_date=row["public_source_date"],
        published_at=row["published_at"],
        deadline=row["deadline"],
        status=row["latest_public_status"] or INITIAL_PUBLIC_STATUS,
        weight=row["public_weight"],
        ask_id=row["pk"],
    )


def campaign_asks(campaign: PublicCampaign) -> list[PublicAsk]:
    """The campaign's public asks, by target, then by when they were published."""
    rows = _public_asks(campaign).order_by("target__name", "published_at", "pk")
    return [_public_ask(campaign, row) for row in rows]


def public_ask(campaign: PublicCampaign, public_id: str) -> PublicAsk:
    """One public ask of the campaign; 404 for an unpublished, deleted or another campaign's ask."""
    row = _public_asks(campaign).filter(public_id=public_id).first()
    if row is None:
        raise Http404("No such public ask.")
    return _public_ask(campaign, row)


def asks_by_target(asks: list[PublicAsk]) -> list[tuple[str, str, list[PublicAsk]]]:
    """(target name, target kind, asks) in the order ``campaign_asks`` gives."""
    return [
        (name, group[0].target_kind, group)
        for name, rows in groupby(asks, key=lambda ask: ask.target_name)
        for group in [list(rows)]
    ]


def progress(asks: list[PublicAsk]) -> Progress:
    """The public statuses rolled up by weight, as Decidim rolls up results;
    withdrawn asks are left out."""
    counted = [ask for ask in asks if ask.status != AskStatus.WITHDRAWN]
    total = sum(ask.weight for ask in counted)
    segments, offset = [], 0.0
    for status, label in PROGRESS_STATUSES:
        members = [ask for ask in counted if ask.status == status]
        weight = sum(ask.weight for ask in members)
        share = 100.0 * weight / total if total else 0.0
        segments.append(ProgressSegment(status, label, len(members), weight, share, offset))
        offset += share
    return Progress(segments=tuple(segments), total_weight=total, ask_count=len(counted))


# --- Updates and evidence ------------------------------------------------------------


def _public_update(campaign: PublicCampaign, row: dict) -> PublicUpdate:
    return PublicUpdate(
        ask_public_id=row["ask__public_id"],
        ask_wording=row["ask__public_wording"],
        status=row["public_status"],
        note=row["public_note"],
        published_at=row["published_at"],
        ask_url=reverse("public_ask", args=[campaign.slug, row["ask__public_id"]]),
    )


_UPDATE_FIELDS = ("ask__public_id", "ask__public_wording", "public_status", "public_note", "published_at")


def ask_updates(campaign: PublicCampaign, ask: PublicAsk) -> list[PublicUpdate]:
    """The ask's public timeline, newest first."""
    rows = (
        _public_updates()
        .filter(ask_id=ask.ask_id, ask__campaign_id=campaign.campaign_id, ask__campaign__published=True)
        .order_by("-published_at", "-id")
        .values(*_UPDATE_FIELDS)
    )
    return [_public_update(campaign, row) for row in rows]


def campaign_updates(campaign: PublicCampaign, *, limit: int = 50) -> list[PublicUpdate]:
    """The campaign's latest public updates, newest first (the Atom feed)."""
    rows = (
        _public_updates()
        .filter(ask__campaign_id=campaign.campaign_id, ask__campaign__published=True)
        .order_by("-published_at", "-id")
        .values(*_UPDATE_FIELDS)[:limit]
    )
    return [_public_update(campaign, row) for row in rows]


def ask_evidence(campaign: PublicCampaign, ask: PublicAsk) -> list[PublicEvidence]:
    """Public evidence linked to the ask; internal and confidential items never."""
    rows = (
        Evidence.objects.filter(
            asks__pk=ask.ask_id,
            campaign_id=campaign.campaign_id,
            campaign__published=True,
            sensitivity=Evidence.Sensitivity.PUBLIC,
        )
        .order_by("-published_on", "-added_at", "-pk")
        .values("title", "kind", "reference", "url", "published_on", "reference_kind", "reference_canonical")
    )
    return [
        PublicEvidence(
            title=row["title"],
            kind=EVIDENCE_KIND_LABELS.get(row["kind"], ""),
            reference=row["reference"],
            url=row["url"],
            published_on=row["published_on"],
            reference_url=reference_url(row["reference_kind"], row["reference_canonical"]),
        )
        for row in rows
    ]


# --- Slots for issues 18 and 19 -------------------------------------------------------


def ask_outcome(campaign: PublicCampaign, ask: PublicAsk):
    """The ask's public outcome and the evidence it cites (issue 19), read here
    and only here. None until outcomes exist: the page then shows nothing."""
    return None


def ask_signatories(campaign: PublicCampaign, ask: PublicAsk) -> list[str]:
    """The names of signatories who agreed to be named (issue 19), read here and only here."""
    return []


# --- Sitemap ---------------------------------------------------------------------------


def sitemap_entries() -> list[tuple[str, datetime.datetime | None]]:
    """(path, last change) of every indexable public page: the campaigns whose
    lead allowed indexing, and their public asks."""
    entries = []
    for campaign in indexable_campaigns():
        entries.append((campaign.url, campaign.published_at))
        entries.extend((ask.url, ask.published_at) for ask in campaign_asks(campaign))
    return entries
