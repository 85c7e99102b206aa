"""One-click unsubscribe (RFC 8058) from digests and status-change emails."""

import re

from django.test import Client

from accounts.services import unsubscribe_token
from campaign.mail.emails import unsubscribe_headers


def link_path(user, kind: str) -> str:
    header = unsubscribe_headers(user, kind)["List-Unsubscribe"]
    return re.fullmatch(r"<http://localhost:8000(/[^>]+)>", header).group(1)


def test_mail_clients_one_click_post_turns_the_digest_off_without_a_session(viewer):
    mail_client = Client(enforce_csrf_checks=True)  # no session, no CSRF token: what a mail client sends

    response = mail_client.post(link_path(viewer, "digest"), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "You will get no more email digests" in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.digest_frequency == "off"


def test_following_the_link_in_a_browser_asks_first_and_changes_nothing(client, viewer):
    page = client.get(link_path(viewer, "digest")).content.decode()

    assert "Stop email digests?" in page
    viewer.refresh_from_db()
    assert viewer.digest_frequency == "weekly"


def test_status_change_emails_unsubscribe_turns_only_those_off(viewer):
    Client().post(link_path(viewer, "status-change"))

    viewer.refresh_from_db()
    assert viewer.notify_status_changes is False
    assert viewer.digest_frequency == "weekly"


def test_a_forged_or_altered_token_is_not_found(client, viewer, editor):
    token = unsubscribe_token(user=viewer, kind="digest")

    assert client.post(f"/accounts/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.post("/accounts/unsubscribe/eyJ1c2VyIjoxfQ:forged:sig/").status_code == 404
    viewer.refresh_from_db()
    assert viewer.digest_frequency == "weekly"


def test_deactivated_accounts_links_are_not_found(client, viewer):
    path = link_path(viewer, "digest")
    viewer.is_active = False
    viewer.save()

    assert client.post(path).status_code == 404
