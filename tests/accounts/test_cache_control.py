"""What a signed-in user is sent, and every download that is not public, is
marked ``private, no-store``: confidential pages do not survive logout in the
browser's cache or back/forward history, nor in a shared proxy."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.cache import get_max_age

from accounts.services import unsubscribe_token
from tests.factories import EvidenceFactory
from tests.two_factor import force_login_verified


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private_no_store(response):
    directives = cache_directives(response)
    assert {"private", "no-store"} <= directives, (response.request["PATH_INFO"], directives)
    assert "public" not in directives


@pytest.fixture
def evidence_file(campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = EvidenceFactory(campaign=campaign, original_filename="note.txt", content_type="text/plain")
    evidence.file.save("note.txt", ContentFile(b"confidential"), save=True)
    return evidence


def test_signed_in_pages_are_private_and_not_stored(client, viewer, ask, campaign):
    client.force_login(viewer)
    for url in [
        "/",
        reverse("ask_list"),
        ask.get_absolute_url(),
        campaign.get_absolute_url(),
        reverse("account_settings"),
        reverse("digest_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_no_store(response)


def test_signed_in_errors_and_redirects_are_private_too(client, viewer, outsider, ask):
    client.force_login(outsider)
    assert_private_no_store(client.get(ask.get_absolute_url()))  # a 404
    client.force_login(viewer)
    response = client.post(reverse("account_settings"), {})  # a form with errors
    assert_private_no_store(response)


def test_admin_pages_of_a_verified_superuser(client, superuser):
    force_login_verified(client, superuser)
    response = client.get("/admin/campaign/ask/")
    assert response.status_code == 200
    assert_private_no_store(response)


def test_downloads_are_private_and_not_stored(client, viewer, ask, evidence_file):
    client.force_login(viewer)
    for url in [reverse("evidence_download", args=[evidence_file.pk]), reverse("asks_export")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_no_store(response)


def test_token_links_without_a_session_are_private_and_not_stored(client, viewer):
    feed = client.get(reverse("calendar_feed", args=[viewer.calendar_token]))
    assert feed.status_code == 200
    assert_private_no_store(feed)
    unsubscribe = client.get(reverse("unsubscribe", args=[unsubscribe_token(user=viewer, kind="digest")]))
    assert unsubscribe.status_code == 200
    assert_private_no_store(unsubscribe)


def test_logout_response_is_not_stored(client, viewer):
    client.force_login(viewer)
    assert_private_no_store(client.post(reverse("logout")))


def test_login_page_and_healthz_keep_their_own_rules(client, db):
    # Signed out, the middleware adds nothing: both views are never-cached themselves.
    for url in [reverse("login"), reverse("healthz")]:
        response = client.get(url)
        assert get_max_age(response) == 0
        assert "no-cache" in cache_directives(response)
