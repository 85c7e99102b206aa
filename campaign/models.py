"""The campaign domain: campaigns and their members, targets, asks, evidence and
the append-only timeline of updates; plus the records the jobs keep so that no
email is sent twice (reminders, digests, the outbound email queue).

Writes that carry rules live in ``campaign.services``; the reads that pages,
exports and emails share live in the query sets below.
"""

import datetime
import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaign import un_symbols


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    LEAD = "lead", "Lead"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.LEAD: 3}
# What each kind of access needs: reading, changing asks and evidence, running the campaign.
NEED_RANK = {"view": 1, "edit": 2, "lead": 3}


def user_campaign_ids(user, *, need: str = "view"):
    """A subquery of the ids of campaigns where ``user`` has at least ``need``."""
    roles = [role for role, rank in ROLE_RANK.items() if rank >= NEED_RANK[need]]
    return Membership.objects.filter(user=user, role__in=roles).values("campaign_id")


def in_users_campaigns(queryset, user, *, column: str = "campaign_id", need: str = "view"):
    """The rule every ``visible_to`` and ``editable_by`` shares: nothing for an
    anonymous or inactive user, everything for an active superuser, else the rows
    of the campaigns where the user has at least ``need``."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{column}__in": user_campaign_ids(user, need=need)})


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        return in_users_campaigns(self, user, column="id")


class Campaign(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(blank=True)
    country_or_region = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    started_on = models.DateField(default=datetime.date.today)
    ends_on = models.DateField(null=True, blank=True)
    stale_after_days = models.PositiveSmallIntegerField(
        default=30, help_text="An open ask with no update for this many days counts as stale."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="campaigns")

    # The public face (issue 20), set only through campaign.publishing; off by default.
    published = models.BooleanField(default=False, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    public_title = models.CharField(max_length=200, blank=True)
    public_summary = models.TextField(blank=True)
    allow_indexing = models.BooleanField("let search engines index", default=False)
    # Bumped by every write that can change what the public pages show: their
    # cache keys and ETags carry it, so a change is seen at once.
    public_version = models.PositiveIntegerField(default=1, editable=False)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("started_on")),
                name="campaign_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(stale_after_days__gte=1), name="campaign_stale_after_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaign_detail", args=[self.slug])

    def clean(self):
        if self.ends_on and self.started_on and self.ends_on < self.started_on:
            raise ValidationError({"ends_on": "The end date is before the start date."})


# What a lead edits on the campaign page; the slug stays, people bookmark /campaigns/<slug>/.
CAMPAIGN_EDITABLE_FIELDS = (
    "title",
    "summary",
    "country_or_region",
    "status",
    "started_on",
    "ends_on",
    "stale_after_days",
)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "campaign"], name="membership_unique_user_campaign")]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.campaign}"

    def grants(self, need: str) -> bool:
        return ROLE_RANK[self.role] >= NEED_RANK[need]


class Target(models.Model):
    class Kind(models.TextChoices):
        UN_OFFICIAL = "un_official", "UN official"
        UN_BODY = "un_body", "UN body"
        UN_MECHANISM = "un_mechanism", "UN mechanism"
        STATE = "state", "State"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class UNBody(models.TextChoices):
    HRC = "HRC", "Human Rights Council"
    UPR = "UPR", "Universal Periodic Review Working Group"
    CERD = "CERD", "Committee on the Elimination of Racial Discrimination"
    CESCR = "CESCR", "Committee on Economic, Social and Cultural Rights"
    CEDAW = "CEDAW", "Committee on the Elimination of Discrimination against Women"
    CAT = "CAT", "Committee against Torture"
    CRC = "CRC", "Committee on the Rights of the Child"
    CCPR = "CCPR", "Human Rights Committee"
    OTHER = "other", "Other"


class UNMeeting(models.Model):
    """A UN meeting deadlines can be anchored to: a Council or UPR session, a
    treaty body's session. Loaded from campaign/data/un_calendar.json by
    ``load_un_calendar`` and corrected in the admin; a change of its dates moves
    the open asks anchored to it (``services.un_meeting_follow``)."""

    body = models.CharField(max_length=10, choices=UNBody.choices)
    session = models.CharField(max_length=20, help_text="The session's number, as the UN writes it: 62, S-37.")
    starts_on = models.DateField("opens on")
    ends_on = models.DateField("closes on")
    confirmed = models.BooleanField(
        default=False, help_text="Untick while the dates are an estimate: deadlines on it show as provisional."
    )
    source_url = models.URLField("source URL", max_length=500, blank=True)
    note = models.TextField(blank=True)
    # The fixture's row as ``load_un_calendar`` last applied it: a new release
    # applies its rows again, an unchanged one leaves an admin's corrections alone.
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["loaded_values"])

    class Meta:
        verbose_name = "UN meeting"
        ordering = ["starts_on", "body", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "session"], name="unmeeting_unique_session"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="unmeeting_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """HRC62, UPR45; a treaty body's: CESCR 73."""
        if self.body in (UNBody.HRC, UNBody.UPR):
            return f"{self.body}{self.session}"
        return f"{self.get_body_display() if self.body == UNBody.OTHER else self.body} {self.session}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The meeting closes before it opens."})


