"""Deadline and stale-ask reminders.

For every ask that is not closed and has an owner and a deadline, the owner
hears 14, 7 and 1 day before the deadline, on the day, the day after (overdue)
and then weekly while it stays overdue; the campaign's leads are copied on the
overdue ones. An open ask with an owner and no update for the campaign's
``stale_after_days`` gets a "no update" reminder, at most once per that period.

Days are counted in the recipient's time zone, and a reminder goes out in the
first hourly run at or after ``SEND_FROM_HOUR`` local time. A ``Reminder`` row
(unique per ask, recipient, kind and deadline) is written with its email in one
transaction, so no reminder is ever sent twice, and a new deadline makes its
own reminders due.
"""

import datetime
import logging
from collections import defaultdict
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from campaign.mail.emails import absolute_url, reminder_email_build
from campaign.models import OPEN_STATUSES, Ask, Campaign, Membership, OutboundEmail, Reminder, Role

logger = logging.getLogger(__name__)

SEND_FROM_HOUR = 8
LEAD_TIMES = (14, 7, 1)
# Every recipient's "today" is within a day of UTC's (UTC-12 to UTC+14).
ZONE_SPREAD = datetime.timedelta(days=1)
# A stale reminder still goes out this many days after its day, should the job not run on it.
STALE_GRACE_DAYS = 3
STALE_WINDOW = datetime.timedelta(days=STALE_GRACE_DAYS) + 2 * ZONE_SPREAD


class Candidate(NamedTuple):
    """An ask as the scan reads it: the fields deciding on a reminder and
    writing its email need, with its owner and campaign. Thousands of asks can
    be due in one run (every overdue ask weekly) and most share a few hundred
    owners and dozens of campaigns: rows, not model instances each with its own
    related copies, keep the scan's cost per due ask small."""

    pk: int
    title: str
    deadline: datetime.date | None
    deadline_reason: str
    last_activity_at: datetime.datetime
    owner: User
    campaign: Campaign


CANDIDATE_FIELDS = ("pk", "title", "deadline", "deadline_reason", "last_activity_at", "owner_id", "campaign_id")


def _rows(asks):
    """The candidates' rows, named like the fields; their owners and campaigns
    come once for the whole scan from ``_people_and_campaigns``."""
    return list(asks.values_list(*CANDIDATE_FIELDS, named=True))


def _people_and_campaigns(user_ids, campaign_ids) -> tuple[dict, dict]:
    """Every owner and lead the scan needs, and their campaigns: one query each."""
    users = User.objects.only("email", "full_name", "timezone", "is_active").in_bulk(user_ids)
    campaigns = Campaign.objects.only("title", "slug", "stale_after_days").in_bulk(campaign_ids)
    return users, campaigns


def _candidates(rows, users, campaigns) -> list[Candidate]:
    # An owner deleted since the rows were read takes their asks' reminders along.
    return [
        Candidate(*row[:5], users[row.owner_id], campaigns[row.campaign_id]) for row in rows if row.owner_id in users
    ]


class PlannedReminder(NamedTuple):
    ask: Candidate
    recipient: User
    kind: str
    deadline: datetime.date  # for stale reminders: the day the ask became stale
    days: int  # days left (negative when overdue) or, for stale, days without update

    @property
    def key(self):
        return (self.ask.pk, self.recipient.pk, self.kind, self.deadline)

    def __str__(self):
        return f"{self.kind} to {self.recipient.email} about ask {self.ask.pk} “{self.ask.title}” ({self.deadline})"


def deadline_reminder_kind(days_left: int) -> str | None:
    """The reminder due when the deadline is ``days_left`` days away, if any."""
    if days_left in LEAD_TIMES:
        return f"due_in_{days_left}"
    if days_left == 0:
        return "due_today"
    if days_left < 0 and (-days_left - 1) % 7 == 0:
        return f"overdue_{-days_left}"  # 1, 8, 15 ... days overdue
    return None


def _local_today(user, now: datetime.datetime) -> datetime.date | None:
    """The recipient's date, or None before the hour reminders go out there."""
    local = now.astimezone(user.zone)
    return local.date() if local.hour >= SEND_FROM_HOUR else None


def _sending_days(now: datetime.datetime) -> set[datetime.date]:
    """The local dates on which reminders go out at ``now``: for each time zone
    an active user has, its date if it is past SEND_FROM_HOUR there. Usually one
    date, at most two, where reading every date a zone could have (UTC-12 to
    UTC+14) read three days' worth of due deadlines."""
    zones = User.objects.filter(is_active=True).values_list("timezone", flat=True).distinct()
    # An unsaved User per zone name: its ``zone`` falls back to TIME_ZONE for
    # an unknown name exactly as a recipient's does.
    days = {_local_today(User(timezone=name), now) for name in zones.order_by()}
    return days - {None}


