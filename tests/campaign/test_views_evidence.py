"""Evidence on the pages: adding it (with a checked upload), and confidential
items never showing to someone who may not see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import Evidence
from tests.campaign.test_uploads import minimal_pdf
from tests.factories import EvidenceFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def confidential(campaign, ask):
    return EvidenceFactory(
        campaign=campaign,
        asks=[ask],
        title="Witness account from Urumqi",
        reference="SECRET-REF-77",
        sensitivity=Evidence.Sensitivity.CONFIDENTIAL,
    )


@pytest.fixture
def internal(campaign, ask):
    return EvidenceFactory(campaign=campaign, asks=[ask], title="Public statement", reference="CHN 13/2018")


def test_viewer_does_not_see_confidential_evidence_on_the_ask_or_campaign_page(
    client, viewer, ask, campaign, confidential, internal
):
    client.force_login(viewer)

    ask_page = client.get(reverse("ask_detail", args=[ask.pk])).content.decode()
    campaign_page = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()

    for html in (ask_page, campaign_page):
        assert "Public statement" in html
        assert "Witness account from Urumqi" not in html
        assert "SECRET-REF-77" not in html
    # The counts next to the headings count only what the viewer may see.
    assert 'Evidence <span class="badge text-bg-light border">1</span>' in ask_page
    assert 'Recent evidence <span class="badge text-bg-light border">1</span>' in campaign_page


def test_editor_sees_confidential_evidence_marked_as_such(client, editor, ask, confidential):
    client.force_login(editor)

    html = client.get(reverse("ask_detail", args=[ask.pk])).content.decode()

    assert "Witness account from Urumqi" in html
    assert "Confidential" in html


def test_search_never_matches_confidential_references_for_a_viewer(client, viewer, editor, ask, confidential):
    client.force_login(viewer)
    as_viewer = client.get(reverse("ask_list"), {"q": "SECRET-REF"}).content.decode()
    client.force_login(editor)
    as_editor = client.get(reverse("ask_list"), {"q": "SECRET-REF"}).content.decode()

    assert ask.title not in as_viewer
    assert "0 asks match these filters" in as_viewer
    assert ask.title in as_editor
    assert "1 ask match" in as_editor


def test_search_matches_visible_evidence_references(client, viewer, ask, internal):
    client.force_login(viewer)

    html = client.get(reverse("ask_list"), {"q": "CHN 13/2018"}).content.decode()

    assert ask.title in html


def test_editor_uploads_a_pdf_as_evidence(client, editor, ask):
    client.force_login(editor)
    upload = SimpleUploadedFile("Letter to OHCHR.pdf", minimal_pdf(), content_type="application/pdf")

    response = client.post(
        reverse("evidence_add", args=[ask.pk]),
        {
            "title": "Letter to OHCHR",
            "kind": "statement",
            "file": upload,
            "assessment": "context",
            "sensitivity": "internal",
        },
        follow=True,
    )

    evidence = Evidence.objects.get(title="Letter to OHCHR")
    assert list(evidence.asks.all()) == [ask]
    assert (evidence.original_filename, evidence.content_type) == ("Letter to OHCHR.pdf", "application/pdf")
    assert evidence.file_size == len(minimal_pdf())
    assert "Letter to OHCHR.pdf" not in evidence.file.name
    html = response.content.decode()
    assert "Evidence “Letter to OHCHR” added." in html
    assert reverse("evidence_download", args=[evidence.pk]) in html


def test_refused_upload_keeps_the_rest_of_the_form(client, editor, ask):
    client.force_login(editor)
    fake_pdf = SimpleUploadedFile(
        "report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = client.post(
        reverse("evidence_add", args=[ask.pk]),
        {
            "title": "My careful title",
            "kind": "statement",
            "reference": "A/HRC/55/1",
            "file": fake_pdf,
            "assessment": "context",
            "sensitivity": "internal",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "“report.pdf” is a web page or markup" in html
    assert 'value="My careful title"' in html
    assert 'value="A/HRC/55/1"' in html
    assert not Evidence.objects.exists()


def test_evidence_needs_a_url_file_or_reference(client, editor, ask):
    client.force_login(editor)

    response = client.post(
        reverse("evidence_add", args=[ask.pk]),
        {"title": "Nothing to point at", "kind": "other", "assessment": "context", "sensitivity": "internal"},
    )

    assert "Give at least one of a URL, a file or a document reference." in response.content.decode()
    assert not Evidence.objects.exists()
