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
    OUTCOME_STATUSES,
    RATIONALE_STATUSES,
    STATUS_LABELS,
    Ask,
    AskStatus,
    Campaign,
    Evidence,
    Membership,
    NameGuardOverride,
    NamesExport,
    Organisation,
    Outcome,
    Person,
    Role,
    Signature,
    Target,
    TargetResponse,
    UNMeeting,
    UNReview,
    Update,
    new_pseudonym,
)
from campaign.people import people_named_in
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


# --- The name guard -------------------------------------------------------------

NAME_GUARD_MESSAGE = (
    "This names a person at risk. Write their pseudonym instead ({pseudonyms}): a name in shared text "
    "reaches emails, exports and viewers."
)
NAME_GUARD_LEAD_HINT = " As a lead you can save it anyway; that is logged."


class NameGuardError(ValidationError):
    """Shared text names a person at risk; ``people`` says whom (never shown by name)."""

    def __init__(self, errors: dict, *, people):
        super().__init__(errors)
        self.people = people


def is_campaign_lead(user, campaign_id: int) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(campaign_id=campaign_id, user=user, role=Role.LEAD).exists()


def name_guard_check(*, campaign_id: int, texts: dict[str, str], author, override: bool = False) -> None:
    """Refuse ``texts`` (field name -> text) that name one of the campaign's
    people at elevated or high risk, by any of their spellings. A lead (or an
    admin) may ``override``; each override is logged, one row per person and field.
    Every service that saves shared text calls this, so the web, the admin, the
    imports and the jobs are all covered."""
    texts = {field: text for field, text in texts.items() if text}
    if not texts:
        return
    people = list(Person.objects.filter(campaign_id=campaign_id).at_risk())
    if not people:
        return
    named = {field: people_named_in(text, people) for field, text in texts.items()}
    named = {field: found for field, found in named.items() if found}
    if not named:
        return
    if override and is_campaign_lead(author, campaign_id):
        NameGuardOverride.objects.bulk_create(
            NameGuardOverride(campaign_id=campaign_id, person=person, user=author, field=field)
            for field, found in named.items()
            for person in found
        )
        return
    hint = NAME_GUARD_LEAD_HINT if is_campaign_lead(author, campaign_id) else ""
    errors = {
        field: NAME_GUARD_MESSAGE.format(pseudonyms=", ".join(p.pseudonym for p in found)) + hint
        for field, found in named.items()
    }
    raise NameGuardError(errors, people=sorted({p for found in named.values() for p in found}, key=str))


def _lock(ask: Ask) -> Ask:
    """Re-read the ask under a row lock (PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers)."""
    return Ask.all_objects.select_for_update().get(pk=ask.pk)


# "A few sentences rather than a word".
RATIONALE_MIN_LENGTH = 80


def outcome_errors(*, ask: Ask, new_status: str, evidence, response: str, rationale: str, today=None) -> dict:
    """What a move to ``new_status`` still lacks, by field; empty when nothing.
    The one statement of the rule: ``ask_change_status`` enforces it, and the
    admin's form asks it to put each message beside its field."""
    errors = {}
    if new_status not in RATIONALE_STATUSES:
        return errors
    label = STATUS_LABELS[new_status].lower()
    if len((rationale or "").strip()) < RATIONALE_MIN_LENGTH:
        errors["rationale"] = (
            f"Say why the ask is {label}, in a few sentences (at least {RATIONALE_MIN_LENGTH} characters): "
            "the team and later readers judge the outcome by it."
        )
    if new_status not in OUTCOME_STATUSES:
        return errors
    if evidence is None:
        errors["evidence"] = (
            f"Choose the evidence that shows the ask is {label}: the reply, the resolution or the report. "
            "Add it to the ask first if it is not in the tracker yet."
        )
    elif evidence.campaign_id != ask.campaign_id or evidence.deleted_at is not None:
        errors["evidence"] = "The evidence must be a live item of the ask's own campaign."
    today = today or timezone.localdate()
    if response not in TargetResponse.values:
        errors["response"] = "Say how the target responded: supported, noted, rejected or no reply."
    elif response == TargetResponse.NO_REPLY and (ask.deadline is None or ask.deadline >= today):
        when = f"after its deadline ({ask.deadline:%d %B %Y})" if ask.deadline else "once it has a deadline that passed"
        errors["response"] = f"“No reply” can be recorded only {when}; until then the target may still answer."
    return errors