class UNReview(models.Model):
    """A country reviewed at a meeting (a UPR review, a treaty body's dialogue)."""

    meeting = models.ForeignKey(UNMeeting, on_delete=models.CASCADE, related_name="reviews")
    country = models.CharField(max_length=7, help_text="ISO 3166 alpha-3, as UN symbols write it: CHN, CHN-HKG.")
    starts_on = models.DateField("review on")
    ends_on = models.DateField("review ends on", null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "country review"
        ordering = ["starts_on", "country"]
        constraints = [models.UniqueConstraint(fields=["meeting", "country"], name="unreview_unique_country")]

    def __str__(self):
        return f"{self.country} at {self.meeting}"


class DeadlineAnchor(models.TextChoices):
    OPENS = "opens", "opens"
    CLOSES = "closes", "closes"
    REVIEW = "review", "review"


# An ask's anchor to a UN meeting; services.ask_create and ask_update take them
# beside ASK_EDITABLE_FIELDS and derive the deadline and its reason from them.
ASK_ANCHOR_FIELDS = ("deadline_meeting", "deadline_anchor", "deadline_offset_days", "deadline_review_country")


class AskStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    PARTIALLY_MET = "partially_met", "Partially met"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    WITHDRAWN = "withdrawn", "Withdrawn"


CLOSED_STATUSES = frozenset({AskStatus.MET, AskStatus.NOT_MET, AskStatus.WITHDRAWN})
STATUS_LABELS = dict(AskStatus.choices)
OPEN_STATUSES = frozenset(set(AskStatus) - CLOSED_STATUSES)


# What people edit on an ask (its status has its own path: services.ask_change_status).
# The web form, the admin's import, the timeline's audit history and the services share it.
ASK_EDITABLE_FIELDS = (
    "campaign",
    "target",
    "title",
    "wording",
    "source_title",
    "source_url",
    "source_date",
    "priority",
    "owner",
    "deadline",
    "deadline_reason",
)


class AskQuerySet(models.QuerySet):
    def visible_to(self, user):
        return in_users_campaigns(self, user)

    def editable_by(self, user):
        return in_users_campaigns(self, user, need="edit")

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def due_within(self, days: int, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days))


