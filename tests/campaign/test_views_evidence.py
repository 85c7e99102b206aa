"""Evidence on the pages: adding it (with a checked upload), and confidential
items never showing to someone who may not see them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import Evidence
from tests.campaign.test_uploads import minimal_pdf
from tests.factories import AskFactory, EvidenceFactory


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


def test_evidence_of_another_campaign_linked_by_hand_never_shows_on_the_ask_page(
    client, viewer, ask, other_campaign, internal
):
    # The service refuses such a link; an admin's or an import's mistake must
    # still not show one campaign's evidence to the members of another.
    foreign = EvidenceFactory(campaign=other_campaign, title="File of the other campaign")
    foreign.asks.add(ask)
    client.force_login(viewer)

    html = client.get(reverse("ask_detail", args=[ask.pk])).content.decode()

    assert "Public statement" in html
    assert "File of the other campaign" not in html


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


def evidence_edit_data(evidence, **changes):
    data = {
        "title": evidence.title,
        "kind": evidence.kind,
        "reference": evidence.reference,
        "url": evidence.url,
        "published_on": "",
        "summary": evidence.summary,
        "assessment": evidence.assessment,
        "sensitivity": evidence.sensitivity,
        "asks": [ask.pk for ask in evidence.asks.all()],
    }
    return {**data, **changes}


def test_editor_links_evidence_to_another_ask_and_marks_it_confidential(client, editor, ask, campaign, internal):

    briefing = AskFactory(campaign=campaign, target=ask.target, title="Brief the Council")
    client.force_login(editor)
    url = reverse("evidence_edit", args=[internal.pk])

    response = client.post(
        url,
        evidence_edit_data(
            internal, sensitivity="confidential", asks=[ask.pk, briefing.pk], next=ask.get_absolute_url()
        ),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == ask.get_absolute_url()
    assert "Evidence “Public statement” saved." in response.content.decode()
    internal.refresh_from_db()
    assert internal.sensitivity == "confidential"
    assert set(internal.asks.all()) == {ask, briefing}
    assert internal.history.first().history_user == editor


def test_evidence_edit_refuses_an_ask_of_another_campaign(client, editor, internal, other_campaign):

    elsewhere = AskFactory(campaign=other_campaign, title="Elsewhere")
    client.force_login(editor)

    response = client.post(
        reverse("evidence_edit", args=[internal.pk]), evidence_edit_data(internal, asks=[elsewhere.pk])
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert list(internal.asks.values_list("title", flat=True)) == ["Publish the Xinjiang report"]


def test_evidence_edit_without_any_source_keeps_the_input_and_says_why(client, editor, internal):
    client.force_login(editor)

    response = client.post(
        reverse("evidence_edit", args=[internal.pk]),
        evidence_edit_data(internal, reference="", title="Renamed <b>x</b>"),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Give at least one of a URL, a file or a document reference." in page
    assert "Renamed &lt;b&gt;x&lt;/b&gt;" in page
    internal.refresh_from_db()
    assert internal.title == "Public statement"


def test_viewer_cannot_edit_and_confidential_evidence_is_not_found_for_a_viewer(client, viewer, internal, confidential):
    client.force_login(viewer)

    assert client.get(reverse("evidence_edit", args=[internal.pk])).status_code == 403
    assert client.get(reverse("evidence_edit", args=[confidential.pk])).status_code == 404


def test_deleted_evidence_disappears_from_the_ask_page_and_can_be_restored(client, editor, ask, internal):
    client.force_login(editor)

    response = client.post(
        reverse("evidence_delete", args=[internal.pk]), {"next": ask.get_absolute_url()}, follow=True
    )

    page = response.content.decode()
    assert "deleted. An admin can restore it" in page
    assert "Public statement" not in page.split('id="evidence-heading"')[1]
    assert "Evidence removed: “Public statement”." in page  # on the ask's timeline
    assert Evidence.all_objects.get(pk=internal.pk).deleted_at is not None
    assert client.get(reverse("evidence_edit", args=[internal.pk])).status_code == 404


def test_evidence_delete_ignores_a_next_address_on_another_site(client, editor, campaign, internal):
    client.force_login(editor)

    response = client.post(reverse("evidence_delete", args=[internal.pk]), {"next": "https://evil.example/"})

    assert response["Location"] == campaign.get_absolute_url()


def test_ask_page_offers_editors_an_edit_link_per_evidence_item_and_viewers_none(client, editor, viewer, ask, internal):
    edit_url = reverse("evidence_edit", args=[internal.pk])

    client.force_login(editor)
    assert edit_url in client.get(ask.get_absolute_url()).content.decode()
    client.force_login(viewer)
    assert edit_url not in client.get(ask.get_absolute_url()).content.decode()


def test_ask_page_lists_each_items_source_facts_and_a_short_escaped_summary(client, editor, ask, campaign):
    EvidenceFactory(
        campaign=campaign,
        asks=[ask],
        title="Report <i>A/HRC/51/2</i>",
        url='https://example.org/report?a=1&b="2"',
        kind="un_document",
        reference="CHN 13/2018",
        published_on=datetime.date(2022, 8, 31),
        assessment="shows_progress",
        sensitivity=Evidence.Sensitivity.PUBLIC,
        summary="<script>x</script>" + "finding " * 80,
    )
    client.force_login(editor)

    html = client.get(ask.get_absolute_url()).content.decode()

    assert 'href="https://example.org/report?a=1&amp;b=&#34;2&#34;" rel="noopener noreferrer"' in html
    assert "Report &lt;i&gt;A/HRC/51/2&lt;/i&gt;" in html and "<i>A/HRC" not in html
    assert '<span class="badge text-bg-light border">Public</span>' in html
    # A communication reference links to the Special Procedures communications search.
    assert (
        'UN document · <bdi dir="ltr"><a href="https://spcommreports.ohchr.org/" class="un-ref" '
        'rel="noopener noreferrer">CHN 13/2018</a></bdi> · 31 Aug 2022 · Shows progress'
    ) in html
    assert "&lt;script&gt;x&lt;/script&gt;finding" in html and "<script>x" not in html
    assert "finding " * 80 not in html and "…</div>" in html
    assert f"?next={ask.get_absolute_url()}" in html


def test_ask_page_without_evidence_says_so_and_its_timeline_starts_with_its_creation(client, viewer, ask):
    client.force_login(viewer)

    html = client.get(ask.get_absolute_url()).content.decode()

    assert "No evidence yet." in html
    assert '<li class="history">' in html and "<div>Ask created.</div>" in html