@transaction.atomic
def ask_change_status(
    *,
    ask: Ask,
    new_status: str,
    author,
    note: str,
    evidence: Evidence | None = None,
    response: str = "",
    rationale: str = "",
    name_override: bool = False,
) -> Update:
    """Change an ask's status and write exactly one Update, in one transaction.

    Met, partially met and not met rest on an evidence item of the campaign
    (linked to the ask if it was not), the target's response and a rationale;
    withdrawn on a rationale. Leaving such a status keeps the outcome as history."""
    if new_status not in AskStatus.values:
        raise ValidationError({"new_status": f"“{new_status}” is not a status."})
    note = (note or "").strip()
    rationale = (rationale or "").strip()
    if not note:
        raise ValidationError({"note": "Say what happened: a note is required with every status change."})
    current = _lock(ask)
    name_guard_check(
        campaign_id=current.campaign_id,
        texts={"note": note, "rationale": rationale},
        author=author,
        override=name_override,
    )
    if current.status == new_status:
        raise ValidationError({"new_status": f"The ask is already “{current.get_status_display()}”."})
    errors = outcome_errors(
        ask=current, new_status=new_status, evidence=evidence, response=response, rationale=rationale
    )
    if errors:
        raise ValidationError(errors)
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
    # The judgment that stood is kept, marked as reopened; closing again needs a new one.
    Outcome.objects.filter(ask=current, reopened_at__isnull=True).update(reopened_at=now)
    if new_status in RATIONALE_STATUSES:
        _outcome_record(ask=current, update=update, evidence=evidence, response=response, rationale=rationale)
    current.status, current.last_activity_at, current.version = new_status, now, current.version + 1
    current._history_user = author  # simple-history: who made the change, outside a request too
    current.save(update_fields=["status", "last_activity_at", "updated_at", "version"])
    ask.status, ask.last_activity_at, ask.version = current.status, now, current.version
    if status_change_notify(update=update):  # emails queued in this transaction,
        delivery_enqueue_on_commit()  # delivered once it commits
    return update


def _outcome_record(*, ask: Ask, update: Update, evidence, response: str, rationale: str) -> Outcome:
    if update.new_status not in OUTCOME_STATUSES:
        evidence, response = None, ""  # withdrawn judges nothing of the target
    if evidence is not None and not evidence.asks.filter(pk=ask.pk).exists():
        evidence.asks.add(ask)
        _evidence_on_timeline([ask], evidence, update.author, "linked to this ask as the outcome's evidence")
    return Outcome.objects.create(
        ask=ask,
        update=update,
        status=update.new_status,
        evidence=evidence,
        response=response,
        rationale=rationale,
        author=update.author,
        created_at=update.created_at,
    )


@transaction.atomic
def ask_add_note(*, ask: Ask, author, note: str, name_override: bool = False) -> Update:
    """Log a plain update on the timeline ("letter sent", "meeting held")."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Write what happened."})
    name_guard_check(campaign_id=ask.campaign_id, texts={"note": note}, author=author, override=name_override)
    now = timezone.now()
    update = Update.objects.create(ask=ask, campaign_id=ask.campaign_id, author=author, note=note, created_at=now)
    Ask.all_objects.filter(pk=ask.pk).update(last_activity_at=now)
    ask.last_activity_at = now
    return update


# --- Asks and evidence from the web pages --------------------------------------


@transaction.atomic
def ask_create(*, author, name_override: bool = False, **fields) -> Ask:
    """Record a new ask. ``fields`` are the ask's editable fields (and optionally its status)."""
    unknown = set(fields) - set(ASK_EDITABLE_FIELDS) - set(ASK_ANCHOR_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"ask_create() got unexpected fields: {', '.join(sorted(unknown))}")
    if fields.get("status") in RATIONALE_STATUSES:
        raise ValidationError(
            {
                "status": "A new ask starts open (or as a draft): record it, then change its status with the "
                "outcome's evidence, the target's response and a rationale."
            }
        )
    ask = Ask(**fields)
    _deadline_from_anchor(ask)
    guard_ask_text(ask, author=author, override=name_override)
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
def ask_update(*, ask: Ask, author, expected_version: int, name_override: bool = False, **fields) -> Ask:
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
    guard_ask_text(current, author=author, override=name_override)
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


# The ask's text that reaches emails, exports, the calendar and viewers.
ASK_GUARDED_FIELDS = ("title", "wording", "deadline_reason", "source_title")


def guard_ask_text(ask: Ask, *, author, override: bool) -> None:
    texts = {name: getattr(ask, name) for name in ASK_GUARDED_FIELDS}
    name_guard_check(campaign_id=ask.campaign_id, texts=texts, author=author, override=override)


