"""Organisations and an ask's signatories: at most one lead drafter, signatures
private unless the organisation agreed, the organisation page, the ask list's
filter, and the round trip through the CSV export and the admin import."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaign import services
from campaign.models import Organisation, Signature
from campaign.signatories import parse_signatories
from tests.factories import AskFactory
from tests.two_factor import force_login_verified


@pytest.fixture
def ishr(db):
    return Organisation.objects.create(name="International Service for Human Rights", country="Switzerland")


@pytest.fixture
def amnesty(db):
    return Organisation.objects.create(name="Amnesty International", country="United Kingdom")


def test_an_ask_has_at_most_one_lead_drafter(ask, ishr, amnesty, editor):
    services.signature_add(ask=ask, organisation=ishr, role="lead_drafter", actor=editor)
    with pytest.raises(ValidationError) as refused:
        services.signature_add(ask=ask, organisation=amnesty, role="lead_drafter", actor=editor)
    assert "already this ask's lead drafter" in refused.value.message_dict["role"][0]
    services.signature_add(ask=ask, organisation=amnesty, role="co_signer", actor=editor)
    with pytest.raises(ValidationError):
        services.signature_add(ask=ask, organisation=amnesty, role="endorser", actor=editor)


def test_a_signature_is_not_public_unless_said(ask, ishr, editor):
    signature = services.signature_add(ask=ask, organisation=ishr, role="co_signer", actor=editor)
    assert signature.public is False


def test_only_leads_keep_organisations(editor, lead, client):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=editor, name="HRIC", country="", website="")
    client.force_login(editor)
    assert client.get(reverse("organisation_create")).status_code == 403
    client.force_login(lead)
    response = client.post(reverse("organisation_create"), {"name": "Human Rights in China", "country": "USA"})
    organisation = Organisation.objects.get()
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()


def test_organisations_are_searchable(client, viewer, ishr, amnesty):
    client.force_login(viewer)
    page = client.get(reverse("organisation_list"), {"q": "switz"}).content.decode()
    assert "International Service for Human Rights" in page and "Amnesty" not in page


def test_an_editor_adds_and_removes_a_signatory_on_the_ask_page(client, editor, viewer, ask, ishr):
    client.force_login(editor)
    response = client.post(
        reverse("signature_add", args=[ask.pk]),
        {"organisation": ishr.pk, "role": "lead_drafter", "signed_on": "2022-05-28", "public": "on"},
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.role, signature.signed_on, signature.public) == ("lead_drafter", datetime.date(2022, 5, 28), True)
    client.force_login(viewer)
    page = client.get(ask.get_absolute_url()).content.decode()
    assert "International Service for Human Rights" in page and "Lead drafter" in page
    assert client.post(reverse("signature_remove", args=[ask.pk, signature.pk])).status_code == 403
    client.force_login(editor)
    client.post(reverse("signature_remove", args=[ask.pk, signature.pk]))
    assert not Signature.objects.exists()


def test_the_organisation_page_lists_only_the_asks_the_user_sees(
    client, viewer, outsider, ask, other_campaign, ishr, editor
):
    hidden = AskFactory(campaign=other_campaign, title="Another campaign's ask")
    services.signature_add(ask=ask, organisation=ishr, role="co_signer", actor=editor)
    services.signature_add(ask=hidden, organisation=ishr, role="co_signer", actor=editor)
    client.force_login(viewer)
    page = client.get(ishr.get_absolute_url()).content.decode()
    assert ask.title in page and "Another campaign&#x27;s ask" not in page and "Another campaign's ask" not in page
    assert "not to be named outside the team" in page


def test_the_ask_list_filters_by_signatory(client, viewer, ask, campaign, ishr, editor):
    other = AskFactory(campaign=campaign, title="Unsigned ask")
    services.signature_add(ask=ask, organisation=ishr, role="endorser", actor=editor)
    client.force_login(viewer)
    page = client.get(reverse("ask_list"), {"signatory": ishr.pk}).content.decode()
    assert ask.title in page and other.title not in page


def test_signatories_round_trip_through_the_csv_export_and_the_admin_import(
    client, superuser, lead, ask, ishr, amnesty, editor
):
    services.signature_add(
        ask=ask, organisation=ishr, role="lead_drafter", signed_on=datetime.date(2022, 5, 28), public=True, actor=editor
    )
    services.signature_add(ask=ask, organisation=amnesty, role="co_signer", actor=editor)
    client.force_login(lead)
    exported = client.get(reverse("asks_export")).content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert row["signatories"] == (
        "International Service for Human Rights [lead drafter; 2022-05-28; public] | "
        "Amnesty International [co-signer; ; not public]"
    )

    from tests.campaign.test_admin_import_export import _confirm, _errors, _preview

    Signature.objects.all().delete()
    force_login_verified(client, superuser)
    csv_text = "id,campaign,target,title,wording,status,priority,signatories\n"
    csv_text += f'{ask.pk},china,{ask.target.name},{ask.title},{ask.wording},open,medium,"{row["signatories"]}"\n'
    preview = _preview(client, csv_text)
    assert not _errors(preview)
    assert _confirm(client, preview).status_code == 302
    signatures = {(s.organisation.name, s.role, s.signed_on, s.public) for s in ask.signatures.all()}
    assert signatures == {
        ("International Service for Human Rights", "lead_drafter", datetime.date(2022, 5, 28), True),
        ("Amnesty International", "co_signer", None, False),
    }


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("Nobody Known [co-signer; ; public]", 'organisation "Nobody Known" not found'),
        ("Amnesty International [signer]", "is not a signatory"),
        ("Amnesty International [co-signer; 28/05/2022; public]", "is not a date"),
        (
            "Amnesty International [lead drafter] | International Service for Human Rights [lead drafter]",
            "at most one lead drafter",
        ),
    ],
)
def test_the_import_refuses_a_bad_signatories_cell_on_its_row(client, superuser, ask, ishr, amnesty, cell, message):
    from tests.campaign.test_admin_import_export import _errors, _preview

    force_login_verified(client, superuser)
    csv_text = "id,campaign,target,title,wording,status,priority,signatories\n"
    csv_text += f'{ask.pk},china,{ask.target.name},{ask.title},{ask.wording},open,medium,"{cell}"\n'
    assert message in str(_errors(_preview(client, csv_text)))
    assert not Signature.objects.exists()


def test_parse_reads_what_the_export_writes():
    [entry] = parse_signatories("ISHR [Lead Drafter; 2022-05-28; public]")
    assert entry == ("ISHR", "lead_drafter", datetime.date(2022, 5, 28), True)


def test_the_demo_names_the_signatories_of_the_public_record(db):
    from django.core.management import call_command

    from campaign.demo import CAO_SHUNLI_SLUG, CHINA_SLUG

    call_command("load_ishr_demo", stdout=io.StringIO())
    call_command("load_ishr_demo", stdout=io.StringIO())  # again: nothing doubles
    publish = Signature.objects.get(ask__campaign__slug=CHINA_SLUG, ask__title__startswith="Publish the OHCHR")
    assert (publish.organisation.name, publish.role, publish.signed_on, publish.public) == (
        "International Service for Human Rights (ISHR)",
        "lead_drafter",
        datetime.date(2022, 5, 28),
        True,
    )
    memorial = Signature.objects.get(ask__campaign__slug=CAO_SHUNLI_SLUG)
    assert memorial.signed_on == datetime.date(2024, 4, 16)
    assert Organisation.objects.count() == 1
