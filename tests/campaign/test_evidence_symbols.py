"""Evidence carries its symbols: the canonical form is stored on every path that
saves evidence, searched, and an unknown shape is kept and flagged."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from campaign import services
from campaign.models import Evidence
from tests.factories import EvidenceFactory
from tests.two_factor import force_login_verified

fill_migration = importlib.import_module("campaign.migrations.0009_evidence_reference_fill")


def _add(campaign, ask, editor, reference, **fields):
    return services.evidence_add(
        campaign=campaign,
        added_by=editor,
        asks=[ask],
        title=fields.pop("title", "CERD's observations"),
        reference=reference,
        **fields,
    )


def test_evidence_added_through_the_service_keeps_what_was_typed_and_stores_the_canonical_form(campaign, ask, editor):
    evidence = _add(campaign, ask, editor, "cerd / c / chn / co / 14–17")

    evidence.refresh_from_db()
    assert evidence.reference == "cerd / c / chn / co / 14–17"
    assert evidence.reference_canonical == "CERD/C/CHN/CO/14-17"
    assert evidence.reference_kind == Evidence.ReferenceKind.UN_SYMBOL


def test_a_communication_reference_is_its_own_kind(campaign, ask, editor):
    evidence = _add(campaign, ask, editor, "al chn 5/2021")
    assert (evidence.reference_canonical, evidence.reference_kind) == ("AL CHN 5/2021", "communication")


def test_an_edit_reads_the_new_reference(campaign, ask, editor):
    evidence = _add(campaign, ask, editor, "A/HRC/51/L.6")
    services.evidence_update(evidence=evidence, actor=editor, asks=[ask], reference="OHCHR press release")

    evidence.refresh_from_db()
    assert (evidence.reference_canonical, evidence.reference_kind) == ("", "other")
    assert evidence.reference == "OHCHR press release"


def test_an_unknown_shape_is_kept_never_refused(campaign, ask, editor):
    evidence = _add(campaign, ask, editor, "A/HRC/51/L.6.")
    assert evidence.pk and evidence.reference == "A/HRC/51/L.6."
    assert evidence.is_unrecognised_reference


def test_the_admin_stores_the_canonical_form(client, superuser, campaign):
    force_login_verified(client, superuser)
    response = client.post(
        reverse("admin:campaign_evidence_add"),
        {
            "campaign": campaign.pk,
            "kind": "un_document",
            "title": "Resolution",
            "reference": "s/res/2334(2016)",
            "assessment": "context",
            "sensitivity": "internal",
            "added_at_0": "2024-01-01",
            "added_at_1": "10:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Evidence.objects.get(title="Resolution").reference_canonical == "S/RES/2334 (2016)"


def test_the_admin_import_stores_the_canonical_form(campaign):
    from import_export.formats.base_formats import CSV

    from campaign.exports import EvidenceResource

    data = CSV().create_dataset(
        "campaign,kind,title,reference,assessment,sensitivity\n"
        f"{campaign.slug},un_document,Imported,a/hrc/54/61/add.1,context,internal\n"
    )
    result = EvidenceResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Evidence.objects.get(title="Imported").reference_canonical == "A/HRC/54/61/Add.1"


def test_the_data_migration_fills_existing_rows(campaign):
    item = EvidenceFactory(campaign=campaign, reference="ｃｅｄａｗ／ｃ／ｃｈｎ／ｑ／９")
    Evidence.objects.filter(pk=item.pk).update(reference_canonical="", reference_kind="other")

    fill_migration.fill_canonical_references(django_apps, None)

    item.refresh_from_db()
    assert (item.reference_canonical, item.reference_kind) == ("CEDAW/C/CHN/Q/9", "un_symbol")


# --- Search ------------------------------------------------------------------------


@pytest.fixture
def cerd(campaign, ask):
    return EvidenceFactory(campaign=campaign, asks=[ask], reference="CERD/C/CHN/CO/14-17")


@pytest.mark.parametrize("typed", ["cerd/c/chn/co/14–17", "CERD / C / CHN / CO / 14-17", "cerd/c/chn", "ＣＥＲＤ／Ｃ"])
def test_search_by_a_sloppily_typed_symbol_finds_the_evidence(client, viewer, ask, cerd, typed):
    client.force_login(viewer)
    html = client.get(reverse("ask_list"), {"q": typed}).content.decode()
    assert ask.title in html


def test_search_by_symbol_never_finds_confidential_evidence_for_a_viewer(client, viewer, editor, campaign, ask):
    EvidenceFactory(
        campaign=campaign, asks=[ask], reference="CERD/C/CHN/CO/14-17", sensitivity=Evidence.Sensitivity.CONFIDENTIAL
    )
    client.force_login(viewer)
    assert ask.title not in client.get(reverse("ask_list"), {"q": "cerd/c/chn/co/14–17"}).content.decode()
    client.force_login(editor)
    assert ask.title in client.get(reverse("ask_list"), {"q": "cerd/c/chn/co/14–17"}).content.decode()


def test_search_by_symbol_does_not_find_another_campaigns_evidence(client, outsider, ask, cerd):
    client.force_login(outsider)
    assert ask.title not in client.get(reverse("ask_list"), {"q": "cerd/c/chn/co/14-17"}).content.decode()


def test_a_search_of_invisible_characters_only_finds_nothing_by_evidence(client, viewer, ask, cerd):
    client.force_login(viewer)
    assert ask.title not in client.get(reverse("ask_list"), {"q": "\u200f\u200e"}).content.decode()


# --- Messages on the evidence form -------------------------------------------------


def _post_evidence(client, ask, reference, title="New evidence"):
    data = {
        "title": title,
        "kind": "un_document",
        "reference": reference,
        "assessment": "context",
        "sensitivity": "internal",
    }
    return client.post(reverse("evidence_add", args=[ask.pk]), data, follow=True)


def test_the_same_symbol_twice_in_a_campaign_warns_with_a_link_to_the_other_item(client, editor, ask, cerd):
    client.force_login(editor)
    html = _post_evidence(client, ask, "cerd/c/chn/co/14–17").content.decode()

    assert Evidence.objects.filter(reference_canonical="CERD/C/CHN/CO/14-17").count() == 2  # saved all the same
    link = reverse("evidence_edit", args=[cerd.pk])
    assert f'CERD/C/CHN/CO/14-17 is also cited by <a href="{link}">“{cerd.title}”</a>' in html


def test_the_same_symbol_in_another_campaign_gives_no_warning(client, editor, ask, other_campaign):
    EvidenceFactory(campaign=other_campaign, reference="CERD/C/CHN/CO/14-17")
    client.force_login(editor)
    assert "is also cited by" not in _post_evidence(client, ask, "CERD/C/CHN/CO/14-17").content.decode()


def test_the_warning_escapes_the_other_items_title(client, editor, campaign, ask):
    EvidenceFactory(campaign=campaign, reference="A/HRC/51/L.6", title='<script>alert("x")</script>')
    client.force_login(editor)
    html = _post_evidence(client, ask, "A/HRC/51/L.6").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_an_unknown_shape_is_saved_with_a_hint(client, editor, ask):
    client.force_login(editor)
    html = _post_evidence(client, ask, "Letter of 3 May").content.decode()

    assert Evidence.objects.filter(reference="Letter of 3 May").exists()
    assert "is not a UN symbol or a Special Procedures reference, so it is kept as typed" in html


def test_the_edit_form_flags_an_unknown_shape(client, editor, campaign, ask):
    item = EvidenceFactory(campaign=campaign, asks=[ask], reference='<b>"x"</b>')
    client.force_login(editor)
    html = client.get(reverse("evidence_edit", args=[item.pk])).content.decode()
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;” is not a UN symbol" in html