class AliveAskManager(models.Manager.from_queryset(AskQuerySet)):
    """Hides soft-deleted asks everywhere, relations included; admins restore
    them through ``Ask.all_objects``."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Ask(models.Model):
    Status = AskStatus

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="asks")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="asks")
    title = models.CharField(max_length=200)
    wording = models.TextField(help_text="The demand as it was made, verbatim.")
    source_title = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AskStatus.choices, default=AskStatus.OPEN)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_asks"
    )
    deadline = models.DateField(null=True, blank=True)
    deadline_reason = models.CharField(max_length=300, blank=True)
    # A deadline anchored to a UN meeting: "10 days before HRC62 opens". The
    # date itself stays in ``deadline`` (every list, filter, reminder and index
    # reads it); services.un_meeting_follow moves it when the meeting's dates do.
    deadline_meeting = models.ForeignKey(
        "UNMeeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="anchored_asks"
    )
    deadline_anchor = models.CharField(max_length=10, choices=DeadlineAnchor.choices, blank=True)
    deadline_offset_days = models.SmallIntegerField(default=0, help_text="Negative: before; positive: after.")
    deadline_review_country = models.CharField(max_length=7, blank=True)
    # The meeting's dates are not confirmed yet; kept on the ask so that lists,
    # reminders, the calendar feed and digests show it without a join.
    deadline_provisional = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # Bumped by every edit; a form carries the version it was loaded with so that a
    # stale second save is refused instead of overwriting the first.
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The public face (issue 20), set only through campaign.publishing; off by default.
    published = models.BooleanField(default=False, editable=False)
    # Random, given on first publication and kept (links stay valid on republishing);
    # it says nothing about how many private asks exist.
    public_id = models.CharField(max_length=12, unique=True, null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    public_wording = models.TextField(blank=True, help_text="The demand as the public may read it.")
    public_source_title = models.CharField("where it was made public", max_length=300, blank=True)
    public_source_url = models.URLField("link to where it was made public", max_length=500, blank=True)
    public_source_date = models.DateField("when it was made public", null=True, blank=True)
    public_weight = models.PositiveSmallIntegerField(
        default=1, help_text="How much this ask counts in the campaign's public progress bar."
    )

    objects = AliveAskManager()
    all_objects = AskQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "last_activity_at", "version"])

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="ask_status_deadline"),
            # Live asks per campaign and status, with the columns the dashboard
            # counts by: its counts and the campaign page's read this index alone.
            models.Index(
                fields=["campaign", "status", "deadline", "owner"],
                condition=Q(deleted_at__isnull=True),
                name="ask_live_campaign_status",
            ),
            models.Index(fields=["owner", "status"], name="ask_owner_status"),
            models.Index(fields=["deadline"], name="ask_deadline"),
            models.Index(fields=["last_activity_at"], name="ask_last_activity"),
            models.Index(fields=["priority"], name="ask_priority"),
            # The ask list's target filter offers the targets of the user's
            # campaigns: read from this index alone, without visiting the table.
            models.Index(fields=["campaign", "target"], name="ask_campaign_target"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ask_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.validate_evidence_of_campaign()

    def validate_evidence_of_campaign(self) -> None:
        """Evidence supports only asks of its own campaign, so an ask that some
        of its campaign's evidence supports cannot move to another campaign: the
        evidence stays behind, its links would vanish from the ask's page (which
        lists its own campaign's evidence) and from the old campaign's export.
        Checked by every form that edits asks (pages, admin, import) through
        ``clean`` and by ``services.ask_update``."""
        if self.pk is None or self.campaign_id is None:
            return
        elsewhere = self.evidence.exclude(campaign_id=self.campaign_id).count()
        if elsewhere:
            items = "1 piece of evidence supports" if elsewhere == 1 else f"{elsewhere} pieces of evidence support"
            raise ValidationError(
                {
                    "campaign": f"{items} this ask in its current campaign, and evidence can support only asks "
                    "of its own campaign. Unlink it on its edit page first, then move the ask."
                }
            )

    # Django's own get_FOO_display builds a dict of the field's choices on each
    # call; the ask lists call these for every row.
    def get_status_display(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def get_priority_display(self) -> str:
        return PRIORITY_LABELS.get(self.priority, self.priority)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_open(self) -> bool:
        return not self.is_closed

    def days_left(self, today: datetime.date | None = None) -> int | None:
        """Days until the deadline; negative once it has passed; None without one."""
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        days = self.days_left(today)
        return self.is_open and days is not None and days < 0


PRIORITY_LABELS = dict(Ask.Priority.choices)


class Update(models.Model):
    """One entry of an ask's timeline. Append-only: never edited, never deleted; a
    published entry can only be withdrawn from the public pages (campaign.publishing)."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="updates")
    # The ask's campaign, kept on each entry (an ask that moves takes its entries
    # along: services.ask_timeline_follow) so the dashboard reads each campaign's
    # newest entries through update_campaign_created.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="updates"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField()
    old_status = models.CharField(max_length=20, choices=AskStatus.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=AskStatus.choices, blank=True)
    # Public only when a lead publishes it, with a note written for the public
    # (issue 20); the ask's public status is the public_status of its latest published update.
    published = models.BooleanField(default=False, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    public_note = models.TextField(blank=True, editable=False)
    public_status = models.CharField(max_length=20, choices=AskStatus.choices, blank=True, editable=False)
    # Written by services.un_meeting_follow: the owner's next digest tells them.
    is_deadline_move = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ask", "-created_at"], name="update_ask_created"),
            models.Index(fields=["created_at"], name="update_created"),
            models.Index(fields=["campaign", "-created_at", "-id"], name="update_campaign_created"),
            models.Index(
                fields=["campaign", "-published_at"], condition=Q(published=True), name="update_public_campaign"
            ),
        ]

    def __str__(self):
        return f"{self.ask}: {self.note[:60]}"

    @property
    def is_status_change(self) -> bool:
        return bool(self.new_status)


