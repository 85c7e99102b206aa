"""Email digests: per user, daily or weekly at the hour they chose in their own
time zone, what happened in the campaigns they belong to.

A digest covers the 24 hours (daily) or 7 days (weekly) before its scheduled
time, and goes out in the first hourly run at or after that time. A ``Digest``
row, unique per user and period, is written with its outbox email in one
transaction, so a retried or doubled run never sends twice.

Data is loaded per batch of users, not per user: a handful of queries fetch
every membership, ask, status change and piece of evidence the batch needs.
Confidential evidence is never loaded at all, so it cannot reach an email.
"""

import datetime
import functools
import logging
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Count, F, FilteredRelation, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from campaign.mail.emails import RenderedEmail, absolute_url, digest_email_build, email_render
from campaign.models import (
    OPEN_STATUSES,
    Ask,
    AskStatus,
    Campaign,
    Digest,
    Evidence,
    Membership,
    OutboundEmail,
    Update,
)
from campaign.selectors import ask_tallies

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
DEADLINES_AHEAD_DAYS = 14
# Each list of a section (status changes, new asks, new evidence, coming
# deadlines, overdue asks) shows at most this many items, then links to the rest.
DIGEST_LIST_LIMIT = 10
PERIOD_LENGTH = {User.DigestFrequency.DAILY: 1, User.DigestFrequency.WEEKLY: 7}


