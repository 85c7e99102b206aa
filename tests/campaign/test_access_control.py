"""Access control beyond the permission matrix: guessed ids, forms that name
objects of another campaign, role changes, and CSRF on every POST."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from campaign.models import Ask, Evidence, Membership, Role
from tests.campaign.test_views_asks import ask_form_data
from tests.factories import AskFactory, EvidenceFactory, MembershipFactory, UserFactory
from tests.two_factor import force_login_verified


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def their_ask(other_campaign, target):
    """An ask of the campaign the ``outsider`` leads; ``editor`` is not a member."""
    return AskFactory(campaign=other_campaign, target=target, title="Their secret ask")


def evidence_with_file(campaign, ask, **extra):
    item = EvidenceFactory(campaign=campaign, asks=[ask], content_type="application/pdf", **extra)
    item.file.save("memo.pdf", ContentFile(b"%PDF-1.4 secret"), save=True)
    return item


# --- Guessed ids -------------------------------------------------------------


@pytest.mark.parametrize("name", ["ask_detail", "ask_edit", "ask_status", "evidence_add"])
def test_guessing_another_campaigns_ask_id_gives_404(client, editor, their_ask, name):
    client.force_login(editor)
    url = reverse(name, args=[their_ask.pk])
    assert client.get(url).status_code == 404
    if name != "ask_detail":  # a GET-only page answers a POST with 405 whatever the id
        assert client.post(url, {"note": "x", "new_status": "met", "title": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["ask_note", "ask_delete"])
def test_posting_to_another_campaigns_ask_gives_404_and_changes_nothing(client, editor, their_ask, name):
    client.force_login(editor)
    assert client.post(reverse(name, args=[their_ask.pk]), {"note": "Hijacked"}).status_code == 404
    their_ask.refresh_from_db()
    assert their_ask.deleted_at is None and not their_ask.updates.exists()


def test_guessing_another_campaigns_evidence_download_gives_404(client, editor, their_ask, media, other_campaign):
    theirs = evidence_with_file(other_campaign, their_ask)
    client.force_login(editor)
    response = client.get(reverse("evidence_download", args=[theirs.pk]))
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_confidential_download_by_a_viewer_gives_404(client, viewer, ask, campaign, media):
    item = evidence_with_file(campaign, ask, sensitivity=Evidence.Sensitivity.CONFIDENTIAL)
    client.force_login(viewer)
    assert client.get(reverse("evidence_download", args=[item.pk])).status_code == 404


def test_soft_deleted_evidence_cannot_be_downloaded(client, editor, ask, campaign, media):
    item = evidence_with_file(campaign, ask)
    Evidence.all_objects.filter(pk=item.pk).update(deleted_at=timezone.now())
    client.force_login(editor)
    assert client.get(reverse("evidence_download", args=[item.pk])).status_code == 404


def test_guessing_another_campaigns_slug_gives_404(client, editor, other_campaign):
    client.force_login(editor)
    assert client.get(reverse("campaign_detail", args=[other_campaign.slug])).status_code == 404


def test_csv_export_never_contains_another_campaigns_asks(client, editor, ask, their_ask):
    client.force_login(editor)
    body = client.get(reverse("asks_export") + f"?campaign={their_ask.campaign_id}").content.decode()
    assert their_ask.title not in body


# --- Forms naming objects outside the campaign -----------------------------------


def test_editing_an_ask_into_another_campaign_is_refused(client, editor, ask, other_campaign):
    client.force_login(editor)
    response = client.post(reverse("ask_edit", args=[ask.pk]), ask_form_data(ask, campaign=other_campaign.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["campaign"]
    ask.refresh_from_db()
    assert ask.campaign_id != other_campaign.pk


def test_creating_an_ask_in_a_campaign_one_cannot_edit_is_refused(client, editor, ask, other_campaign, viewer):
    client.force_login(editor)
    before = Ask.all_objects.count()
    response = client.post(reverse("ask_create"), ask_form_data(ask, campaign=other_campaign.pk, title="Planted"))
    assert response.context["form"].errors["campaign"]
    assert Ask.all_objects.count() == before


def test_a_viewer_cannot_create_asks_even_in_their_own_campaign(client, viewer, ask, campaign):
    client.force_login(viewer)
    response = client.post(reverse("ask_create"), ask_form_data(ask, title="From a viewer"), follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert "You need the editor or lead role in a campaign to record asks" in response.content.decode()
    assert not Ask.objects.filter(title="From a viewer").exists()


def test_an_owner_outside_the_campaign_is_refused(client, editor, ask, outsider):
    client.force_login(editor)
    response = client.post(reverse("ask_edit", args=[ask.pk]), ask_form_data(ask, owner=outsider.pk))
    assert response.context["form"].errors["owner"]
    ask.refresh_from_db()
    assert ask.owner_id != outsider.pk


def test_evidence_posted_with_a_foreign_campaign_field_stays_in_the_asks_campaign(
    client, editor, ask, campaign, other_campaign, their_ask
):
    client.force_login(editor)
    data = {
        "title": "Note",
        "kind": "meeting_note",
        "reference": "MEMO-1",
        "assessment": "context",
        "sensitivity": "internal",
        "campaign": other_campaign.pk,
        "asks": [their_ask.pk],
    }
    client.post(reverse("evidence_add", args=[ask.pk]), data)
    item = Evidence.objects.get(reference="MEMO-1")
    assert item.campaign_id == campaign.pk
    assert list(item.asks.all()) == [ask]


def test_a_viewer_cannot_change_status_or_delete(client, viewer, ask):
    client.force_login(viewer)
    assert client.post(reverse("ask_status", args=[ask.pk]), {"new_status": "met", "note": "x"}).status_code == 403
    assert client.post(reverse("ask_delete", args=[ask.pk])).status_code == 403
    ask.refresh_from_db()
    assert ask.status == "open" and ask.deleted_at is None


# --- Membership roles ------------------------------------------------------------


def test_a_non_lead_cannot_change_membership_roles(client, editor, viewer, campaign):
    """Outside the leads' members page (see test_leads.py), roles change only in
    Django admin: a member who is not staff cannot reach it, and staff without
    the permission are refused."""
    membership = Membership.objects.get(user=viewer, campaign=campaign)
    url = reverse("admin:campaign_membership_change", args=[membership.pk])
    data = {"user": viewer.pk, "campaign": campaign.pk, "role": Role.LEAD}

    client.force_login(editor)
    response = client.post(url, data)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, campaign=campaign, role=Role.EDITOR)
    staff_client = Client()
    force_login_verified(staff_client, staff)
    assert staff_client.post(url, data).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


# --- CSRF ------------------------------------------------------------------------


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _patterns(entry, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


def _sample_kwargs(pattern: URLPattern, values: dict) -> dict:
    names = list(getattr(pattern.pattern, "converters", {}) or {}) or list(pattern.pattern.regex.groupindex)
    return {name: values.get(name, "1") for name in names}


# RFC 8058: mail clients POST the one-click unsubscribe with no session or CSRF
# token; the signed token in the URL is the credential (tests/accounts/test_unsubscribe.py).
# The public's suggestion form has no cookie to check and no credentials to
# abuse; a signed token in the form stands in (tests/campaign/test_suggestions.py).
CSRF_EXEMPT_BY_DESIGN = {"unsubscribe", "public_suggest"}


def post_urls(values) -> list[str]:
    urls = []
    for name, pattern in _patterns():
        if (name.startswith("admin:") and name not in ADMIN_SAMPLE) or name in CSRF_EXEMPT_BY_DESIGN:
            continue
        try:
            urls.append(reverse(name, kwargs=_sample_kwargs(pattern, values)))
        except Exception:
            urls.append(f"UNREVERSED {name}")
    return urls


ADMIN_SAMPLE = {
    "admin:login",
    "admin:logout",
    "admin:campaign_ask_changelist",
    "admin:campaign_ask_change",
    "admin:campaign_membership_change",
    "admin:auth_user_password_change",
}


def test_every_post_without_a_csrf_token_is_refused(superuser, ask, campaign):
    values = {
        "pk": str(ask.pk),
        "slug": campaign.slug,
        "token": superuser.calendar_token,
        "object_id": str(ask.pk),
        "id": str(superuser.pk),
        "uidb64": "MQ",
        "public_id": "abcdefgh",
    }
    urls = post_urls(values)
    assert not [u for u in urls if u.startswith("UNREVERSED")]
    assert len(urls) >= 25
    browser = Client(enforce_csrf_checks=True)
    force_login_verified(browser, superuser)
    refused = {url: browser.post(url, {"note": "x"}).status_code for url in urls}
    assert {url: status for url, status in refused.items() if status != 403} == {}


def test_login_itself_needs_the_csrf_token(db, viewer):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": viewer.email, "password": "correct horse battery staple"})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session