def evidence_upload_to(instance, filename: str) -> str:
    """A random name: the original goes back to the user only in the download's
    Content-Disposition. The extension is kept only to help an admin on disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{suffix}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public and internal evidence to every member; confidential only to the
        campaign's editors and leads. Superusers see all."""
        members = in_users_campaigns(self, user)
        if user.is_superuser or not user.is_authenticated or not user.is_active:
            return members  # everything, or nothing
        return members.confidential_only_in(user_campaign_ids(user, need="edit"))

    def in_campaigns(self, campaign_ids, *, editable):
        """``visible_to`` for a user already known to see ``campaign_ids`` and to
        edit ``editable`` (ids or a subquery): what the pages use once they have
        read the user's memberships."""
        return self.filter(campaign_id__in=campaign_ids).confidential_only_in(editable)

    def confidential_only_in(self, editable):
        """The confidential rule, written once: confidential items only in the
        campaigns of ``editable``, every other item wherever it is."""
        return self.filter(~Q(sensitivity=Evidence.Sensitivity.CONFIDENTIAL) | Q(campaign_id__in=editable))

    def not_confidential(self):
        return self.exclude(sensitivity=Evidence.Sensitivity.CONFIDENTIAL)


EVIDENCE_NEEDS_SOURCE = "Give at least one of a URL, a file or a document reference."