def zones_before_sending_hour(*, now: datetime.datetime) -> dict[str, datetime.datetime]:
    """The time zones of active users where it is not yet SEND_FROM_HOUR, with
    their local time, earliest first: whose reminders a run at ``now`` leaves
    for later."""
    zones = User.objects.filter(is_active=True).values_list("timezone", flat=True).distinct().order_by()
    # An unsaved User per zone name, as in _sending_days: an unknown name falls back to TIME_ZONE.
    local_times = {name: now.astimezone(User(timezone=name).zone) for name in zones}
    waiting = [(local, name) for name, local in local_times.items() if local.hour < SEND_FROM_HOUR]
    return {name: local for local, name in sorted(waiting, key=lambda pair: (pair[0].time(), pair[1]))}


def _deadline_candidates(now: datetime.datetime):
    """The rows of open asks with an owner whose deadline is due a reminder for
    someone, somewhere, today; the (status, deadline) index serves it."""
    local_days = sorted(_sending_days(now))
    if not local_days:
        return []
    deadlines = {day + datetime.timedelta(days=offset) for day in local_days for offset in (0, *LEAD_TIMES)}
    deadlines |= _overdue_deadlines(local_days)
    return _rows(Ask.objects.filter(deadline__in=deadlines, status__in=OPEN_STATUSES, owner__isnull=False))


def _overdue_deadlines(local_days) -> set[datetime.date]:
    """The past deadlines due an overdue reminder on one of ``local_days``: 1, 8,
    15 ... days before it. Listing them, rather than asking for every deadline in
    the past, lets the scan read only the due rows through the (status, deadline)
    index, however many asks have long been overdue."""
    oldest = (
        Ask.objects.filter(status__in=OPEN_STATUSES, owner__isnull=False, deadline__isnull=False)
        .order_by("deadline")
        .values_list("deadline", flat=True)
        .first()
    )
    if oldest is None:
        return set()
    dates = set()
    for day in local_days:
        deadline = day - datetime.timedelta(days=1)
        while deadline >= oldest:
            dates.add(deadline)
            deadline -= datetime.timedelta(days=7)
    return dates