# What an evidence item shows to everyone who sees it; the original file name
# comes back in every download's Content-Disposition.
EVIDENCE_GUARDED_FIELDS = ("title", "summary", "reference")


def guard_evidence_text(evidence: Evidence, *, author, override: bool) -> None:
    texts = {name: getattr(evidence, name) for name in EVIDENCE_GUARDED_FIELDS}
    texts["file"] = evidence.original_filename
    name_guard_check(campaign_id=evidence.campaign_id, texts=texts, author=author, override=override)


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
def evidence_add(
    *, campaign, added_by, asks=(), file=None, content_type: str = "", name_override: bool = False, **fields
):
    """Store a piece of evidence, linked to ``asks``."""
    evidence = Evidence(campaign=campaign, added_by=added_by, **fields)
    if file:
        _attach_file(evidence, file, content_type)
    evidence.read_reference()
    guard_evidence_text(evidence, author=added_by, override=name_override)
    evidence.full_clean(exclude=["file"])
    evidence._history_user = added_by
    evidence.save()
    if asks:
        evidence.asks.set(asks)
        _evidence_on_timeline(asks, evidence, added_by, "added")
    public_changed(campaign_id=evidence.campaign_id)
    return evidence


EVIDENCE_BACKS_OUTCOME = (
    "The outcome of {asks} rests on this evidence, so it stays: reopen the ask, or close it again citing "
    "other evidence, first."
)


def evidence_backed_asks(evidence: Evidence) -> list[Ask]:
    """The asks whose standing outcome cites ``evidence``."""
    return list(Ask.objects.filter(outcomes__evidence=evidence, outcomes__reopened_at__isnull=True).order_by("title"))


def _titles(asks) -> str:
    return ", ".join(f"“{ask.title}”" for ask in asks)


def _check_asks_of_campaign(evidence: Evidence, asks) -> None:
    if any(ask.campaign_id != evidence.campaign_id for ask in asks):
        raise ValidationError({"asks": "Evidence can support only asks of its own campaign."})


@transaction.atomic
def evidence_update(
    *, evidence: Evidence, actor, asks, file=None, content_type: str = "", name_override: bool = False, **fields
) -> Evidence:
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
    guard_evidence_text(current, author=actor, override=name_override)
    current.full_clean(exclude=["file"])
    current._history_user = actor
    current.save()
    linked_before = set(current.asks.all())
    unlinked_backed = [ask for ask in evidence_backed_asks(current) if ask not in set(asks)]
    if unlinked_backed:
        raise ValidationError({"asks": EVIDENCE_BACKS_OUTCOME.format(asks=_titles(unlinked_backed))})
    current.asks.set(asks)
    _evidence_on_timeline(set(asks) - linked_before, current, actor, "linked to this ask")
    _evidence_on_timeline(linked_before - set(asks), current, actor, "no longer linked to this ask")
    public_changed(campaign_id=current.campaign_id)
    return current


@transaction.atomic
def evidence_soft_delete(*, evidence: Evidence, actor) -> None:
    """Hide an evidence item everywhere; an admin can restore it. Not while an
    ask's outcome rests on it."""
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    backed = evidence_backed_asks(current)
    if backed:
        raise ValidationError(EVIDENCE_BACKS_OUTCOME.format(asks=_titles(backed)))
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


# --- People at risk ---------------------------------------------------------------

PERSON_FIELDS = ("name", "other_names", "risk", "consent")


def _require_campaign_editor(*, campaign_id: int, actor) -> None:
    if actor is None or not actor.is_active:
        raise PermissionDenied("Only an active user can change people.")
    if actor.is_superuser:
        return
    roles = [Role.EDITOR, Role.LEAD]
    if not Membership.objects.filter(campaign_id=campaign_id, user=actor, role__in=roles).exists():
        raise PermissionDenied("Only an editor or lead of this campaign can change its people.")


def _check_person_asks(campaign_id: int, asks) -> None:
    if any(ask.campaign_id != campaign_id for ask in asks):
        raise ValidationError({"asks": "A person can be linked only to asks of their own campaign."})


