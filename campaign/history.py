"""Field-level audit history (django-simple-history) as the ask page shows it:
who changed which field, when, from what to what.

Status changes are left out by default: each already has its Update, with the
note saying why, on the same timeline.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from campaign.models import ASK_EDITABLE_FIELDS, Ask, Campaign, Target

# What the timeline shows; the record-keeping fields (version, timestamps) are not news.
ASK_TRACKED_FIELDS = [*ASK_EDITABLE_FIELDS, "status", "deleted_at"]


@dataclass(frozen=True)
class FieldChange:
    # Our own diff rather than simple-history's diff_against, which skips
    # non-editable fields such as deleted_at.
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    is_history = True  # beside Updates on a timeline, how a template tells the two apart
    when: datetime.datetime
    who: object  # the user, or None for a job or a command
    kind: str  # "created", "changed", "deleted", "restored"
    field: str = ""  # the field's name, e.g. "deadline"
    label: str = ""  # what a person calls it, e.g. "Deadline"
    old: str = ""
    new: str = ""

    @property
    def created_at(self) -> datetime.datetime:
        """Same name as Update.created_at, so one sort key orders the merged timeline."""
        return self.when


def ask_history_entries(ask: Ask, *, include_status: bool = False) -> list[HistoryEntry]:
    """Every recorded change of ``ask``, newest first, one entry per changed field.

    Four queries however long the history: the records (with their users), then
    the campaigns, targets and users the changed foreign keys name."""
    records = list(ask.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = [f for f in ASK_TRACKED_FIELDS if include_status or f != "status"]
    changes = []  # (record, change) pairs
    for previous, record in zip([None, *records], records, strict=False):
        if previous is None or record.history_type == "+":
            changes.append((record, None))
            continue
        for field in fields:
            attname = Ask._meta.get_field(field).attname
            old, new = getattr(previous, attname), getattr(record, attname)
            if old != new:
                changes.append((record, FieldChange(field, old, new)))
    names = _foreign_key_names(change for _, change in changes if change)
    entries = [_entry(record, change, names) for record, change in changes]
    if entries and entries[0].kind == "created" and ask.created_at < entries[0].when:
        # An ask recorded after the fact (an import, the demo) says when it was really made.
        entries[0] = dataclasses.replace(entries[0], when=ask.created_at)
    entries.reverse()
    return entries


def _foreign_key_names(changes) -> dict:
    ids = {"campaign": set(), "target": set(), "owner": set()}
    for change in changes:
        if change.field in ids:
            ids[change.field].update(v for v in (change.old, change.new) if v is not None)
    return {
        "target": {t.pk: str(t) for t in Target.objects.filter(pk__in=ids["target"])},
        "owner": {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids["owner"])},
        "campaign": {c.pk: str(c) for c in Campaign.objects.filter(pk__in=ids["campaign"])},
    }


def _display(field: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field in names:
        return names[field].get(value, f"#{value} (deleted)")
    model_field = Ask._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _entry(record, change, names) -> HistoryEntry:
    who = record.history_user
    if change is None:
        return HistoryEntry(when=record.history_date, who=who, kind="created")
    if change.field == "deleted_at":
        kind = "deleted" if change.new else "restored"
        return HistoryEntry(when=record.history_date, who=who, kind=kind)
    return HistoryEntry(
        when=record.history_date,
        who=who,
        kind="changed",
        field=change.field,
        label=str(Ask._meta.get_field(change.field).verbose_name).capitalize(),
        old=_display(change.field, change.old, names),
        new=_display(change.field, change.new, names),
    )
