"""Export a whole campaign to JSON (plus its evidence files) and import it into
another installation: ``export_campaign SLUG`` and ``import_campaign FILE``.

The export names people by email and targets by name, never by database id, so
it can be imported into an empty database and give the same rows. Soft-deleted
asks and evidence travel too: an export is a backup, not a report.
"""

import datetime
import json
import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from campaign.models import CAMPAIGN_EDITABLE_FIELDS, Ask, Campaign, Evidence, Membership, Target, Update

FORMAT = "campaign-tracker-export"
VERSION = 1
DATA_NAME = "campaign.json"
# Exported files get plain generated names: an archive can never name a path
# outside its own files/ folder.
FILE_NAME_PATTERN = re.compile(r"^files/[0-9]{1,9}(\.[a-z0-9]{1,10})?$")

CAMPAIGN_FIELDS = ["slug", *CAMPAIGN_EDITABLE_FIELDS]
ASK_FIELDS = [
    "title",
    "wording",
    "source_title",
    "source_url",
    "source_date",
    "status",
    "priority",
    "deadline",
    "deadline_reason",
    "created_at",
    "last_activity_at",
    "version",
    "deleted_at",
]
UPDATE_FIELDS = ["created_at", "note", "old_status", "new_status"]
EVIDENCE_FIELDS = [
    "kind",
    "title",
    "reference",
    "url",
    "original_filename",
    "content_type",
    "file_size",
    "published_on",
    "summary",
    "assessment",
    "sensitivity",
    "added_at",
    "deleted_at",
]


class TransferError(Exception):
    """The export cannot be imported; the message says why, for the command line."""


# --- Export ------------------------------------------------------------------


def _value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _email(user) -> str | None:
    return user.email if user else None


def campaign_export_data(campaign: Campaign) -> tuple[dict, dict[str, Evidence]]:
    """The JSON-ready description of ``campaign`` and the evidence whose file
    goes into the archive under each exported file name."""
    asks = list(Ask.all_objects.filter(campaign=campaign).select_related("target", "owner").order_by("id"))
    ask_keys = {ask.pk: number for number, ask in enumerate(asks, start=1)}
    memberships = list(campaign.memberships.select_related("user").order_by("user__email"))
    updates = list(
        Update.objects.filter(ask__in=[a.pk for a in asks]).select_related("author").order_by("created_at", "id")
    )
    evidence = list(Evidence.all_objects.filter(campaign=campaign).select_related("added_by").order_by("id"))
    # Through the link table: the asks relation would hide soft-deleted asks.
    links: dict[int, list[int]] = {}
    for evidence_id, ask_id in Evidence.asks.through.objects.filter(evidence__campaign=campaign).values_list(
        "evidence_id", "ask_id"
    ):
        if ask_id in ask_keys:
            links.setdefault(evidence_id, []).append(ask_keys[ask_id])
    users = {m.user for m in memberships} | {a.owner for a in asks} | {u.author for u in updates}
    users |= {e.added_by for e in evidence}
    files: dict[str, Evidence] = {}
    evidence_rows = []
    for number, item in enumerate(evidence, start=1):
        file_name = ""
        if item.file:
            file_name = f"files/{number}{PurePosixPath(item.file.name).suffix.lower()[:11]}"
            files[file_name] = item
        evidence_rows.append(
            {"asks": sorted(links.get(item.pk, [])), "file": file_name, "added_by": _email(item.added_by)}
            | {f: _value(getattr(item, f)) for f in EVIDENCE_FIELDS}
        )
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "campaign": {f: _value(getattr(campaign, f)) for f in CAMPAIGN_FIELDS}
        | {"created_at": _value(campaign.created_at)},
        "users": [
            {"email": u.email, "full_name": u.full_name, "timezone": u.timezone}
            for u in sorted((u for u in users if u), key=lambda u: u.email)
        ],
        "memberships": [
            {"user": m.user.email, "role": m.role, "created_at": _value(m.created_at)} for m in memberships
        ],
        "targets": [
            {"name": t.name, "kind": t.kind, "description": t.description}
            for t in sorted({a.target for a in asks}, key=lambda t: t.name)
        ],
        "asks": [
            {"key": ask_keys[a.pk], "target": a.target.name, "owner": _email(a.owner)}
            | {f: _value(getattr(a, f)) for f in ASK_FIELDS}
            for a in asks
        ],
        "updates": [
            {"ask": ask_keys[u.ask_id], "author": _email(u.author)} | {f: _value(getattr(u, f)) for f in UPDATE_FIELDS}
            for u in updates
        ],
        "evidence": evidence_rows,
    }
    return data, files


def campaign_export(*, campaign: Campaign, output_dir: Path, as_zip: bool = False) -> Path:
    """Write ``campaign`` to ``output_dir``: a folder ``<slug>/`` holding
    campaign.json and files/, or the same as ``<slug>.zip``. Returns the path."""
    data, files = campaign_export_data(campaign)
    output_dir.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    if as_zip:
        path = output_dir / f"{campaign.slug}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(DATA_NAME, payload)
            for name, item in files.items():
                with item.file.open("rb") as source, archive.open(name, "w") as target:
                    shutil.copyfileobj(source, target)
        return path
    folder = output_dir / campaign.slug
    if folder.exists():
        raise TransferError(f"{folder} already exists; choose another --output or remove it.")
    (folder / "files").mkdir(parents=True)
    (folder / DATA_NAME).write_text(payload, encoding="utf-8")
    for name, item in files.items():
        with item.file.open("rb") as source, (folder / name).open("wb") as target:
            shutil.copyfileobj(source, target)
    return folder


