"""The writes that carry the campaign's rules. The web pages, Django admin, the
management commands and the Celery jobs all call these, so a rule holds however
a change is made."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaign.models import Ask, AskStatus, Update
from campaign.notifications import status_change_notify


class StaleEditError(Exception):
    """The ask changed since the form was loaded; the second save is refused."""


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
        ask=current, author=author, note=note, old_status=current.status, new_status=new_status, created_at=now
    )
    current.status, current.last_activity_at, current.version = new_status, now, current.version + 1
    current._history_user = author  # simple-history: who made the change, outside a request too
    current.save(update_fields=["status", "last_activity_at", "updated_at", "version"])
    ask.status, ask.last_activity_at, ask.version = current.status, now, current.version
    status_change_notify(update=update)  # emails queued in this transaction, delivered on commit
    return update


@transaction.atomic
def ask_add_note(*, ask: Ask, author, note: str) -> Update:
    """Log a plain update on the timeline ("letter sent", "meeting held")."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Write what happened."})
    now = timezone.now()
    update = Update.objects.create(ask=ask, author=author, note=note, created_at=now)
    Ask.all_objects.filter(pk=ask.pk).update(last_activity_at=now)
    ask.last_activity_at = now
    return update


# --- Asks and evidence from the web pages --------------------------------------

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


@transaction.atomic
def ask_create(*, author, **fields) -> Ask:
    """Record a new ask. ``fields`` are the ask's editable fields (and optionally its status)."""
    unknown = set(fields) - set(ASK_EDITABLE_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"ask_create() got unexpected fields: {', '.join(sorted(unknown))}")
    ask = Ask(**fields)
    ask._history_user = author
    ask.save()
    return ask


@transaction.atomic
def ask_update(*, ask: Ask, author, expected_version: int, **fields) -> Ask:
    """Save an edit made on a form loaded at ``expected_version``. If anyone saved
    the ask since, refuse with StaleEditError rather than overwrite their change."""
    unknown = set(fields) - set(ASK_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"ask_update() got unexpected fields: {', '.join(sorted(unknown))}")
    current = _lock(ask)
    if current.version != expected_version:
        raise StaleEditError(
            "Someone else saved this ask while you were editing it. Your changes were not saved: "
            "compare them with the current version below and save again."
        )
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.last_activity_at = timezone.now()
    current._history_user = author
    current.save()
    return current


@transaction.atomic
def ask_soft_delete(*, ask: Ask, author) -> None:
    """Hide an ask everywhere; an admin can restore it through ``Ask.all_objects``."""
    current = _lock(ask)
    current.deleted_at = timezone.now()
    current._history_user = author
    current.save(update_fields=["deleted_at", "updated_at"])
    ask.deleted_at = current.deleted_at


@transaction.atomic
def evidence_add(*, campaign, added_by, asks=(), file=None, content_type: str = "", **fields):
    """Store a piece of evidence, linked to ``asks``. For a file, the original
    name, its type and size are kept; the stored name is random (see the model)."""
    from campaign.models import Evidence
    from campaign.uploads import clean_filename

    evidence = Evidence(campaign=campaign, added_by=added_by, **fields)
    if file:
        evidence.file = file
        evidence.original_filename = clean_filename(getattr(file, "name", "") or "")
        evidence.content_type = (content_type or getattr(file, "content_type", "") or "")[:100]
        evidence.file_size = file.size
    evidence.full_clean(exclude=["file"])
    evidence._history_user = added_by
    evidence.save()
    if asks:
        evidence.asks.set(asks)
        Ask.all_objects.filter(pk__in=[a.pk for a in asks]).update(last_activity_at=timezone.now())
    return evidence
