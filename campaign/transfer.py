"""Export a whole campaign to JSON (plus its evidence files) and import it into
another installation: ``export_campaign SLUG`` and ``import_campaign FILE``.

The export names people by email and targets by name, never by database id, so
it can be imported into an empty database and give the same rows. Soft-deleted
asks and evidence travel too: an export is a backup, not a report.

The people the asks concern travel by pseudonym, risk and consent only: the
file is copied between machines and people, so it never carries a real name
(a lead's logged names export is the one file that does). An imported person
is named by their pseudonym until someone who knows them fills the name in.
"""

import datetime
import json
import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from campaign.models import (
    CAMPAIGN_EDITABLE_FIELDS,
    Ask,
    Campaign,
    Evidence,
    Membership,
    Organisation,
    Outcome,
    Person,
    Signature,
    Target,
    Update,
)
from campaign.people import Surface, person_display_name

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
        "people": _people_rows(campaign, ask_keys),
        "signatures": [
            {"ask": ask_keys[sig.ask_id], "organisation": sig.organisation.name}
            | {"country": sig.organisation.country, "website": sig.organisation.website}
            | {f: _value(getattr(sig, f)) for f in SIGNATURE_FIELDS}
            for sig in Signature.objects.filter(ask__in=[a.pk for a in asks])
            .select_related("organisation")
            .order_by("ask_id", "organisation__name")
        ],
        "outcomes": _outcome_rows(asks, ask_keys, {item.pk: number for number, item in enumerate(evidence, start=1)}),
    }
    return data, files


SIGNATURE_FIELDS = ["role", "signed_on", "public"]
OUTCOME_FIELDS = ["status", "response", "rationale", "created_at", "reopened_at"]


def _outcome_rows(asks, ask_keys: dict[int, int], evidence_numbers: dict[int, int]) -> list[dict]:
    """Each outcome with its ask's key and its evidence's place in "evidence"
    (from 1); its status change is the ask's update of the same moment."""
    outcomes = (
        Outcome.objects.filter(ask__in=[a.pk for a in asks]).select_related("author").order_by("created_at", "id")
    )
    return [
        {
            "ask": ask_keys[outcome.ask_id],
            "evidence": evidence_numbers.get(outcome.evidence_id),
            "author": _email(outcome.author),
        }
        | {f: _value(getattr(outcome, f)) for f in OUTCOME_FIELDS}
        for outcome in outcomes
    ]


PERSON_FIELDS = ["risk", "consent", "created_at"]


def _people_rows(campaign: Campaign, ask_keys: dict[int, int]) -> list[dict]:
    links: dict[int, list[int]] = {}
    for person_id, ask_id in Person.asks.through.objects.filter(person__campaign=campaign).values_list(
        "person_id", "ask_id"
    ):
        if ask_id in ask_keys:
            links.setdefault(person_id, []).append(ask_keys[ask_id])
    return [
        {"pseudonym": person_display_name(person, role=None, surface=Surface.TRANSFER)}
        | {"asks": sorted(links.get(person.pk, []))}
        | {f: _value(getattr(person, f)) for f in PERSON_FIELDS}
        for person in campaign.people.order_by("pseudonym")
    ]


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


def campaign_import(*, path: Path) -> Campaign:
    """Create the campaign described by the export at ``path`` (a folder, its
    campaign.json, or a zip). Refuses a campaign whose slug already exists.
    People missing here are created inactive with no usable password: an
    administrator activates them and they set a password by reset.

    Every row is checked as a form would check it (``full_clean``) before it is
    saved, in one transaction: a file with one bad row imports nothing, and
    the error names the row, the field and the value."""
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


