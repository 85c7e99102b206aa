"""The admin's import and export of asks and evidence: errors a person can act
on, labels and dates as people type them, a staff export that imports back
unchanged, and no live formula in any export."""

import csv
import io

import openpyxl
import pytest
from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.exports import NeutralisedResource
from campaign.models import Ask, AskStatus, Evidence
from tests.factories import AskFactory, EvidenceFactory, TargetFactory
from tests.two_factor import force_login_verified

FORMULA = '=HYPERLINK("http://evil.example","Click")'


@pytest.fixture
def admin_client(client, superuser):
    force_login_verified(client, superuser)
    return client


def _url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


def _preview(admin_client, csv_text: str, model=Ask):
    formats = [fmt().get_title() for fmt in admin.site._registry[model].get_import_formats()]
    upload = SimpleUploadedFile("upload.csv", csv_text.encode(), content_type="text/csv")
    return admin_client.post(
        _url(model, "import"), {"resource": "0", "format": str(formats.index("csv")), "import_file": upload}
    )


def _confirm(admin_client, preview, model=Ask):
    assert "confirm_form" in preview.context, preview.context["result"].invalid_rows
    return admin_client.post(_url(model, "process_import"), preview.context["confirm_form"].initial)


def _errors(preview) -> dict[int, dict]:
    return {row.number: row.error_dict for row in preview.context["result"].invalid_rows}


# --- Import ------------------------------------------------------------------------


def test_import_with_an_owner_column_finds_the_owner_by_email_in_any_case(admin_client, campaign, target, editor):
    csv_text = (
        "id,campaign,target,title,wording,status,priority,owner\n"
        f",china,{target.name},Publish the report,Publish it.,open,high,{editor.email.upper()}\n"
    )

    assert _confirm(admin_client, _preview(admin_client, csv_text)).status_code == 302

    assert Ask.objects.get(title="Publish the report").owner == editor


def test_import_errors_name_the_value_and_column_on_the_spreadsheets_line_and_keep_the_other_rows(
    admin_client, campaign, target
):
    csv_text = (
        "id,campaign,target,title,wording,status,priority,owner\n"
        f",china,{target.name},Fine,Fine.,open,high,\n"
        ",china,Government of Vietnam,Unknown target,Text.,open,high,\n"
        f",china,{target.name},Unknown owner,Text.,open,high,nobody@example.org\n"
        f",nowhere,{target.name},Unknown campaign,Text.,sideways,high,\n"
    )
    asks_before = Ask.all_objects.count()

    preview = _preview(admin_client, csv_text)

    assert not preview.context["result"].has_errors()  # no traceback page: every row's errors are listed
    errors = _errors(preview)
    assert set(errors) == {3, 4, 5}  # line 1 is the header, line 2 the first row
    assert errors[3] == {"target": ['target "Government of Vietnam" not found (column target)']}
    assert errors[4] == {"owner": ['user "nobody@example.org" not found (column owner)']}
    assert errors[5]["campaign"] == ['campaign "nowhere" not found (column campaign)']
    assert errors[5]["status"][0].startswith('"sideways" is not one of: Draft, Open, In progress')
    assert "target &quot;Government of Vietnam&quot; not found (column target)" in preview.content.decode()
    assert Ask.all_objects.count() == asks_before


def test_status_and_priority_accept_labels_in_any_case(admin_client, campaign, target):
    csv_text = (
        "id,campaign,target,title,wording,status,priority\n"
        f",china,{target.name},First,Text.,Open,HIGH\n"
        f",china,{target.name},Second,Text.,in progress,Low\n"
        f",china,{target.name},Third,Text.,in_progress,medium\n"
    )

    assert _confirm(admin_client, _preview(admin_client, csv_text)).status_code == 302

    imported = {ask.title: (ask.status, ask.priority) for ask in Ask.objects.filter(campaign=campaign)}
    assert imported == {
        "First": (AskStatus.OPEN, "high"),
        "Second": (AskStatus.IN_PROGRESS, "low"),
        "Third": (AskStatus.IN_PROGRESS, "medium"),
    }