def digest_period(user, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The period of the digest due for ``user`` at ``now``, or None.

    The period ends at the user's chosen hour today (local time) and starts at
    the same wall-clock time 1 or 7 days before, so daylight saving changes
    leave no gap between periods."""
    days = PERIOD_LENGTH.get(user.digest_frequency)
    if days is None:
        return None
    local = now.astimezone(user.zone)
    if local.hour < user.digest_hour:
        return None
    if days == 7 and local.weekday() != user.digest_weekday:
        return None
    at = datetime.time(user.digest_hour)
    end = datetime.datetime.combine(local.date(), at, tzinfo=user.zone)
    start = datetime.datetime.combine(local.date() - datetime.timedelta(days=days), at, tzinfo=user.zone)
    return start, end


@dataclass
class DueDigest:
    user: User
    start: datetime.datetime
    end: datetime.datetime
    rendered: RenderedEmail | None = None

    @property
    def subject(self) -> str:
        return self.rendered.subject if self.rendered else ""

    @property
    def dedupe_key(self) -> str:
        utc = datetime.UTC
        return f"digest:{self.user.pk}:{self.start.astimezone(utc):%Y%m%dT%H%M}:{self.end.astimezone(utc):%Y%m%dT%H%M}"

    def __str__(self):
        return f"{self.user.email}: {self.subject}"


def _within(items: list, key, start, end) -> list:
    """The items (sorted by ``key``) with ``start <= key(item) < end``; a batch's
    lists span every campaign's whole window, and each section takes a slice."""
    return items[bisect_left(items, start, key=key) : bisect_left(items, end, key=key)]


class BatchData:
    """Everything the digests of one batch of users need, in a fixed number of queries."""

    def __init__(self, due: list[DueDigest]):
        user_ids = [item.user.pk for item in due]
        self.window_start = min(item.start for item in due)
        self.window_end = max(item.end for item in due)

        self.memberships = defaultdict(list)
        memberships = Membership.objects.filter(user_id__in=user_ids).exclude(campaign__status=Campaign.Status.CLOSED)
        for membership in memberships.select_related("campaign").order_by("campaign__title"):
            self.memberships[membership.user_id].append(membership)
        campaign_ids = {m.campaign_id for ms in self.memberships.values() for m in ms}

        self.tallies = ask_tallies(campaign_ids)

        self.changes = defaultdict(list)
        # Deadlines moved with a UN meeting's dates, told to each ask's owner.
        self.deadline_moves = defaultdict(list)
        updates = (
            Update.objects.filter(
                campaign_id__in=campaign_ids, created_at__gte=self.window_start, created_at__lt=self.window_end
            )
            .filter(~Q(new_status="") | Q(is_deadline_move=True))
            .select_related("ask", "author")
            .order_by("created_at", "id")
        )
        for update in updates:
            (self.deadline_moves if update.is_deadline_move else self.changes)[update.campaign_id].append(update)

        self.new_asks = defaultdict(list)
        created = Ask.objects.filter(
            campaign_id__in=campaign_ids, created_at__gte=self.window_start, created_at__lt=self.window_end
        ).select_related("owner")
        for ask in created.order_by("created_at", "id"):
            self.new_asks[ask.campaign_id].append(ask)

        self.new_evidence = defaultdict(list)
        # Confidential evidence is excluded here, in the query: no email ever sees it.
        # The asks each piece supports come in the same query (a row per piece
        # and ask) for the links to them; soft-deleted asks are left out.
        evidence = (
            Evidence.objects.not_confidential()
            .filter(campaign_id__in=campaign_ids, added_at__gte=self.window_start, added_at__lt=self.window_end)
            .annotate(live_asks=FilteredRelation("asks", condition=Q(asks__deleted_at__isnull=True)))
            .annotate(ask_pk=F("live_asks__pk"), ask_title=F("live_asks__title"))
        )
        for piece in evidence.order_by("added_at", "id", "ask_pk"):
            pieces = self.new_evidence[piece.campaign_id]
            if not pieces or pieces[-1].pk != piece.pk:
                piece.supported_asks = []
                pieces.append(piece)
            if piece.ask_pk is not None:
                pieces[-1].supported_asks.append(Ask(pk=piece.ask_pk, title=piece.ask_title))

        self._load_deadlines(due, campaign_ids)

    def _load_deadlines(self, due: list[DueDigest], campaign_ids: set[int]):
        """The open asks the deadline and overdue sections show, sorted by
        deadline per campaign, and how many asks were overdue before the
        batch's first "today".

        Users' "today" differs by a day or so with their time zones. Every
        ask due from the earliest of them to the latest one's horizon is
        loaded; of those overdue before it, only the oldest few per campaign,
        the only ones any section lists (a campaign followed for years has
        hundreds of overdue asks, and loading them all was most of a batch's
        time)."""
        earliest_today = min(timezone.localdate(item.end, item.user.zone) for item in due)
        latest_today = max(timezone.localdate(item.end, item.user.zone) for item in due)
        self.earliest_today = earliest_today
        open_asks = Ask.objects.filter(campaign_id__in=campaign_ids, status__in=OPEN_STATUSES)
        long_overdue = open_asks.filter(deadline__lt=earliest_today)
        self.overdue_before = dict(long_overdue.values_list("campaign_id").annotate(n=Count("id")).order_by())
        rank = Window(RowNumber(), partition_by=F("campaign_id"), order_by=[F("deadline").asc(), F("id").asc()])
        oldest = long_overdue.annotate(rank=rank).filter(rank__lte=DIGEST_LIST_LIMIT)
        upcoming = open_asks.filter(
            deadline__gte=earliest_today,
            deadline__lte=latest_today + datetime.timedelta(days=DEADLINES_AHEAD_DAYS),
        )
        self.dated_open_asks = defaultdict(list)
        # The oldest, then the upcoming: each campaign's list is in deadline order.
        for asks in (oldest, upcoming):
            for ask in asks.select_related("owner").order_by("deadline", "id"):
                self.dated_open_asks[ask.campaign_id].append(ask)

    def campaign_section(self, membership: Membership, item: DueDigest) -> dict:
        campaign, start, end = membership.campaign, item.start, item.end
        section_url = absolute_url(campaign.get_absolute_url())
        today = timezone.localdate(end, item.user.zone)
        tally = self.tallies[campaign.pk]
        changes = _within(self.changes[campaign.pk], attrgetter("created_at"), start, end)
        moves = _within(self.deadline_moves[campaign.pk], attrgetter("created_at"), start, end)
        my_moves = [update for update in moves if update.ask.owner_id == item.user.pk and update.ask.is_open]
        new_asks = _within(self.new_asks[campaign.pk], attrgetter("created_at"), start, end)
        new_evidence = _within(self.new_evidence[campaign.pk], attrgetter("added_at"), start, end)
        dated = self.dated_open_asks[campaign.pk]
        deadline_limit = today + datetime.timedelta(days=DEADLINES_AHEAD_DAYS)
        recent_url = _ask_list_url({"campaign": campaign.pk, "sort": "-last_activity"})
        overdue = _within(dated, attrgetter("deadline"), datetime.date.min, today)
        # Of these, the oldest few of those overdue before the batch's first "today";
        # overdue_before counts them all.
        long_overdue = _within(overdue, attrgetter("deadline"), datetime.date.min, self.earliest_today)
        return {
            "campaign": campaign,
            "url": section_url,
            "total_asks": tally.total,
            "open_asks": tally.open,
            "drafts": tally.drafts,
            "met": tally.of(AskStatus.MET),
            "partially_met": tally.of(AskStatus.PARTIALLY_MET),
            # The latest changes and additions, in the order they happened.
            **_limited("changes", changes[-DIGEST_LIST_LIMIT:], _change_item, len(changes), recent_url),
            **_limited("new_asks", new_asks[-DIGEST_LIST_LIMIT:], _ask_item, len(new_asks), recent_url),
            **_limited(
                "new_evidence", new_evidence[-DIGEST_LIST_LIMIT:], _evidence_item, len(new_evidence), section_url
            ),
            **_limited(
                "deadlines",
                _within(dated, attrgetter("deadline"), today, deadline_limit + datetime.timedelta(days=1)),
                functools.partial(_dated_item, today=today),
                url=_ask_list_url(
                    {
                        "campaign": campaign.pk,
                        "open": "on",
                        "deadline_from": today.isoformat(),
                        "deadline_to": deadline_limit.isoformat(),
                        "sort": "deadline",
                    }
                ),
            ),
            **_limited(
                "overdue",
                overdue,
                functools.partial(_dated_item, today=today),
                self.overdue_before.get(campaign.pk, 0) + len(overdue) - len(long_overdue),
                url=_ask_list_url({"campaign": campaign.pk, "overdue": "on", "sort": "deadline"}),
            ),
            **_limited("deadline_moves", my_moves[-DIGEST_LIST_LIMIT:], _move_item, len(my_moves), recent_url),
            "news": len(changes) + len(new_asks) + len(new_evidence) + len(my_moves),
        }


def _ask_list_url(query: dict) -> str:
    return absolute_url(reverse("ask_list") + "?" + urlencode(query))


def _change_item(update) -> dict:
    return {
        "update": update,
        "ask": update.ask,
        "url": absolute_url(update.ask.get_absolute_url()),
        "old": AskStatus(update.old_status).label if update.old_status else "—",
        "new": AskStatus(update.new_status).label,
    }


def _move_item(update) -> dict:
    return {"update": update, "ask": update.ask, "url": absolute_url(update.ask.get_absolute_url())}


def _ask_item(ask) -> dict:
    return {"ask": ask, "url": absolute_url(ask.get_absolute_url())}


def _evidence_item(piece) -> dict:
    """A piece of evidence with links to the asks it supports (of its campaign,
    which the recipient belongs to)."""
    return {"evidence": piece, "asks": [_ask_item(ask) for ask in piece.supported_asks]}


def _dated_item(ask, *, today: datetime.date) -> dict:
    return {**_ask_item(ask), "days": abs((ask.deadline - today).days)}


def _limited(name: str, items: list, present=None, count: int | None = None, url: str = "") -> dict:
    """At most DIGEST_LIST_LIMIT of a section's items (each through ``present``),
    how many there are in all and where the app lists them: a campaign with 140
    overdue asks or 40 status changes a week made a digest nobody reads, and
    slow to render)."""
    count = len(items) if count is None else count
    shown = items[:DIGEST_LIST_LIMIT]
    return {
        name: [present(item) for item in shown] if present else shown,
        f"{name}_count": count,
        f"{name}_more": max(count - DIGEST_LIST_LIMIT, 0),
        f"{name}_url": url,
    }


def _period_label(item: DueDigest) -> str:
    zone = item.user.zone
    start, end = timezone.localtime(item.start, zone), timezone.localtime(item.end, zone)
    if item.user.digest_frequency == User.DigestFrequency.DAILY:
        return date_format(end, "j F Y")
    return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"


def digest_render(item: DueDigest, data: BatchData) -> bool:
    """Fill in the digest's subject and bodies; False when there is nothing to send."""
    sections = [data.campaign_section(membership, item) for membership in data.memberships[item.user.pk]]
    news = sum(section["news"] for section in sections)
    if not sections or (news == 0 and not item.user.digest_when_quiet):
        return False
    context = {
        "frequency": item.user.get_digest_frequency_display(),
        "period": _period_label(item),
        "period_start": timezone.localtime(item.start, item.user.zone),
        "period_end": timezone.localtime(item.end, item.user.zone),
        "sections": sections,
        "news": news,
        "overdue": sum(section["overdue_count"] for section in sections),
        "digests_url": absolute_url("/digests/"),
    }
    item.rendered = email_render("digest", user=item.user, context=context)
    return True


def _digest_row(item: DueDigest, email: OutboundEmail) -> Digest:
    return Digest(
        user=item.user,
        frequency=item.user.digest_frequency,
        period_start=item.start,
        period_end=item.end,
        subject=item.rendered.subject,
        body_text=item.rendered.text,
        body_html=item.rendered.html,
        email=email,
    )


def _email(item: DueDigest) -> OutboundEmail:
    return digest_email_build(user=item.user, dedupe_key=item.dedupe_key, rendered=item.rendered)


def _write(items: list[DueDigest]) -> list[Digest]:
    """Write the batch's digests and their emails together; on a clash with a
    concurrent run, fall back to one at a time so each is written once."""
    try:
        with transaction.atomic():
            emails = OutboundEmail.objects.bulk_create([_email(item) for item in items])
            return Digest.objects.bulk_create(
                [_digest_row(item, email) for item, email in zip(items, emails, strict=True)]
            )
    except IntegrityError:
        logger.info("Another run wrote some of these digests; writing the rest one by one.")
    written = []
    for item in items:
        try:
            with transaction.atomic():
                email = _email(item)
                email.save()
                digest = _digest_row(item, email)
                digest.save()
        except IntegrityError:
            continue  # the other run sent this one
        written.append(digest)
    return written


def _batches(now: datetime.datetime):
    users = User.objects.filter(is_active=True).exclude(digest_frequency=User.DigestFrequency.OFF).exclude(email="")
    last_pk = 0
    while True:
        batch = list(users.filter(pk__gt=last_pk).order_by("pk")[:BATCH_SIZE])
        if not batch:
            return
        last_pk = batch[-1].pk
        due = [DueDigest(user, *period) for user in batch if (period := digest_period(user, now))]
        if due:
            yield due


def _not_yet_sent(due: list[DueDigest]) -> list[DueDigest]:
    sent = set(
        Digest.objects.filter(
            user_id__in=[item.user.pk for item in due], period_end__in={item.end for item in due}
        ).values_list("user_id", "period_start", "period_end")
    )
    return [item for item in due if (item.user.pk, item.start, item.end) not in sent]


def digests_send(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list:
    """Queue every digest due at ``now``; returns the Digest rows written (or,
    with ``dry_run``, the digests that would be)."""
    now = now or timezone.now()
    results = []
    for due in _batches(now):
        due = _not_yet_sent(due)
        if not due:
            continue
        data = BatchData(due)
        ready = [item for item in due if digest_render(item, data)]
        if ready:
            results.extend(ready if dry_run else _write(ready))
    return results
