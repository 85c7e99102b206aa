"""The writes that carry the campaign's rules. The web pages, Django admin, the
management commands and the Celery jobs all call these, so a rule holds however
a change is made."""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from campaign.mail.notifications import status_change_notify
from campaign.models import (
    ASK_ANCHOR_FIELDS,
    ASK_EDITABLE_FIELDS,
    CAMPAIGN_EDITABLE_FIELDS,
    OPEN_STATUSES,
    Ask,
    AskStatus,
    Campaign,
    Evidence,
    Membership,
    Role,
    Target,
    UNMeeting,
    UNReview,
    Update,
)
from campaign.tasks import delivery_enqueue_on_commit
from campaign.un_calendar import anchored, moved_phrase
from campaign.uploads import clean_filename


def public_changed(*, campaign_id: int) -> None:
    """Say that what the campaign's public pages show may have changed: their
    cache keys and ETags carry ``public_version``, so the change is on them at
    once. Every write that can touch a public page calls it: the ask and
    evidence services here, campaign.publishing and the admin's direct saves."""
    Campaign.objects.filter(pk=campaign_id).update(public_version=F("public_version") + 1)


class StaleEditError(Exception):
    """The ask or campaign changed since the form was loaded; the second save is refused."""


def _lock(ask: Ask) -> Ask:
    """Re-read the ask under a row lock (PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers)."""
    return Ask.all_objects.select_for_update().get(pk=ask.pk)


@transaction.atomic
def ask_change_status(*, ask: Ask, new_status: str, author, note: str) -> Update:
    """Change an ask's status and write exactly one Update, in one transaction."""
    if new_status not in AskStatus.values:
        raise ValidationError({"new_status": f"“{new_status}” is not a status."})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what happened: a note is required with every status change."})
    current = _lock(ask)
    if current.status == new_status:
        raise ValidationError({"new_status": f"The ask is already “{current.get_status_display()}”."})
    now = timezone.now()
    update = Update.objects.create(
        ask=current,
        campaign_id=current.campaign_id,
        author=author,
        note=note,
        old_status=current.status,
        new_status=new_status,
        created_at=now,
    )
    current.status, current.last_activity_at, current.version = new_status, now, current.version + 1
    current._history_user = author  # simple-history: who made the change, outside a request too
    current.save(update_fields=["status", "last_activity_at", "updated_at", "version"])
    ask.status, ask.last_activity_at, ask.version = current.status, now, current.version
    if status_change_notify(update=update):  # emails queued in this transaction,
        delivery_enqueue_on_commit()  # delivered once it commits
    return update


@transaction.atomic
def ask_add_note(*, ask: Ask, author, note: str) -> Update:
    """Log a plain update on the timeline ("letter sent", "meeting held")."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Write what happened."})
    now = timezone.now()
    update = Update.objects.create(ask=ask, campaign_id=ask.campaign_id, author=author, note=note, created_at=now)
    Ask.all_objects.filter(pk=ask.pk).update(last_activity_at=now)
    ask.last_activity_at = now
    return update


# --- Asks and evidence from the web pages --------------------------------------


@transaction.atomic
def ask_create(*, author, **fields) -> Ask:
    """Record a new ask. ``fields`` are the ask's editable fields (and optionally its status)."""
    unknown = set(fields) - set(ASK_EDITABLE_FIELDS) - set(ASK_ANCHOR_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"ask_create() got unexpected fields: {', '.join(sorted(unknown))}")
    ask = Ask(**fields)
    _deadline_from_anchor(ask)
    ask._history_user = author
    ask.save()
    return ask


def _deadline_from_anchor(ask: Ask) -> None:
    """An anchored ask's deadline, reason and provisional flag come from its
    meeting; without a meeting the anchor is cleared and the date is as typed."""
    if ask.deadline_meeting_id is None:
        ask.deadline_anchor, ask.deadline_offset_days, ask.deadline_review_country = "", 0, ""
        ask.deadline_provisional = False
        return
    if not ask.deadline_anchor:
        raise ValidationError(
            {"deadline_anchor": "Say whether the deadline counts from when the meeting opens or closes."}
        )
    result = anchored(ask.deadline_meeting, ask.deadline_anchor, ask.deadline_offset_days, ask.deadline_review_country)
    if result is None:
        raise ValidationError(
            {"deadline_review_country": f"{ask.deadline_meeting} lists no review of “{ask.deadline_review_country}”."}
        )
    ask.deadline, ask.deadline_reason, ask.deadline_provisional = result