class AliveEvidenceManager(models.Manager.from_queryset(EvidenceQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class ReferenceKind(models.TextChoices):
    UN_SYMBOL = un_symbols.UN_SYMBOL, "UN document symbol"
    COMMUNICATION = un_symbols.COMMUNICATION, "Special Procedures communication"
    OTHER = un_symbols.OTHER, "Not a UN symbol"


class Evidence(models.Model):
    ReferenceKind = ReferenceKind

    class Kind(models.TextChoices):
        UN_DOCUMENT = "un_document", "UN document"
        STATEMENT = "statement", "Statement"
        MEDIA_REPORT = "media_report", "Media report"
        MEETING_NOTE = "meeting_note", "Meeting note"
        TESTIMONY = "testimony", "Testimony"
        DATASET = "dataset", "Dataset"
        OTHER = "other", "Other"

    class Assessment(models.TextChoices):
        SHOWS_PROGRESS = "shows_progress", "Shows progress"
        SHOWS_REGRESSION = "shows_regression", "Shows regression"
        CONTEXT = "context", "Context"

    class Sensitivity(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal"
        CONFIDENTIAL = "confidential", "Confidential"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="evidence")
    asks = models.ManyToManyField(Ask, related_name="evidence", blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UN_DOCUMENT)
    title = models.CharField(max_length=300)
    reference = models.CharField(
        max_length=120,
        blank=True,
        help_text="A UN document symbol such as CERD/C/CHN/CO/14-17, or a Special Procedures communication "
        "such as AL CHN 5/2021. Anything else is kept as typed.",
    )
    # What ``reference`` reads as (campaign.un_symbols), set by ``read_reference``
    # on every path that saves evidence: the services, the admin and both imports.
    reference_canonical = models.CharField(max_length=120, blank=True, editable=False)
    reference_kind = models.CharField(
        max_length=20, choices=ReferenceKind.choices, default=ReferenceKind.OTHER, editable=False
    )
    url = models.URLField("URL", max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=200)
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    published_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    assessment = models.CharField(max_length=20, choices=Assessment.choices, default=Assessment.CONTEXT)
    sensitivity = models.CharField(max_length=20, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_added"
    )
    added_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AliveEvidenceManager()
    all_objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["-published_on", "-added_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file="") | ~Q(reference=""),
                name="evidence_needs_url_file_or_reference",
                violation_error_message=EVIDENCE_NEEDS_SOURCE,
            )
        ]
        indexes = [
            # Live evidence only: the campaign page's count reads this index alone.
            models.Index(
                fields=["campaign", "sensitivity"],
                condition=Q(deleted_at__isnull=True),
                name="evidence_live_campaign_sens",
            ),
            models.Index(fields=["reference"], name="evidence_reference"),
            # A symbol's evidence in the campaigns in scope: the search and the
            # same-symbol warning.
            models.Index(fields=["campaign", "reference_canonical"], name="evidence_campaign_canonical"),
            models.Index(fields=["added_at"], name="evidence_added"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}" if self.reference else self.title

    def clean(self):
        super().clean()
        if not (self.url or self.file or self.reference):
            raise ValidationError(EVIDENCE_NEEDS_SOURCE)

    def read_reference(self) -> None:
        """Store what ``reference`` reads as: its canonical form and kind. An
        unknown shape keeps an empty canonical form and the kind "other"; the
        reference itself is never changed or refused."""
        parsed = un_symbols.parse(self.reference)
        self.reference_canonical = parsed.canonical[:120]
        self.reference_kind = parsed.kind

    @property
    def is_unrecognised_reference(self) -> bool:
        """A reference that is neither a UN symbol nor a communication: pages say so."""
        return bool(self.reference) and self.reference_kind == ReferenceKind.OTHER

    def get_download_url(self):
        return reverse("evidence_download", args=[self.pk]) if self.file else ""

    @property
    def is_confidential(self) -> bool:
        return self.sensitivity == self.Sensitivity.CONFIDENTIAL


class ProgressSummary(models.Model):
    """A campaign's figures for one period, compiled by a job and kept as history."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="summaries")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "progress summaries"
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "period_start", "period_end"], name="summary_unique_period")
        ]

    def __str__(self):
        return f"{self.campaign} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class OutboundEmail(models.Model):
    """The outbox: every email the app sends is first a row here, written in the
    same transaction as the decision to send it. ``dedupe_key`` is unique, so a
    retried job or a second worker cannot queue the same message twice; a row
    stays pending until the SMTP server has taken it, so nothing is dropped when
    the broker or the mail server is down."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="email_state_next_attempt")]

    def __str__(self):
        return f"{self.kind} to {self.to}: {self.subject}"


class Reminder(models.Model):
    """A record that a reminder was decided on: one per ask, recipient, kind and
    the deadline it was about (for stale reminders, the date the stale period
    began), so it is sent at most once. A new deadline makes its reminders due."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30)
    deadline = models.DateField()
    email = models.OneToOneField(OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["ask", "recipient", "kind", "deadline"], name="reminder_once")]

    def __str__(self):
        return f"{self.kind} reminder to {self.recipient} about {self.ask}"


class Digest(models.Model):
    """One user's digest for one period, kept so it is sent once and can be read
    again at /digests/."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    frequency = models.CharField(max_length=10)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()
    email = models.OneToOneField(OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start", "period_end"], name="digest_once_per_period")
        ]

    def __str__(self):
        return self.subject


# --- People at risk ------------------------------------------------------------

# Crockford's alphabet without the look-alikes (0/O, 1/I/L, U): a pseudonym is
# read aloud on calls and copied by hand into letters.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PSEUDONYM_PREFIX = "HRD-"


def new_pseudonym() -> str:
    return PSEUDONYM_PREFIX + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(4))


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        return in_users_campaigns(self, user)

    def at_risk(self):
        return self.filter(risk__in=[Person.Risk.ELEVATED, Person.Risk.HIGH])


class Person(models.Model):
    """A human rights defender, victim or witness an ask concerns.

    Outside the ask page and this person's own page, seen by the campaign's
    editors and leads, a person is shown only by ``pseudonym``: that is what
    ``str()`` gives, so the admin's lists, log lines and error reports never
    carry the name. ``campaign.people.person_display_name`` decides the rest."""

    class Risk(models.TextChoices):
        NONE = "none", "None known"
        ELEVATED = "elevated", "Elevated"
        HIGH = "high", "High"

    class Consent(models.TextChoices):
        INTERNAL = "internal", "May be named inside the team"
        PUBLIC = "public", "May be named publicly"
        NONE = "none", "Not to be named"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=200)
    other_names = models.TextField(
        blank=True,
        help_text="Other spellings and scripts (Uyghur, Chinese, Tibetan, transliterations), one a line. "
        "They are checked like the name.",
    )
    pseudonym = models.CharField(max_length=12, unique=True, default=new_pseudonym, editable=False)
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.HIGH)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.NONE)
    asks = models.ManyToManyField(Ask, related_name="people", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["pseudonym"]
        indexes = [models.Index(fields=["campaign", "risk"], name="person_campaign_risk")]

    def __str__(self):
        return self.pseudonym

    def get_absolute_url(self):
        return reverse("person_detail", args=[self.pseudonym])

    @property
    def spellings(self) -> list[str]:
        """The name and each other spelling, as typed."""
        others = [line.strip() for line in self.other_names.splitlines()]
        return [self.name.strip(), *(line for line in others if line)]

    @property
    def is_at_risk(self) -> bool:
        return self.risk != self.Risk.NONE


class NameGuardOverride(models.Model):
    """A lead saved text that names a person at risk, knowingly: who, when,
    which person and where. The text itself is not copied here."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} named {self.person} in {self.field}"


class NamesExport(models.Model):
    """A lead downloaded the real names of a campaign's people: who, when, why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Names export of {self.campaign} by {self.user}"


# --- Outcomes ---------------------------------------------------------------------

# Statuses that judge the ask: each rests on evidence, a rationale and the target's response.
OUTCOME_STATUSES = frozenset({AskStatus.MET, AskStatus.PARTIALLY_MET, AskStatus.NOT_MET})
# Withdrawing judges nothing of the target, but still says why.
RATIONALE_STATUSES = OUTCOME_STATUSES | {AskStatus.WITHDRAWN}


class TargetResponse(models.TextChoices):
    """The UPR's vocabulary: a State "supports" or "notes" a recommendation."""

    SUPPORTED = "supported", "Supported"
    NOTED = "noted", "Noted"
    REJECTED = "rejected", "Rejected"
    NO_REPLY = "no_reply", "No reply"


class Outcome(models.Model):
    """Why an ask was judged met, partially met or not met (or withdrawn): the
    evidence it rests on, the target's response and the rationale. Written
    with the status change (``services.ask_change_status``); reopening the ask
    marks it ``reopened_at`` and keeps it, so the history shows every judgment."""

    Response = TargetResponse

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="outcomes")
    update = models.OneToOneField(Update, on_delete=models.CASCADE, related_name="outcome")
    status = models.CharField(max_length=20, choices=AskStatus.choices)
    # PROTECT: evidence an outcome rests on is never removed from under it.
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes")
    response = models.CharField(max_length=20, choices=TargetResponse.choices, blank=True)
    rationale = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one standing outcome per ask.
            models.UniqueConstraint(
                fields=["ask"], condition=Q(reopened_at__isnull=True), name="outcome_one_standing_per_ask"
            )
        ]
        indexes = [
            models.Index(fields=["evidence"], condition=Q(reopened_at__isnull=True), name="outcome_standing_evidence")
        ]

    def __str__(self):
        return f"{self.ask}: {self.get_status_display()}"

    @property
    def is_standing(self) -> bool:
        return self.reopened_at is None


