"""/evidence/<id>/download/ is the only way to fetch an upload: members get the
bytes as an attachment under the original name; anyone else learns nothing."""

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaign.models import Evidence
from tests.campaign.test_uploads import minimal_pdf
from tests.factories import EvidenceFactory

PDF = minimal_pdf("Note verbale")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def evidence_with_file(campaign, *, name="Note verbale.pdf", content=PDF, content_type="application/pdf", **extra):
    evidence = EvidenceFactory(campaign=campaign, original_filename=name, content_type=content_type, **extra)
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.file_size = len(content)
    evidence.save()
    return evidence


def download(client, evidence):
    return client.get(reverse("evidence_download", args=[evidence.pk]))


@pytest.fixture
def evidence(campaign):
    return evidence_with_file(campaign)


@pytest.mark.parametrize("persona", ["viewer", "editor", "lead"])
def test_member_downloads_the_file_as_an_attachment_under_its_original_name(client, request, evidence, persona):
    client.force_login(request.getfixturevalue(persona))

    response = download(client, evidence)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Note verbale.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))


def test_stored_name_on_disk_is_random_not_the_original(evidence):
    assert "Note verbale" not in evidence.file.name
    assert evidence.file.name.endswith(".pdf")


def test_non_ascii_name_is_sent_as_rfc_5987(client, viewer, campaign):
    evidence = evidence_with_file(campaign, name="Rapport Genève – 2024.pdf")
    client.force_login(viewer)

    response = download(client, evidence)

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Rapport%20Gen%C3%A8ve%20%E2%80%93%202024.pdf"
    )


def test_name_without_extension_gets_one_from_the_stored_type(client, viewer, campaign):
    evidence = evidence_with_file(campaign, name="scan")
    client.force_login(viewer)

    assert download(client, evidence)["Content-Disposition"] == 'attachment; filename="scan.pdf"'


def test_type_not_set_by_the_upload_check_is_sent_as_opaque_bytes(client, viewer, campaign):
    evidence = evidence_with_file(
        campaign, name="page.html", content=b"<script>alert(1)</script>", content_type="text/html"
    )
    client.force_login(viewer)

    response = download(client, evidence)

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_outsider_gets_404(client, outsider, evidence):
    client.force_login(outsider)

    assert download(client, evidence).status_code == 404


def test_superuser_downloads_any_campaigns_file(client, superuser, evidence):
    # Superusers must pass the second factor: sign in as after a TOTP check.
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    client.force_login(superuser)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    response = download(client, evidence)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_viewer_gets_404_for_confidential_evidence_that_editors_can_download(client, viewer, editor, campaign):
    confidential = evidence_with_file(campaign, sensitivity=Evidence.Sensitivity.CONFIDENTIAL)

    client.force_login(viewer)
    assert download(client, confidential).status_code == 404

    client.force_login(editor)
    assert download(client, confidential).status_code == 200


def test_anonymous_is_sent_to_login(client, evidence):
    url = reverse("evidence_download", args=[evidence.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(django_settings.LOGIN_URL)}?next={url}"


def test_soft_deleted_evidence_is_404(client, viewer, evidence):
    evidence.deleted_at = timezone.now()
    evidence.save()
    client.force_login(viewer)

    assert download(client, evidence).status_code == 404


def test_evidence_without_a_file_is_404(client, viewer, campaign):
    reference_only = EvidenceFactory(campaign=campaign, reference="CHN 13/2018")
    client.force_login(viewer)

    assert download(client, reference_only).status_code == 404


def test_file_missing_from_storage_is_404_not_a_server_error(client, viewer, evidence):
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(viewer)

    assert download(client, evidence).status_code == 404


def test_download_url_is_the_models_download_link(evidence):
    assert evidence.get_download_url() == f"/evidence/{evidence.pk}/download/"