def target_create(*, name: str, kind: str, author) -> Target:
    """A new target, added by a campaign lead from the ask form."""
    target = Target(name=name.strip(), kind=kind)
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def ask_update(*, ask: Ask, author, expected_version: int, **fields) -> Ask:
    """Save an edit made on a form loaded at ``expected_version``. If anyone saved
    the ask since, refuse with StaleEditError rather than overwrite their change."""
    unknown = set(fields) - set(ASK_EDITABLE_FIELDS) - set(ASK_ANCHOR_FIELDS)
    if unknown:
        raise TypeError(f"ask_update() got unexpected fields: {', '.join(sorted(unknown))}")
    current = _lock(ask)
    if current.version != expected_version:
        raise StaleEditError(
            "Someone else saved this ask while you were editing it. Your changes were not saved: "
            "compare them with the current version below and save again."
        )
    moved_from, deadline_before = current.campaign_id, current.deadline
    for name, value in fields.items():
        setattr(current, name, value)
    if current.campaign_id != moved_from:
        # The form checked this too; again here, under the lock, only for a move.
        current.validate_evidence_of_campaign()
    if set(fields) & set(ASK_ANCHOR_FIELDS):
        _deadline_from_anchor(current)  # the anchor as the form set it
    elif current.deadline_meeting_id and current.deadline != deadline_before:
        # A date typed over an anchored one: the ask no longer follows the meeting.
        current.deadline_meeting = None
        _deadline_from_anchor(current)
    current.version += 1
    current.last_activity_at = timezone.now()
    current._history_user = author
    current.save()
    ask_timeline_follow(ask=current)
    for campaign_id in {moved_from, current.campaign_id}:
        public_changed(campaign_id=campaign_id)
    return current


def ask_timeline_follow(*, ask: Ask) -> None:
    """An ask moved to another campaign takes its timeline entries along
    (``Update.campaign``). Every path that saves an ask's campaign calls this:
    the edit form (``ask_update``), the admin and the admin's import."""
    moved = Update.objects.filter(ask=ask).exclude(campaign_id=ask.campaign_id)
    left = list(moved.values_list("campaign_id", flat=True).distinct())
    if left:
        moved.update(campaign_id=ask.campaign_id)


@transaction.atomic
def ask_soft_delete(*, ask: Ask, author) -> None:
    """Hide an ask everywhere; an admin can restore it through ``Ask.all_objects``."""
    current = _lock(ask)
    current.deleted_at = timezone.now()
    current._history_user = author
    current.save(update_fields=["deleted_at", "updated_at"])
    ask.deleted_at = current.deleted_at
    public_changed(campaign_id=current.campaign_id)


def _attach_file(evidence: Evidence, file, content_type: str) -> None:
    """Keep the original name, the type sniffed from the content by
    campaign.uploads (never the browser's claim) and the size; the stored name is
    random (see the model)."""
    evidence.file = file
    evidence.original_filename = clean_filename(getattr(file, "name", "") or "")
    evidence.content_type = (content_type or "application/octet-stream")[:100]
    evidence.file_size = file.size


def _evidence_on_timeline(asks, evidence: Evidence, author, what: str) -> None:
    """Say on each ask's timeline that ``evidence`` was added, linked, unlinked
    or removed, in the same transaction. Viewers read timelines, so a
    confidential item is never named there."""
    asks = list(asks)
    if not asks:
        return
    if evidence.is_confidential:
        note = f"Confidential evidence {what} (shown to the campaign's editors and leads)."
    else:
        note = f"Evidence {what}: “{evidence.title}”."
    now = timezone.now()
    Update.objects.bulk_create(
        Update(ask=ask, campaign_id=ask.campaign_id, author=author, note=note, created_at=now) for ask in asks
    )
    Ask.all_objects.filter(pk__in=[ask.pk for ask in asks]).update(last_activity_at=now)


@transaction.atomic
def evidence_add(*, campaign, added_by, asks=(), file=None, content_type: str = "", **fields):
    """Store a piece of evidence, linked to ``asks``."""
    evidence = Evidence(campaign=campaign, added_by=added_by, **fields)
    if file:
        _attach_file(evidence, file, content_type)
    evidence.read_reference()
    evidence.full_clean(exclude=["file"])
    evidence._history_user = added_by
    evidence.save()
    if asks:
        evidence.asks.set(asks)
        _evidence_on_timeline(asks, evidence, added_by, "added")
    public_changed(campaign_id=evidence.campaign_id)
    return evidence


def _check_asks_of_campaign(evidence: Evidence, asks) -> None:
    if any(ask.campaign_id != evidence.campaign_id for ask in asks):
        raise ValidationError({"asks": "Evidence can support only asks of its own campaign."})