@transaction.atomic
def person_create(*, actor, campaign, asks=(), **fields) -> Person:
    """Record a person an ask concerns, under a fresh pseudonym (retried in the
    rare case it is taken)."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_create() got unexpected fields: {', '.join(sorted(unknown))}")
    _require_campaign_editor(campaign_id=campaign.pk, actor=actor)
    _check_person_asks(campaign.pk, asks)
    person = Person(campaign=campaign, **fields)
    person.full_clean(exclude=["pseudonym"])
    for _attempt in range(20):
        candidate = new_pseudonym()
        if not Person.objects.filter(pseudonym=candidate).exists():
            break
    person.pseudonym = candidate
    person.save()
    if asks:
        person.asks.set(asks)
    return person


@transaction.atomic
def person_update(*, person: Person, actor, asks, **fields) -> Person:
    """Save an edit of a person and the asks that concern them; the pseudonym never changes."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _require_campaign_editor(campaign_id=person.campaign_id, actor=actor)
    _check_person_asks(person.campaign_id, asks)
    current = Person.objects.select_for_update().get(pk=person.pk)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    current.asks.set(asks)
    return current


NAMES_EXPORT_REASON_MIN = 20


@transaction.atomic
def names_export_record(*, campaign, actor, reason: str) -> NamesExport:
    """Log a lead's request for the real names before the file is built:
    who, when and why. No reason, no names."""
    _require_campaign_lead(campaign=campaign, actor=actor)
    reason = (reason or "").strip()
    if len(reason) < NAMES_EXPORT_REASON_MIN:
        raise ValidationError(
            {"reason": "Say why the names must leave the tracker, and for whom: a sentence at least."}
        )
    return NamesExport.objects.create(campaign=campaign, user=actor, reason=reason)


# --- Organisations and signatories ----------------------------------------------------

ORGANISATION_FIELDS = ("name", "country", "website")
ONE_LEAD_DRAFTER = "{organisation} is already this ask's lead drafter; an ask has at most one."


def _require_a_lead_somewhere(actor) -> None:
    """Organisations are shared by all campaigns: any campaign's lead keeps them."""
    if actor is None or not actor.is_active:
        raise PermissionDenied("Only an active user can change organisations.")
    if not actor.is_superuser and not Membership.objects.filter(user=actor, role=Role.LEAD).exists():
        raise PermissionDenied("Only a campaign lead can add or edit organisations.")


def organisation_create(*, actor, **fields) -> Organisation:
    _require_a_lead_somewhere(actor)
    organisation = Organisation(**{name: (value or "").strip() for name, value in fields.items()})
    organisation.full_clean()
    organisation.save()
    return organisation


def organisation_update(*, organisation: Organisation, actor, **fields) -> Organisation:
    _require_a_lead_somewhere(actor)
    for name, value in fields.items():
        setattr(organisation, name, (value or "").strip())
    organisation.full_clean()
    organisation.save()
    return organisation


def _check_lead_drafter(ask: Ask, role: str, organisation: Organisation, *, exclude_pk=None) -> None:
    if role != Signature.Role.LEAD_DRAFTER:
        return
    others = Signature.objects.filter(ask=ask, role=Signature.Role.LEAD_DRAFTER).exclude(pk=exclude_pk)
    current = others.select_related("organisation").first()
    if current is not None:
        raise ValidationError({"role": ONE_LEAD_DRAFTER.format(organisation=current.organisation)})


@transaction.atomic
def signature_add(*, ask: Ask, organisation: Organisation, role: str, signed_on=None, public=False, actor) -> Signature:
    """An organisation signs the ask: at most once, and one lead drafter per ask."""
    current = _lock(ask)
    if Signature.objects.filter(ask=current, organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} has already signed this ask."})
    _check_lead_drafter(current, role, organisation)
    signature = Signature(ask=current, organisation=organisation, role=role, signed_on=signed_on, public=public)
    signature.full_clean()
    signature.save()
    return signature


@transaction.atomic
def signature_remove(*, signature: Signature, actor) -> None:
    _lock(signature.ask)
    signature.delete()


@transaction.atomic
def signatures_replace(*, ask: Ask, entries, actor) -> None:
    """Make the ask's signatures exactly ``entries`` ((organisation, role,
    signed_on, public) tuples): what the admin's import does with a row."""
    current = _lock(ask)
    leads = [entry for entry in entries if entry[1] == Signature.Role.LEAD_DRAFTER]
    if len(leads) > 1:
        raise ValidationError({"signatories": "An ask has at most one lead drafter."})
    names = [entry[0].pk for entry in entries]
    if len(set(names)) != len(names):
        raise ValidationError({"signatories": "An organisation is listed twice."})
    Signature.objects.filter(ask=current).delete()
    Signature.objects.bulk_create(
        Signature(ask=current, organisation=organisation, role=role, signed_on=signed_on, public=public)
        for organisation, role, signed_on, public in entries
    )