def _stale_candidates(now: datetime.datetime):
    """The rows of open asks whose quiet time has just reached a whole number of their
    campaign's stale periods (within STALE_GRACE_DAYS, so a missed run catches
    up). Reading only those windows of ``last_activity_at``, not every quiet ask,
    keeps the hourly scan on the index however many asks have long been quiet."""
    open_owned = Ask.objects.filter(status__in=OPEN_STATUSES, owner__isnull=False)
    oldest = open_owned.order_by("last_activity_at").values_list("last_activity_at", flat=True).first()
    periods = sorted(set(Campaign.objects.values_list("stale_after_days", flat=True)))
    if oldest is None or not periods:
        return []
    windows = Q()
    for days in periods:
        period = datetime.timedelta(days=days)
        for whole in range(1, (now - oldest) // period + 2):
            end = now - whole * period + ZONE_SPREAD
            windows |= Q(campaign__stale_after_days=days, last_activity_at__range=(end - STALE_WINDOW, end))
    return _rows(open_owned.filter(windows))


def _lead_ids_by_campaign(campaign_ids) -> dict[int, list[int]]:
    leads = defaultdict(list)
    memberships = Membership.objects.filter(campaign_id__in=campaign_ids, role=Role.LEAD, user__is_active=True)
    for campaign_id, user_id in memberships.values_list("campaign_id", "user_id"):
        leads[campaign_id].append(user_id)
    return leads


def _today_per_user(now: datetime.datetime):
    """``_local_today`` worked out once per recipient: thousands of due asks
    share a few hundred owners and leads."""
    days = {}

    def today_of(user) -> datetime.date | None:
        if user.pk not in days:
            days[user.pk] = _local_today(user, now)
        return days[user.pk]

    return today_of


def reminders_due(*, now: datetime.datetime | None = None) -> list[PlannedReminder]:
    """Every reminder that should go out at ``now`` and has not been sent yet."""
    now = now or timezone.now()
    today_of = _today_per_user(now)
    deadline_rows, stale_rows = _deadline_candidates(now), _stale_candidates(now)
    lead_ids = _lead_ids_by_campaign({row.campaign_id for row in deadline_rows})
    users, campaigns = _people_and_campaigns(
        {row.owner_id for row in (*deadline_rows, *stale_rows)} | {pk for ids in lead_ids.values() for pk in ids},
        {row.campaign_id for row in (*deadline_rows, *stale_rows)},
    )
    planned: list[PlannedReminder] = []
    for ask in _candidates(deadline_rows, users, campaigns):
        owner = ask.owner
        leads = [users[pk] for pk in lead_ids[ask.campaign.pk] if pk != owner.pk and pk in users]
        for recipient in [owner, *leads]:
            today = today_of(recipient)
            if today is None or not recipient.is_active:
                continue
            days_left = (ask.deadline - today).days
            kind = deadline_reminder_kind(days_left)
            if kind is None or (recipient is not owner and not kind.startswith("overdue")):
                continue
            planned.append(PlannedReminder(ask, recipient, kind, ask.deadline, days_left))

    for ask in _candidates(stale_rows, users, campaigns):
        today = today_of(ask.owner)
        if today is None or not ask.owner.is_active:
            continue
        quiet_since = ask.last_activity_at.astimezone(ask.owner.zone).date()
        days_quiet = (today - quiet_since).days
        period = ask.campaign.stale_after_days
        if days_quiet >= period and days_quiet % period < STALE_GRACE_DAYS:
            # One reminder per whole period without an update, keyed by the day it began.
            stale_since = quiet_since + datetime.timedelta(days=period * (days_quiet // period))
            planned.append(PlannedReminder(ask, ask.owner, "stale", stale_since, days_quiet))
    return _not_yet_sent(planned)


REMINDER_KEY = ("ask_id", "recipient_id", "kind", "deadline")
# Reminders written per transaction: two inserts each batch, not two per reminder.
BATCH_SIZE = 200


def _not_yet_sent(planned: list[PlannedReminder]) -> list[PlannedReminder]:
    if not planned:
        return []
    sent = set(_of_asks(Reminder.objects, {item.ask.pk for item in planned}).values_list(*REMINDER_KEY))
    return [item for item in planned if item.key not in sent]


def _of_asks(reminders, ask_ids: set[int]):
    """``reminders.filter(ask_id__in=ask_ids)``. On PostgreSQL the ids go as one
    array parameter: an IN list has a placeholder per id, and psycopg splits
    and adapts the query once per placeholder, which grows with the number of
    due asks; one array does not."""
    if connection.vendor != "postgresql":
        return reminders.filter(ask_id__in=ask_ids)
    column = f'"{Reminder._meta.db_table}"."ask_id"'
    # The SQL is fixed text; the ids are a bound parameter.
    any_of = RawSQL(f"{column} = ANY(%s)", (sorted(ask_ids),), output_field=BooleanField())  # noqa: S611
    return reminders.filter(any_of)


def _email_context(item: PlannedReminder) -> dict:
    return {
        "ask": item.ask,
        "campaign": item.ask.campaign,
        "kind": item.kind,
        "days": abs(item.days),
        "is_owner": item.recipient.pk == item.ask.owner.pk,
        "owner": item.ask.owner,
        "ask_url": absolute_url(Ask(pk=item.ask.pk).get_absolute_url()),
    }


def _build(item: PlannedReminder) -> Reminder:
    """The unsaved reminder with its unsaved email in ``reminder.email``."""
    reminder = Reminder(ask_id=item.ask.pk, recipient=item.recipient, kind=item.kind, deadline=item.deadline)
    reminder.email = reminder_email_build(reminder=reminder, context=_email_context(item))
    return reminder


def reminder_send(*, item: PlannedReminder) -> Reminder | None:
    """Record the reminder and queue its email together; None when another run
    already did."""
    reminder = _build(item)
    try:
        with transaction.atomic():
            reminder.email.save(force_insert=True)
            reminder.save(force_insert=True)
            return reminder
    except IntegrityError:
        logger.info("Reminder already sent: %s", item)
        return None


def _send_batch(items: list[PlannedReminder]) -> list[PlannedReminder]:
    """Record a batch of reminders and queue their emails in one transaction of
    two inserts. When another run recorded one of them since the scan, the batch
    rolls back and goes one at a time, so each is still queued exactly once."""
    reminders = [_build(item) for item in items]
    try:
        with transaction.atomic():
            # bulk_create gives the emails their ids, which the reminders then take.
            OutboundEmail.objects.bulk_create([reminder.email for reminder in reminders])
            Reminder.objects.bulk_create(reminders)
    except IntegrityError:
        logger.info("Another run sent some of these reminders; sending the rest one by one.")
        # Built afresh: the rolled-back rows may carry ids that were never committed.
        return [item for item in items if reminder_send(item=item) is not None]
    return items


def reminders_send(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[PlannedReminder]:
    """Queue every due reminder, in batches of ``BATCH_SIZE``; returns those this
    call queued (or would queue)."""
    planned = reminders_due(now=now)
    if dry_run:
        return planned
    queued = []
    for start in range(0, len(planned), BATCH_SIZE):
        queued.extend(_send_batch(planned[start : start + BATCH_SIZE]))
    return queued