@transaction.atomic
def evidence_update(*, evidence: Evidence, actor, asks, file=None, content_type: str = "", **fields) -> Evidence:
    """Save an edit of an evidence item and the asks it bears on. A new file
    replaces the old one (which stays on disk, so nothing is lost); ``file=False``
    removes the file from the item."""
    _check_asks_of_campaign(evidence, asks)
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    for name, value in fields.items():
        setattr(current, name, value)
    if file:
        _attach_file(current, file, content_type)
    elif file is False:
        current.file, current.original_filename, current.content_type, current.file_size = "", "", "", None
    current.read_reference()
    current.full_clean(exclude=["file"])
    current._history_user = actor
    current.save()
    linked_before = set(current.asks.all())
    current.asks.set(asks)
    _evidence_on_timeline(set(asks) - linked_before, current, actor, "linked to this ask")
    _evidence_on_timeline(linked_before - set(asks), current, actor, "no longer linked to this ask")
    public_changed(campaign_id=current.campaign_id)
    return current


@transaction.atomic
def evidence_soft_delete(*, evidence: Evidence, actor) -> None:
    """Hide an evidence item everywhere; an admin can restore it."""
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    current.deleted_at = timezone.now()
    current._history_user = actor
    current.save(update_fields=["deleted_at"])
    evidence.deleted_at = current.deleted_at
    _evidence_on_timeline(current.asks.all(), current, actor, "removed")
    public_changed(campaign_id=current.campaign_id)


# --- Campaign details and memberships, run by the campaign's leads ------------------

LAST_LEAD_MESSAGE = (
    "{user} is this campaign's only lead, and a campaign always keeps at least one lead. "
    "Make another member lead first."
)
UNKNOWN_EMAIL_MESSAGE = "No active account uses this email; ask an admin to create it."


def _require_campaign_lead(*, campaign, actor) -> None:
    """The same rule as the pages (``get_campaign_for(..., need="lead")``), here
    too so the admin, commands and any future page cannot skip it."""
    if actor is None or not actor.is_active:
        raise PermissionDenied("Only an active user can change a campaign.")
    if actor.is_superuser:
        return
    if not Membership.objects.filter(campaign=campaign, user=actor, role=Role.LEAD).exists():
        raise PermissionDenied("Only a lead of this campaign can change its details and members.")


def _lock_campaign(campaign):
    """Serialise membership changes per campaign: two leads demoting each other at
    the same moment must not leave the campaign with none."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role. Choose viewer, editor or lead."})


def _refuse_losing_last_lead(membership) -> None:
    if membership.role != Role.LEAD:
        return
    other_leads = Membership.objects.filter(campaign_id=membership.campaign_id, role=Role.LEAD).exclude(
        pk=membership.pk
    )
    if not other_leads.exists():
        raise ValidationError({"role": LAST_LEAD_MESSAGE.format(user=membership.user)})


def campaign_version(campaign) -> str:
    """What a campaign form carries to notice a save made since it was loaded:
    every save of a campaign (this page, the admin, the import) moves
    ``updated_at``, and nothing else saves one (membership changes do not)."""
    return campaign.updated_at.isoformat()


@transaction.atomic
def campaign_update(*, campaign, actor, expected_version: str | None = None, **fields):
    """Save a lead's edit of the campaign's details. The slug is not editable:
    people bookmark /campaigns/<slug>/. With ``expected_version`` (from
    ``campaign_version``), refuse with StaleEditError if anyone saved since."""
    unknown = set(fields) - set(CAMPAIGN_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"campaign_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _require_campaign_lead(campaign=campaign, actor=actor)
    current = _lock_campaign(campaign)
    if expected_version is not None and campaign_version(current) != expected_version:
        raise StaleEditError(
            "Someone else saved this campaign's details while you were editing them. Your changes were not "
            "saved: compare them with the details saved meanwhile, shown above, and save again."
        )
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current._history_user = actor
    current.save()
    for name in (*fields, "updated_at"):
        setattr(campaign, name, getattr(current, name))
    return current


@transaction.atomic
def membership_add(*, campaign, email: str, role: str, actor):
    """Add an existing, active account to the campaign by its email (any case)."""
    _require_campaign_lead(campaign=campaign, actor=actor)
    _check_role(role)
    _lock_campaign(campaign)
    email = (email or "").strip()
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None:
        raise ValidationError({"email": UNKNOWN_EMAIL_MESSAGE})
    existing = Membership.objects.filter(campaign=campaign, user=user).first()
    if existing is not None:
        raise ValidationError(
            {"email": f"{user} is already a member ({existing.get_role_display()}). Change their role in the list."}
        )
    membership = Membership(campaign=campaign, user=user, role=role)
    membership._history_user = actor
    membership.save()
    return membership


@transaction.atomic
def membership_change_role(*, membership, role: str, actor):
    """Give a member another role; the campaign's last lead cannot be demoted."""
    _require_campaign_lead(campaign=membership.campaign, actor=actor)
    _check_role(role)
    _lock_campaign(membership.campaign)
    current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError("This member was removed meanwhile.")
    if current.role == role:
        raise ValidationError({"role": f"{current.user} already is {current.get_role_display().lower()}."})
    _refuse_losing_last_lead(current)
    current.role = role
    current._history_user = actor
    current.save(update_fields=["role"])
    membership.role = role
    return current


