"""export_campaign / import_campaign: an export re-imported into an empty
database gives the same rows and the same files."""

import datetime
import hashlib
import json
import shutil
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaign.models import Ask, Campaign, Evidence, Membership, Organisation, Outcome, Role, Signature, Update
from campaign.services import ask_add_note, ask_change_status
from tests.factories import AskFactory, EvidenceFactory, MembershipFactory, TargetFactory

# Real transactions: emptying the database with flush cannot run inside the test's
# transaction on PostgreSQL (pending deferred constraint checks).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def full_campaign(media, campaign, lead, editor, viewer, ask, other_campaign, outsider):
    """A campaign with something of everything, and a second one that must not leak in."""
    second_target = TargetFactory(name="Committee against Torture")
    closed = AskFactory(campaign=campaign, target=second_target, owner=None, title="Release <b>Ilham</b> Tohti")
    deleted = AskFactory(campaign=campaign, target=second_target, owner=lead, title="Withdrawn idea")
    deleted.deleted_at = timezone.now()
    deleted.save()
    ask_change_status(ask=ask, new_status="in_progress", author=editor, note="Letter sent to the OHCHR.")
    ask_add_note(ask=ask, author=viewer, note="Meeting held — 'quiet diplomacy'.")
    statement = EvidenceFactory(campaign=campaign, asks=[closed], url="https://example.org/statement", reference="")
    ask_change_status(
        ask=closed,
        new_status="not_met",
        author=lead,
        note="Sentence upheld.",
        evidence=statement,
        response="rejected",
        rationale="The court upheld the life sentence on appeal, and the government rejected every call to review it.",
    )
    with_file = EvidenceFactory(
        campaign=campaign,
        asks=[ask, deleted],
        title="OHCHR assessment",
        sensitivity=Evidence.Sensitivity.CONFIDENTIAL,
        added_by=editor,
        original_filename="assessment 2022.pdf",
        content_type="application/pdf",
        file_size=13,
    )
    with_file.file.save("assessment 2022.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    gone = EvidenceFactory(campaign=campaign, title="Removed")
    gone.deleted_at = timezone.now()
    gone.save()
    AskFactory(campaign=other_campaign, title="Someone else's ask")
    coalition = Organisation.objects.create(name="Coalition for Uyghur rights", country="", website="")
    Signature.objects.create(
        ask=closed, organisation=coalition, role="lead_drafter", signed_on=datetime.date(2022, 5, 28)
    )
    MembershipFactory(campaign=campaign, role=Role.VIEWER, user__email="former.member@example.org")
    return campaign


def concrete(model, exclude=()):
    skip = {"id", "updated_at", *exclude}
    return [f.attname for f in model._meta.concrete_fields if f.name not in skip and f.attname not in skip]


def canonical(slug: str) -> dict:
    """The campaign's rows with ids replaced by what they mean."""
    campaign = Campaign.objects.get(slug=slug)
    asks = list(Ask.all_objects.filter(campaign=campaign).order_by("created_at", "title"))
    ask_no = {a.pk: n for n, a in enumerate(asks)}
    ask_fields = concrete(Ask, {"campaign", "target", "owner"})
    evidence = []
    for item in Evidence.all_objects.filter(campaign=campaign).order_by("added_at", "title"):
        row = {f: getattr(item, f) for f in concrete(Evidence, {"campaign", "added_by", "file"})}
        row["added_by"] = item.added_by.email if item.added_by else None
        row["file"] = hashlib.sha256(item.file.read()).hexdigest() if item.file else None
        row["asks"] = sorted(
            ask_no[pk] for pk in Evidence.asks.through.objects.filter(evidence=item).values_list("ask_id", flat=True)
        )
        evidence.append(row)
    return {
        "campaign": Campaign.objects.filter(pk=campaign.pk).values(*concrete(Campaign)).get(),
        "members": list(
            Membership.objects.filter(campaign=campaign)
            .order_by("user__email")
            .values("user__email", "user__full_name", "user__timezone", "role", "created_at")
        ),
        "asks": [
            {f: getattr(a, f) for f in ask_fields}
            | {"target": (a.target.name, a.target.kind), "owner": a.owner.email if a.owner else None}
            for a in asks
        ],
        "updates": [
            {"ask": ask_no[u.ask_id], "author": u.author.email if u.author else None}
            | {"in_its_asks_campaign": u.campaign_id == u.ask.campaign_id}
            | {f: getattr(u, f) for f in concrete(Update, {"ask", "author", "campaign"})}
            for u in Update.objects.filter(ask__campaign=campaign).select_related("ask").order_by("created_at", "id")
        ],
        "evidence": evidence,
        "signatures": sorted(
            (ask_no[s.ask_id], s.organisation.name, s.role, s.signed_on, s.public)
            for s in Signature.objects.filter(ask__campaign=campaign).select_related("organisation")
        ),
        "outcomes": [
            {"ask": ask_no[o.ask_id], "evidence": o.evidence.title if o.evidence else None}
            | {"author": o.author.email if o.author else None, "update": o.update.created_at}
            | {f: getattr(o, f) for f in ("status", "response", "rationale", "created_at", "reopened_at")}
            for o in Outcome.objects.filter(ask__campaign=campaign).select_related("evidence", "author", "update")
        ],
    }


def empty_the_database(media):
    call_command("flush", "--no-input", verbosity=0)
    shutil.rmtree(media, ignore_errors=True)
    assert not Campaign.objects.exists()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_export_then_import_into_an_empty_database_gives_the_same_rows(full_campaign, media, tmp_path, as_zip):
    before = canonical("china")
    args = ["china", "--output", str(tmp_path / "out")] + (["--zip"] if as_zip else [])
    call_command("export_campaign", *args, verbosity=0)
    export = tmp_path / "out" / ("china.zip" if as_zip else "china")
    assert export.exists()

    empty_the_database(media)
    call_command("import_campaign", str(export), verbosity=0)

    after = canonical("china")
    assert after == before
    assert len(after["asks"]) == 3 and len(after["evidence"]) == 3 and len(after["updates"]) == 3
    assert [(o["status"], o["response"]) for o in after["outcomes"]] == [("not_met", "rejected")]
    assert [s[1:3] for s in after["signatures"]] == [("Coalition for Uyghur rights", "lead_drafter")]
    assert not Ask.all_objects.filter(title="Someone else's ask").exists()


def test_people_missing_on_import_are_created_inactive_without_a_password(full_campaign, media, tmp_path):
    call_command("export_campaign", "china", "--output", str(tmp_path), verbosity=0)
    empty_the_database(media)
    call_command("import_campaign", str(tmp_path / "china" / "campaign.json"), verbosity=0)
    people = get_user_model().objects.all()
    assert sorted(p.email for p in people) == [
        "editor@example.org",
        "former.member@example.org",
        "lead@example.org",
        "viewer@example.org",
    ]  # not the outsider of another campaign
    assert not any(p.is_active or p.has_usable_password() for p in people)


def test_export_holds_metadata_and_files_but_no_ids_or_secrets(full_campaign, tmp_path):
    call_command("export_campaign", "china", "--output", str(tmp_path), verbosity=0)
    text = (tmp_path / "china" / "campaign.json").read_text()
    data = json.loads(text)
    assert [m["user"] for m in data["memberships"]][:2] == ["editor@example.org", "former.member@example.org"]
    assert "password" not in text and "calendar_token" not in text and "session_epoch" not in text
    file_row = next(e for e in data["evidence"] if e["file"])
    assert (tmp_path / "china" / file_row["file"]).read_bytes() == b"%PDF-1.4 test"
    assert file_row["original_filename"] == "assessment 2022.pdf"


def test_import_refuses_a_campaign_that_exists_already(full_campaign, tmp_path):
    call_command("export_campaign", "china", "--output", str(tmp_path), verbosity=0)
    before = canonical("china")
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_campaign", str(tmp_path / "china"), verbosity=0)
    assert canonical("china") == before
    assert Campaign.objects.filter(slug="china").count() == 1


def test_import_refuses_an_archive_naming_a_path_outside_its_files(full_campaign, media, tmp_path):
    call_command("export_campaign", "china", "--output", str(tmp_path), "--zip", verbosity=0)
    with zipfile.ZipFile(tmp_path / "china.zip") as archive:
        data = json.loads(archive.read("campaign.json"))
    next(e for e in data["evidence"] if e["file"])["file"] = "../../etc/passwd"
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("campaign.json", json.dumps(data))
    empty_the_database(media)
    with pytest.raises(CommandError, match="Refusing the file name"):
        call_command("import_campaign", str(evil), verbosity=0)
    assert not Campaign.objects.exists()  # all or nothing


def test_unknown_slug_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No campaign"):
        call_command("export_campaign", "nope", "--output", str(tmp_path))


def test_dates_survive_exactly(full_campaign, media, tmp_path):
    ask = Ask.objects.get(title="Publish the Xinjiang report")
    ask.source_date = datetime.date(2022, 8, 31)
    ask.save()
    call_command("export_campaign", "china", "--output", str(tmp_path), verbosity=0)
    empty_the_database(media)
    call_command("import_campaign", str(tmp_path / "china"), verbosity=0)
    assert Ask.objects.get(title="Publish the Xinjiang report").source_date == datetime.date(2022, 8, 31)