# --- Organisations and signatories --------------------------------------------------


class Organisation(models.Model):
    """An NGO, coalition or institution that drafts, co-signs or endorses asks.
    Shared by every campaign, as targets are."""

    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=120, blank=True)
    website = models.URLField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation_detail", args=[self.pk])


class Signature(models.Model):
    """An organisation's signature on an ask. ``public`` says whether it agreed
    to be named outside the team; off unless it did (coalitions often sign
    anonymously)."""

    class Role(models.TextChoices):
        LEAD_DRAFTER = "lead_drafter", "Lead drafter"
        CO_SIGNER = "co_signer", "Co-signer"
        ENDORSER = "endorser", "Endorser"

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CO_SIGNER)
    signed_on = models.DateField(null=True, blank=True)
    public = models.BooleanField(
        default=False, help_text="The organisation agreed to be named as a signatory outside the team."
    )

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["ask", "organisation"], name="signature_once_per_ask"),
            models.UniqueConstraint(
                fields=["ask"], condition=Q(role="lead_drafter"), name="signature_one_lead_drafter"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "ask"], name="signature_organisation_ask")]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display().lower()})"


# --- Suggestions from the public (issue 20) -------------------------------------------

# How long a submitter's email is kept for a follow-up question (campaign.retention).
SUGGESTION_EMAIL_DAYS = 90


class Suggestion(models.Model):
    """Something a member of the public suggested about a public ask ("the
    ministry replied on 3 March, here is the link"). It waits for the campaign's
    leads (campaign.suggestions); accepting it makes an internal update or
    evidence item, never a public one. No IP address is kept, hashed or not."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="suggestions")
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="suggestions")
    text = models.TextField("what happened")
    url = models.URLField("link", max_length=500, blank=True)
    date = models.DateField("when it happened", null=True, blank=True)
    # Erased SUGGESTION_EMAIL_DAYS after the suggestion came in (campaign.retention).
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The leads' queue: a campaign's pending suggestions, oldest first.
            models.Index(fields=["campaign", "status", "created_at"], name="suggestion_queue"),
            # The retention sweep: emails still kept, by age.
            models.Index(fields=["created_at"], condition=~Q(email=""), name="suggestion_email_kept"),
        ]

    def __str__(self):
        return f"Suggestion of {self.created_at:%Y-%m-%d} about {self.ask}"