def test_an_ambiguous_date_is_refused_with_the_format_to_use(admin_client, campaign, target):
    csv_text = (
        "id,campaign,target,title,wording,status,priority,deadline\n"
        f",china,{target.name},Guessable,Text.,open,high,01/03/2027\n"
        f",china,{target.name},Clear,Text.,open,high,2027-03-01\n"
    )

    errors = _errors(_preview(admin_client, csv_text))

    assert errors == {
        2: {"deadline": ['"01/03/2027" is not a date in the form YYYY-MM-DD, such as 2027-03-01 (column deadline)']}
    }


def test_staff_export_edited_and_imported_back_changes_what_was_edited_and_nothing_else(
    admin_client, campaign, target, editor, other_campaign
):
    other_target = TargetFactory(name="Human Rights Council")
    asks = [
        AskFactory(campaign=campaign, target=target, owner=editor, title="Risky", wording="-2 detained, +3 freed"),
        AskFactory(campaign=campaign, target=other_target, title="Plain", wording="Line one.\nLine two, with a comma."),
        AskFactory(campaign=other_campaign, title="Closed", status=AskStatus.MET, deadline_reason="=1+1"),
    ]
    before = {ask.pk: _snapshot(ask) for ask in asks}
    exported = admin_client.get("/asks/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 3
    # Edit in a spreadsheet: one priority changed.
    edited = next(row for row in rows if row["title"] == "Plain")
    edited["priority"] = "high"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    preview = _preview(admin_client, out.getvalue())
    assert _confirm(admin_client, preview).status_code == 302

    assert Ask.all_objects.count() == 3
    after = {ask.pk: _snapshot(ask) for ask in Ask.all_objects.all()}
    assert after[asks[1].pk] == {**before[asks[1].pk], "priority": "high"}
    assert after[asks[0].pk] == before[asks[0].pk]  # "-2 detained" came back without the quote
    assert after[asks[2].pk] == before[asks[2].pk]


def _snapshot(ask) -> dict:
    ask = Ask.all_objects.get(pk=ask.pk)
    return {name: getattr(ask, name) for name in ("campaign_id", "target_id", "owner_id", "title", "wording")} | {
        name: getattr(ask, name)
        for name in ("status", "priority", "deadline", "deadline_reason", "source_title", "source_url", "source_date")
    }


# --- Export: no live formulas ---------------------------------------------------------


def _import_export_admins():
    return [(model, ma) for model, ma in admin.site._registry.items() if hasattr(ma, "get_export_resource_classes")]


def test_every_admin_export_resource_neutralises_formulas():
    admins = _import_export_admins()
    assert {model for model, _ma in admins} >= {Ask, Evidence}
    for model, model_admin in admins:
        for resource in model_admin.get_export_resource_classes(None):
            assert issubclass(resource, NeutralisedResource), f"{model._meta.label}: {resource.__name__}"


def _export(admin_client, model, fmt: str) -> bytes:
    page = admin_client.get(_url(model, "export"))
    form = page.context["form"]
    value = next(value for value, title in form.fields["format"].choices if title == fmt)
    data = {"format": value, "resource": "0"}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField) and field.initial:
            data[name] = "on"
    response = admin_client.post(_url(model, "export"), data)
    assert response.status_code == 200, response.content[:500]
    return response.content


@pytest.fixture
def risky_rows(campaign, target):
    ask = AskFactory(campaign=campaign, target=target, title=FORMULA, wording="+cmd|' /C calc'!A0")
    EvidenceFactory(campaign=campaign, asks=[ask], title=FORMULA, summary="@SUM(A1:A9)")


@pytest.mark.parametrize("model", [Ask, Evidence])
def test_admin_csv_export_writes_formulas_as_text(admin_client, risky_rows, model):
    rows = list(csv.DictReader(io.StringIO(_export(admin_client, model, "csv").decode("utf-8-sig"))))

    (row,) = rows
    assert row["title"] == "'" + FORMULA
    cells = [value for value in row.values() if value]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells


@pytest.mark.parametrize("model", [Ask, Evidence])
def test_admin_xlsx_export_has_no_formula_cells(admin_client, risky_rows, model):
    sheet = openpyxl.load_workbook(io.BytesIO(_export(admin_client, model, "xlsx"))).active

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'" + FORMULA in [cell.value for cell in cells]