# Field types whose value the export writes as a JSON string.
TEXT_TYPES = frozenset({"CharField", "TextField", "SlugField", "URLField", "EmailField", "FileField"})
INTEGER_TYPES = frozenset(
    {"IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "BigIntegerField"}
)


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _refuse(where: str, problem: str) -> TransferError:
    return TransferError(f"Nothing was imported: {where}: {problem}")


def _rows(data: dict, kind: str) -> list[tuple[str, dict]]:
    """The rows of one section, each with the name errors give it: ``asks[3]``."""
    rows = data.get(kind)
    if not isinstance(rows, list):
        raise _refuse(kind, f"expected a list of rows, found {_shown(rows)}.")
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise _refuse(f"{kind}[{index}]", f"expected an object, found {_shown(row)}.")
    return [(f"{kind}[{index}]", row) for index, row in enumerate(rows)]


def _get(where: str, row: dict, name: str, *types: type):
    """``row[name]``, refused if missing or not of one of ``types``."""
    if name not in row:
        raise _refuse(where, f"the field {name} is missing.")
    value = row[name]
    # bool is an int in Python, never in an export.
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise _refuse(where, f"{name} {_shown(value)} is not of the expected type.")
    if isinstance(value, str) and not _storable(value):
        raise _refuse(where, f"{name} {_shown(value)} holds a NUL or an unpaired surrogate, which no database stores.")
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise _refuse(where, f"{name} {_shown(value)} is too large.")
    return value


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _typed(model, fields, where: str, row: dict) -> dict:
    """The model field values of ``row``, refused when one has the wrong JSON
    type or is not a date; ``full_clean`` checks the rest."""
    values = {}
    for name in fields:
        field = model._meta.get_field(name)
        value = row.get(name)
        if name not in row:
            raise _refuse(where, f"the field {name} is missing.")
        kind = field.get_internal_type()
        if value is None:
            # A blank text field skips full_clean's checks, and so does a
            # field set by an update after it (auto_now_add): refuse null here.
            if not field.null and (kind in TEXT_TYPES or not field.blank or not field.editable):
                raise _refuse(where, f"{name} is null; it needs a value.")
        elif kind in ("DateTimeField", "DateField"):
            _get(where, row, name, str)
            value = _parse_when(where, name, value, datetime_wanted=kind == "DateTimeField")
        elif kind in TEXT_TYPES:
            _get(where, row, name, str)
        elif kind in INTEGER_TYPES:
            _get(where, row, name, int)
        elif kind == "BooleanField":
            _get(where, row, name, bool)
        values[name] = value
    return values


def _parse_when(where: str, name: str, value, *, datetime_wanted: bool):
    parse, example = (parse_datetime, "2026-03-02T12:00:00+00:00") if datetime_wanted else (parse_date, "2026-03-02")
    try:
        parsed = parse(value) if isinstance(value, str) else None
    except ValueError:  # well-formed but impossible, such as 2026-02-30
        parsed = None
    if parsed is None:
        raise _refuse(where, f"{name} {_shown(value)} is not a date like {example}.")
    if datetime_wanted:
        if timezone.is_naive(parsed):
            raise _refuse(where, f"{name} {_shown(value)} has no UTC offset, like {example}.")
        try:
            parsed.astimezone(datetime.UTC)  # how the database stores it
        except OverflowError:
            parsed = None
        if parsed is None:
            raise _refuse(where, f"{name} {_shown(value)} is out of range.")
    return parsed


def _full_clean(obj, where: str, row: dict, *, exclude=()) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise _refuse(where, " ".join(error.messages)) from error
        problems = []
        for name, messages in error.message_dict.items():
            text = " ".join(messages)
            if name == NON_FIELD_ERRORS:
                problems.append(text)
            else:
                problems.append(f"{name} {_shown(row.get(name, getattr(obj, name, None)))}: {text}")
        raise _refuse(where, "; ".join(problems)) from error


def _person(where: str, row: dict, name: str, users: dict, *, required: bool = False):
    """The user an email in ``row`` names: one of the export's users."""
    email = _get(where, row, name, str) if required else _get(where, row, name, str, type(None))
    if email is None:
        return None
    if email not in users:
        raise _refuse(where, f"{name} {_shown(email)} is not one of the export's users.")
    return users[email]


def _import(data: dict, files: _FileSource, saved_files: list) -> Campaign:
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise TransferError(f"Not a version {VERSION} campaign export.")
    campaign_row = data.get("campaign")
    if not isinstance(campaign_row, dict):
        raise _refuse("campaign", f"expected an object, found {_shown(campaign_row)}.")
    slug = _get("campaign", campaign_row, "slug", str)
    if Campaign.objects.filter(slug=slug).exists():
        raise TransferError(f"A campaign with the slug “{slug}” already exists; import into an empty database.")
    users = _import_users(_rows(data, "users"))
    campaign = _import_campaign(campaign_row)
    _import_memberships(_rows(data, "memberships"), campaign, users)
    targets = _import_targets(_rows(data, "targets"))
    asks = _import_asks(_rows(data, "asks"), campaign, targets, users)
    _import_updates(_rows(data, "updates"), campaign, asks, users)
    evidence = _import_evidence(_rows(data, "evidence"), campaign, asks, users, files, saved_files)
    # Exports made before signatories and outcomes were recorded have neither.
    _import_signatures(_rows(data, "signatures") if "signatures" in data else [], asks)
    _import_outcomes(_rows(data, "outcomes") if "outcomes" in data else [], asks, evidence, users)
    # Exports made before people were tracked have no "people".
    _import_people(_rows(data, "people") if "people" in data else [], campaign, asks)
    return campaign


def _import_users(rows) -> dict:
    User = get_user_model()
    users = {}
    for where, row in rows:
        email = _get(where, row, "email", str)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(is_active=False, **_typed(User, ["email", "full_name", "timezone"], where, row))
            user.set_unusable_password()
            _full_clean(user, where, row)
            user.save()
        users[email] = user
    return users


def _import_campaign(row: dict) -> Campaign:
    created_at = _typed(Campaign, ["created_at"], "campaign", row)["created_at"]
    campaign = Campaign(**_typed(Campaign, CAMPAIGN_FIELDS, "campaign", row))
    _full_clean(campaign, "campaign", row)
    campaign.save()
    # auto_now_add fields take the original time only through an update.
    Campaign.objects.filter(pk=campaign.pk).update(created_at=created_at)
    return campaign


def _import_memberships(rows, campaign: Campaign, users: dict) -> None:
    for where, row in rows:
        values = _typed(Membership, ["role", "created_at"], where, row)
        user = _person(where, row, "user", users, required=True)
        membership = Membership(campaign=campaign, user=user, role=values["role"])
        _full_clean(membership, where, row)
        membership.save()
        Membership.objects.filter(pk=membership.pk).update(created_at=values["created_at"])


def _import_targets(rows) -> dict:
    targets = {}
    for where, row in rows:
        values = _typed(Target, ["name", "kind", "description"], where, row)
        target = Target.objects.filter(name=values["name"]).first()
        if target is None:
            target = Target(**values)
            _full_clean(target, where, row)
            target.save()
        targets[values["name"]] = target
    return targets


def _import_asks(rows, campaign: Campaign, targets: dict, users: dict) -> dict:
    asks = {}
    for where, row in rows:
        key = _get(where, row, "key", int)
        if key in asks:
            raise _refuse(where, f"key {key} is used by an earlier ask.")
        target_name = _get(where, row, "target", str)
        if target_name not in targets:
            raise _refuse(where, f"target {_shown(target_name)} is not one of the export's targets.")
        ask = Ask(
            campaign=campaign,
            target=targets[target_name],
            owner=_person(where, row, "owner", users),
            **_typed(Ask, ASK_FIELDS, where, row),
        )
        _full_clean(ask, where, row)
        ask.save()
        asks[key] = ask
    return asks


def _ask_of(where: str, row: dict, name: str, asks: dict) -> Ask:
    key = _get(where, row, name, int)
    if key not in asks:
        raise _refuse(where, f"{name} {key} is not the key of one of the export's asks.")
    return asks[key]


def _import_updates(rows, campaign: Campaign, asks: dict, users: dict) -> None:
    updates = []
    for where, row in rows:
        update = Update(
            ask=_ask_of(where, row, "ask", asks),
            campaign=campaign,
            author=_person(where, row, "author", users),
            **_typed(Update, UPDATE_FIELDS, where, row),
        )
        _full_clean(update, where, row)
        updates.append(update)
    Update.objects.bulk_create(updates)


def _import_evidence(rows, campaign, asks: dict, users: dict, files: _FileSource, saved_files: list) -> dict:
    """Returns the items by their place in the export (from 1)."""
    imported = {}
    for number, (where, row) in enumerate(rows, start=1):
        keys = _get(where, row, "asks", list)
        linked = [_ask_of(where, {"asks": key}, "asks", asks) for key in keys]
        item = Evidence(
            campaign=campaign,
            added_by=_person(where, row, "added_by", users),
            **_typed(Evidence, EVIDENCE_FIELDS, where, row),
        )
        file_name = _get(where, row, "file", str)
        if file_name:
            with files.open(file_name) as source:
                item.file.save(item.original_filename or PurePosixPath(file_name).name, File(source), save=False)
            saved_files.append(item.file)
        item.read_reference()
        _full_clean(item, where, row)
        item.save()
        item.asks.set(linked)
        imported[number] = item
    return imported


def _import_outcomes(rows, asks: dict, evidence: dict, users: dict) -> None:
    for where, row in rows:
        ask = _ask_of(where, row, "ask", asks)
        number = row.get("evidence")
        if number is not None and number not in evidence:
            raise _refuse(where, f"evidence {_shown(number)} is not the place of one of the export's evidence items.")
        fields = _typed(Outcome, OUTCOME_FIELDS, where, row)
        update = Update.objects.filter(ask=ask, created_at=fields["created_at"], new_status=fields["status"]).first()
        if update is None:
            raise _refuse(where, "no status change of its ask at the same moment; the export was edited.")
        outcome = Outcome(
            ask=ask,
            update=update,
            evidence=evidence.get(number),
            author=_person(where, row, "author", users),
            **fields,
        )
        _full_clean(outcome, where, row)
        outcome.save()


def _import_people(rows, campaign: Campaign, asks: dict) -> None:
    for where, row in rows:
        pseudonym = _get(where, row, "pseudonym", str)
        linked = [_ask_of(where, {"asks": key}, "asks", asks) for key in _get(where, row, "asks", list)]
        person = Person(campaign=campaign, name=pseudonym, **_typed(Person, PERSON_FIELDS, where, row))
        if not Person.objects.filter(pseudonym=pseudonym).exists():
            person.pseudonym = pseudonym  # else the fresh default one: pseudonyms are unique
        _full_clean(person, where, row)
        person.save()
        person.asks.set(linked)


def _import_signatures(rows, asks: dict) -> None:
    """Organisations are shared: one of the same name is reused, else created."""
    for where, row in rows:
        ask = _ask_of(where, row, "ask", asks)
        name = _get(where, row, "organisation", str).strip()
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation = Organisation(
                name=name, country=_get(where, row, "country", str), website=_get(where, row, "website", str)
            )
            _full_clean(organisation, where, row)
            organisation.save()
        signature = Signature(ask=ask, organisation=organisation, **_typed(Signature, SIGNATURE_FIELDS, where, row))
        _full_clean(signature, where, row)
        signature.save()
