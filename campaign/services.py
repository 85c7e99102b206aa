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