# --- Import ------------------------------------------------------------------


def _read_export(path: Path) -> tuple[dict, "_FileSource"]:
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        try:
            data = json.loads(archive.read(DATA_NAME))
        except KeyError as error:
            raise TransferError(f"{path} has no {DATA_NAME}.") from error
        return data, _FileSource(archive=archive)
    folder = path if path.is_dir() else path.parent
    data_path = path / DATA_NAME if path.is_dir() else path
    try:
        data = json.loads(data_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TransferError(f"{data_path} does not exist.") from error
    except json.JSONDecodeError as error:
        raise TransferError(f"{data_path} is not JSON: {error}") from error
    return data, _FileSource(folder=folder)


class _FileSource:
    """Exported files, from a folder or a zip, by the names campaign.json gives."""

    def __init__(self, *, folder: Path | None = None, archive: zipfile.ZipFile | None = None):
        self.folder, self.archive = folder, archive

    def open(self, name: str):
        if not FILE_NAME_PATTERN.match(name):
            raise TransferError(f"Refusing the file name {name!r}: not one this app exports.")
        try:
            if self.archive is not None:
                return self.archive.open(name)
            return (self.folder / name).open("rb")
        except (KeyError, FileNotFoundError) as error:
            raise TransferError(f"The export lists {name} but the file is missing.") from error

    def close(self):
        if self.archive is not None:
            self.archive.close()


def _datetime(value):
    return parse_datetime(value) if value else None


def _date(value):
    return parse_date(value) if value else None


def _typed(model, fields: list[str], row: dict) -> dict:
    values = {}
    for name in fields:
        field = model._meta.get_field(name)
        value = row.get(name)
        if field.get_internal_type() == "DateTimeField":
            value = _datetime(value)
        elif field.get_internal_type() == "DateField":
            value = _date(value)
        values[name] = value
    return values


def campaign_import(*, path: Path) -> Campaign:
    """Create the campaign described by the export at ``path`` (a folder, its
    campaign.json, or a zip). Refuses a campaign whose slug already exists.
    People missing here are created inactive with no usable password: an
    administrator activates them and they set a password by reset."""
    data, files = _read_export(path)
    saved_files: list = []
    try:
        with transaction.atomic():
            return _import(data, files, saved_files)
    except Exception:
        # The rows rolled back; do not leave their files behind in storage.
        for stored in saved_files:
            stored.storage.delete(stored.name)
        raise
    finally:
        files.close()


def _import(data: dict, files: _FileSource, saved_files: list) -> Campaign:
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise TransferError(f"Not a version {VERSION} campaign export.")
    slug = data["campaign"]["slug"]
    if Campaign.objects.filter(slug=slug).exists():
        raise TransferError(f"A campaign with the slug “{slug}” already exists; import into an empty database.")
    users = _import_users(data["users"])

    campaign = Campaign(**_typed(Campaign, CAMPAIGN_FIELDS, data["campaign"]))
    _full_clean(campaign, f"campaign {slug}")
    campaign.save()
    # auto_now_add fields take the original time only through an update.
    Campaign.objects.filter(pk=campaign.pk).update(created_at=_datetime(data["campaign"]["created_at"]))
    for row in data["memberships"]:
        membership = Membership.objects.create(campaign=campaign, user=users[row["user"]], role=row["role"])
        Membership.objects.filter(pk=membership.pk).update(created_at=_datetime(row["created_at"]))

    targets = {}
    for row in data["targets"]:
        targets[row["name"]], _ = Target.objects.get_or_create(
            name=row["name"], defaults={"kind": row["kind"], "description": row["description"]}
        )
    asks = {}
    for row in data["asks"]:
        ask = Ask(
            campaign=campaign,
            target=targets[row["target"]],
            owner=users.get(row["owner"]),
            **_typed(Ask, ASK_FIELDS, row),
        )
        _full_clean(ask, f"ask {row['title']!r}")
        ask.save()
        asks[row["key"]] = ask
    Update.objects.bulk_create(
        Update(
            ask=asks[row["ask"]],
            campaign=campaign,
            author=users.get(row["author"]),
            **_typed(Update, UPDATE_FIELDS, row),
        )
        for row in data["updates"]
    )
    for row in data["evidence"]:
        item = Evidence(
            campaign=campaign, added_by=users.get(row["added_by"]), **_typed(Evidence, EVIDENCE_FIELDS, row)
        )
        if row["file"]:
            with files.open(row["file"]) as source:
                item.file.save(row["original_filename"] or PurePosixPath(row["file"]).name, File(source), save=False)
            saved_files.append(item.file)
        _full_clean(item, f"evidence {row['title']!r}")
        item.save()
        item.asks.set([asks[key] for key in row["asks"]])
    return campaign


def _import_users(rows: list[dict]) -> dict:
    User = get_user_model()
    users = {}
    for row in rows:
        user = User.objects.filter(email__iexact=row["email"]).first()
        if user is None:
            user = User.objects.create_user(
                row["email"], None, full_name=row["full_name"], timezone=row["timezone"], is_active=False
            )
        users[row["email"]] = user
    return users


def _full_clean(obj, what: str) -> None:
    # Unique checks off: the slug was checked above, and validate_unique would
    # query per row; the database constraints still hold.
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as error:
        raise TransferError(f"The export's {what} is invalid: {error.messages}") from error
