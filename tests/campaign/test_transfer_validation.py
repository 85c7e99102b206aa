"""import_campaign checks every row as a form would: a file with one bad row is
refused whole, with a message naming the row, the field and the value, and
nothing is imported. Whatever the file holds, the import never crashes and
never stores a row that would break a page."""

import copy
import itertools
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from campaign.models import Ask, Campaign, Evidence, Membership, Target, Update
from campaign.services import ask_add_note, ask_change_status
from campaign.transfer import TransferError, campaign_export_data, campaign_import
from tests.factories import EvidenceFactory

MODELS = (Campaign, get_user_model(), Membership, Target, Ask, Update, Evidence)
copies = itertools.count(1)


@pytest.fixture
def export(campaign, lead, editor, viewer, ask) -> dict:
    ask_change_status(ask=ask, new_status="in_progress", author=editor, note="Letter sent.")
    ask_add_note(ask=ask, author=viewer, note="Meeting held.")
    EvidenceFactory(campaign=campaign, asks=[ask], url="https://example.org/statement", added_by=editor)
    data, files = campaign_export_data(campaign)
    assert not files
    return json.loads(json.dumps(data))


def as_new(data: dict) -> dict:
    """The export as if from another installation: a new slug, new people and
    new targets, so each import creates every kind of row."""
    number = next(copies)
    text = json.dumps(data).replace("@example.org", f"@copy{number}.example.org")
    fresh = json.loads(text)
    fresh["campaign"]["slug"] = f"copy-{number}"
    for row in fresh["targets"]:
        row["name"] = f"{row['name']} {number}"
    for row in fresh["asks"]:
        row["target"] = f"{row['target']} {number}"
    return fresh


def write(tmp_path, data) -> str:
    path = tmp_path / f"export-{next(copies)}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def counts() -> dict:
    return {model.__name__: model._base_manager.count() for model in MODELS}


def test_a_valid_copy_imports(export, tmp_path):
    campaign = campaign_import(path=tmp_path / write(tmp_path, as_new(export)))
    assert campaign.memberships.count() == 3 and campaign.asks.count() == 1 and campaign.evidence.count() == 1


@pytest.mark.parametrize(
    ("section", "field", "value", "message"),
    [
        ("memberships", "role", "overlord", "memberships[1]: role 'overlord': Value 'overlord' is not a valid choice."),
        ("users", "timezone", "Bad/Zone", "users[1]: timezone 'Bad/Zone': “Bad/Zone” is not a time zone name"),
        ("asks", "status", "done-ish", "asks[0]: status 'done-ish': Value 'done-ish' is not a valid choice."),
        ("asks", "owner", "nobody@nowhere.org", "asks[0]: owner 'nobody@nowhere.org' is not one of the export's users"),
        ("asks", "deadline", "2027-02-30", "asks[0]: deadline '2027-02-30' is not a date like 2026-03-02"),
        ("updates", "created_at", "2026-03-02T12:00:00", "updates[0]: created_at '2026-03-02T12:00:00' has no UTC"),
        ("evidence", "sensitivity", 3, "evidence[0]: sensitivity 3 is not of the expected type"),
        ("targets", "kind", "planet", "targets[0]: kind 'planet': Value 'planet' is not a valid choice."),
        ("campaign", "stale_after_days", -1, "campaign: stale_after_days -1: Ensure this value is greater than"),
    ],
)
def test_one_bad_row_refuses_the_file_naming_row_field_and_value(
    export, tmp_path, client, section, field, value, message
):
    data = as_new(export)
    row = data[section] if section == "campaign" else data[section][1 if section in ("users", "memberships") else 0]
    row[field] = value
    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_campaign", write(tmp_path, data), verbosity=0)
    assert str(refused.value).startswith("Nothing was imported: ")
    assert message in str(refused.value)
    assert counts() == before


def test_overlord_and_bad_zone_of_the_issue_leave_no_user_locked_out(export, tmp_path, client):
    data = as_new(export)
    data["memberships"][0]["role"] = "overlord"
    data["users"][0]["timezone"] = "Bad/Zone"
    with pytest.raises(TransferError):
        campaign_import(path=tmp_path / write(tmp_path, data))
    assert not get_user_model().objects.filter(email__contains="@copy").exists()


# --- Fuzzing: any change to any field of a valid export --------------------------

json_values = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            -1,
            2**70,
            "",
            " ",
            "overlord",
            "Bad/Zone",
            "Asia/Bangkok",
            "open",
            "confidential",
            "2026-02-30",
            "2026-03-02",
            "2026-03-02T12:00:00",
            "2026-03-02T12:00:00+00:00",
            "0001-01-01T00:00:00+01:00",
            "files/1.pdf",
            "../../etc/passwd",
            "not an email",
            "lead@example.org",
            "x" * 400,
            "a\x00b",
            "\ud800",
            "<script>alert(1)</script>",
        ]
    ),
    st.text(max_size=30),
    st.integers(),
    st.lists(st.integers(min_value=-1, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def changed_exports(draw, base: dict):
    data = copy.deepcopy(base)
    section = draw(st.sampled_from(["campaign", "users", "memberships", "targets", "asks", "updates", "evidence"]))
    if section == "campaign":
        row = data["campaign"]
    else:
        rows = data[section]
        if draw(st.integers(0, 19)) == 0:  # now and then the shape itself
            data[section] = draw(st.sampled_from([None, {}, "rows", [1], [None]]))
            event(f"{section} replaced")
            return data
        row = rows[draw(st.integers(0, len(rows) - 1))]
    field = draw(st.sampled_from(sorted(row)))
    if draw(st.integers(0, 9)) == 0:
        del row[field]
        event(f"{section}.{field} deleted")
    else:
        row[field] = draw(json_values)
        event(f"{section}.{field} changed")
    return data


def assert_every_imported_row_is_valid(campaign: Campaign, client):
    for model in (Membership, Ask, Evidence):
        for row in model._base_manager.filter(campaign=campaign):
            row.full_clean()
    for update in Update.objects.filter(campaign=campaign):
        update.full_clean()
    for membership in campaign.memberships.select_related("user"):
        user = membership.user
        user.full_clean()
        if not user.is_active:
            get_user_model().objects.filter(pk=user.pk).update(is_active=True)
        client.force_login(user)
        assert client.get("/").status_code == 200
        assert client.get("/asks/").status_code == 200


examples = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@examples
@given(data=st.data())
def test_any_changed_export_imports_valid_rows_or_nothing(export, tmp_path, client, data):
    changed = data.draw(changed_exports(as_new(export)))
    before = counts()
    try:
        campaign = campaign_import(path=tmp_path / write(tmp_path, changed))
    except TransferError as error:
        event("refused")
        assert str(error)
        assert counts() == before, str(error)
    else:
        event("imported")
        assert_every_imported_row_is_valid(campaign, client)