@transaction.atomic
def membership_remove(*, membership, actor) -> None:
    """Take a member off the campaign; the campaign's last lead cannot be removed."""
    _require_campaign_lead(campaign=membership.campaign, actor=actor)
    _lock_campaign(membership.campaign)
    current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if current is None:
        return  # removed meanwhile: what the lead wanted already holds
    _refuse_losing_last_lead(current)
    current._history_user = actor
    current.delete()


# --- The UN calendar -----------------------------------------------------------------

UN_CALENDAR_FILE = Path(__file__).resolve().parent / "data" / "un_calendar.json"
MEETING_FIELDS = ("starts_on", "ends_on", "confirmed", "source_url", "note")


def _meeting_values(row: dict) -> dict:
    values = {name: row.get(name, "") for name in MEETING_FIELDS}
    values["starts_on"] = datetime.date.fromisoformat(row["starts_on"])
    values["ends_on"] = datetime.date.fromisoformat(row["ends_on"])
    values["confirmed"] = bool(row.get("confirmed", False))
    values["note"] = values["note"] or ""
    return values


def _review_upsert(meeting: UNMeeting, row: dict) -> None:
    values = {
        "starts_on": datetime.date.fromisoformat(row["starts_on"]),
        "ends_on": datetime.date.fromisoformat(row["ends_on"]) if row.get("ends_on") else None,
        "note": row.get("note", ""),
    }
    review = UNReview.objects.filter(meeting=meeting, country=row["country"]).first()
    if review is None:
        UNReview.objects.create(meeting=meeting, country=row["country"], **values)
    elif any(getattr(review, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(review, name, value)
        review.save()


@transaction.atomic
def un_calendar_load(*, rows: list[dict], actor=None) -> dict[str, int]:
    """Apply the shipped calendar's rows. A row unchanged since it was last
    applied is skipped, so an admin's correction stays until a release changes
    that row; a changed row moves the asks anchored to its meeting."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        meeting = UNMeeting.objects.select_for_update().filter(body=row["body"], session=row["session"]).first()
        if meeting is not None and meeting.loaded_values == row:
            counts["unchanged"] += 1
            continue
        counts["created" if meeting is None else "updated"] += 1
        meeting = meeting or UNMeeting(body=row["body"], session=row["session"])
        for name, value in _meeting_values(row).items():
            setattr(meeting, name, value)
        meeting.loaded_values = row
        meeting.full_clean()
        meeting._history_user = actor
        meeting.save()
        for review in row.get("reviews", []):
            _review_upsert(meeting, review)
        un_meeting_follow(meeting=meeting, actor=actor)
    return counts


def un_calendar_file_rows(path: Path = UN_CALENDAR_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["meetings"]


def un_meeting_follow(*, meeting: UNMeeting, actor) -> list[Ask]:
    """After a meeting or its reviews were saved (the admin, ``un_calendar_load``),
    in the same transaction: every open ask anchored to it gets the deadline
    its anchor now gives, and a timeline entry saying so, which the owner's next
    digest reports. The reminders are keyed by deadline, so those for the new
    date become due. Closed asks keep their dates. Returns the asks moved."""
    meeting.refresh_from_db()
    prefetch_related_objects([meeting], "reviews")  # once, for every ask anchored to a review
    asks = list(
        Ask.objects.select_for_update()
        .filter(deadline_meeting=meeting, status__in=OPEN_STATUSES)
        .select_related("deadline_meeting")
        .order_by("id")
    )
    now, moved, updates = timezone.now(), [], []
    for ask in asks:
        result = anchored(meeting, ask.deadline_anchor, ask.deadline_offset_days, ask.deadline_review_country)
        if result is None or (ask.deadline, ask.deadline_reason, ask.deadline_provisional) == tuple(result):
            continue  # e.g. a review taken off the meeting: the ask keeps its last date
        old = ask.deadline
        ask.deadline, ask.deadline_reason, ask.deadline_provisional = result
        if old != ask.deadline:
            ask.version, ask.last_activity_at = ask.version + 1, now
            note = f"Deadline moved with {meeting.name}: {moved_phrase(old, ask.deadline)}"
            updates.append(
                Update(
                    ask=ask, campaign_id=ask.campaign_id, note=note, created_at=now, author=actor, is_deadline_move=True
                )
            )
            moved.append(ask)
        ask._history_user = actor
        ask.save()
    Update.objects.bulk_create(updates)
    return moved
