"""Suggestions from the public (issue 20): an anonymous, cookie-less form on a
page of its own, protected by a signed token, a honeypot and a rate limit per
IP; a moderation queue for the campaign's leads; the email erased after 90 days."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from campaign import publishing, services, suggestions
from campaign.models import Evidence, Person, Suggestion, Update
from campaign.retention import suggestion_emails_erase
from campaign.tasks import erase_suggestion_emails
from tests.two_factor import force_login_verified

FIELDS = {
    "text": "The ministry replied on 3 March.",
    "url": "https://example.org/reply",
    "date": "2026-03-03",
    "email": "someone@example.net",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the rate limit counts in the cache


def _suggest_url(world, ask=None) -> str:
    return reverse("public_suggest", args=[world.campaign.slug, (ask or world.report).public_id])


def _token(client, url) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _post(client, page, *, token=None, ip="198.51.100.7", **fields):
    data = {**FIELDS, **fields, "token": _token(client, page) if token is None else token}
    return client.post(page, data, REMOTE_ADDR=ip)


def _suggestion(world, **fields) -> Suggestion:
    values = {"text": "The ministry replied.", "url": "", "date": None, "email": "", **fields}
    return suggestions.suggestion_submit(campaign_id=world.campaign.pk, ask_id=world.report.pk, **values)


# --- The public form ---------------------------------------------------------------


def test_the_suggest_page_sets_no_cookie_is_never_stored_and_cannot_be_framed(public_world, lead):
    client = Client()
    client.force_login(lead)  # a signed-in lead gets the anonymous page too, and stays signed in
    response = client.get(_suggest_url(public_world))
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    html = response.content.decode()
    assert '<form method="post"' in html and 'name="website"' in html and "csrf" not in html
    assert "Publish the assessment now." in html  # the ask's public wording


def test_a_suggestion_is_queued_for_the_leads_without_a_csrf_cookie(public_world):
    client = Client(enforce_csrf_checks=True)  # as a browser: no CSRF cookie was ever set
    url = _suggest_url(public_world)
    response = _post(client, url)
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response.headers["Cache-Control"]
    assert "your suggestion was sent" in response.content.decode()
    [suggestion] = Suggestion.objects.all()
    assert (suggestion.ask, suggestion.campaign, suggestion.status) == (
        public_world.report,
        public_world.campaign,
        Suggestion.Status.PENDING,
    )
    assert (suggestion.text, suggestion.url, suggestion.date.isoformat(), suggestion.email) == tuple(FIELDS.values())


def test_a_suggestion_changes_nothing_public(public_world, client):
    public_page = reverse("public_ask", args=[public_world.campaign.slug, public_world.report.public_id])
    before = client.get(public_page).headers["ETag"]
    _post(client, _suggest_url(public_world))
    after = client.get(public_page)
    assert after.headers["ETag"] == before
    assert FIELDS["text"] not in after.content.decode()


def test_the_ask_page_links_to_the_suggest_page_and_keeps_no_form(public_world, client):
    html = client.get(reverse("public_ask", args=[public_world.campaign.slug, public_world.report.public_id])).content
    assert _suggest_url(public_world) in html.decode()
    assert b"<form" not in html


def test_the_honeypot_drops_the_post_silently(public_world, client):
    response = _post(client, _suggest_url(public_world), website="https://spam.example")
    assert response.status_code == 200
    assert "your suggestion was sent" in response.content.decode()  # the bot learns nothing
    assert not Suggestion.objects.exists()


def test_the_rate_limit_answers_429_with_a_clear_message_and_keeps_the_text(public_world, client):
    url = _suggest_url(public_world)
    for number in range(suggestions.RATE_LIMIT):
        assert _post(client, url, text=f"Suggestion {number}").status_code == 200
    refused = _post(client, url, text="One too many")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many suggestions came from your connection in the last hour" in html
    assert ">One too many</textarea>" in html
    assert Suggestion.objects.count() == suggestions.RATE_LIMIT
    assert _post(client, url, ip="203.0.113.50").status_code == 200  # another address is not held back


def test_no_ip_address_is_stored_not_even_in_the_cache(public_world, client):
    _post(client, _suggest_url(public_world), ip="198.51.100.77")
    assert not [field.name for field in Suggestion._meta.get_fields() if "ip" in field.name.split("_")]
    assert not any("198.51.100.77" in str(key) for key in cache._cache)  # locmem's own store
    assert suggestions.rate_limit_hit("198.51.100.77") is False  # counted, under a salted hash


@pytest.mark.parametrize("spoil", ["tampered", "another ask", "missing"])
def test_a_tampered_token_is_refused_with_a_message_that_keeps_the_input(public_world, client, spoil):
    url = _suggest_url(public_world)
    token = {
        "tampered": _token(client, url)[:-2] + "xx",
        "another ask": suggestions.form_token(public_world.release.public_id),
        "missing": "",
    }[spoil]
    response = client.post(url, {**FIELDS, "token": token})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form was too old or had been changed, so nothing was sent" in html
    assert f">{FIELDS['text']}</textarea>" in html and f'value="{FIELDS["url"]}"' in html
    assert not Suggestion.objects.exists()


def test_an_expired_token_is_refused_and_the_fresh_form_then_works(public_world, client):
    url = _suggest_url(public_world)
    token = _token(client, url)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=7)):
        refused = _post(client, url, token=token)
        assert refused.status_code == 400
        assert "too old" in refused.content.decode()
        fresh = re.search(r'name="token" value="([^"]+)"', refused.content.decode()).group(1)
        assert _post(client, url, token=fresh).status_code == 200
    assert Suggestion.objects.count() == 1


def test_fields_in_error_are_marked_and_kept(public_world, client):
    response = _post(client, _suggest_url(public_world), text="", url="not a link")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what happened." in html and "Give a web address" in html
    assert 'value="not a link"' in html
    assert not Suggestion.objects.exists()


def test_no_suggest_page_for_an_unpublished_or_another_campaigns_ask(public_world, client, lead):
    assert client.get(f"/p/{public_world.campaign.slug}/{public_world.other_ask.public_id}/suggest/").status_code == 404
    publishing.ask_unpublish(ask=public_world.report, actor=lead)
    url = _suggest_url(public_world)
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {**FIELDS, "token": suggestions.form_token(public_world.report.public_id)}).status_code == 404
    )
    assert not Suggestion.objects.exists()


def test_a_name_of_a_person_at_risk_is_stored_as_the_pseudonym_and_the_answer_is_the_same(public_world, client, lead):
    person = services.person_create(
        actor=lead,
        campaign=public_world.campaign,
        name="Ilham Tohti",
        other_names="Ilham-Tohti",
        risk=Person.Risk.HIGH,
        consent=Person.Consent.INTERNAL,
    )
    url = _suggest_url(public_world)
    named = _post(client, url, text="ILHAM  tohti was moved; the family of Ilham Tohti was told.")
    plain = _post(client, url, text="Nothing about anyone.", ip="203.0.113.9")
    assert named.status_code == plain.status_code == 200
    assert named.content == plain.content  # no oracle of the names the campaign tracks
    stored = Suggestion.objects.order_by("pk").first()
    assert "tohti" not in stored.text.casefold()
    assert stored.text == f"{person.pseudonym} was moved; the family of {person.pseudonym} was told."
    _post(client, url, text="A reply.", url="https://example.org/ilham-tohti", ip="203.0.113.10")
    linked = Suggestion.objects.order_by("pk").last()
    assert (linked.url, linked.email) == ("", "")
    assert suggestions.WITHHELD_NOTE in linked.text


# --- The leads' queue ----------------------------------------------------------------


def _decide(client, suggestion, decision):
    return client.post(reverse("suggestion_decide", args=[suggestion.pk]), {"decision": decision})


def test_the_queue_shows_the_campaigns_pending_suggestions_to_a_lead(public_world, client, lead):
    waiting = _suggestion(public_world, text="Waiting suggestion", email="a@example.net")
    decided = _suggestion(public_world, text="Decided suggestion")
    suggestions.suggestion_reject(suggestion=decided, actor=lead)
    client.force_login(lead)
    html = client.get(reverse("campaign_suggestions", args=[public_world.campaign.slug])).content.decode()
    assert "Waiting suggestion" in html and "a@example.net" in html
    assert "Decided suggestion" not in html
    assert waiting.ask.title in html
    public_page = client.get(reverse("campaign_public", args=[public_world.campaign.slug])).content.decode()
    assert "1 waiting" in public_page


def test_a_lead_accepts_a_suggestion_as_an_internal_update_on_the_timeline(public_world, client, lead):
    suggestion = _suggestion(public_world, text="The ministry replied.", url="https://example.org/r", email="x@y.org")
    client.force_login(lead)
    response = _decide(client, suggestion, "update")
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (Suggestion.Status.ACCEPTED, lead)
    assert suggestion.decided_at is not None
    update = Update.objects.filter(ask=public_world.report).order_by("-created_at", "-id").first()
    assert "Suggested by the public" in update.note and "The ministry replied." in update.note
    assert "https://example.org/r" in update.note and "x@y.org" not in update.note
    assert (update.author, update.published) == (lead, False)  # internal: publishing stays a separate act
    public_page = client.get(reverse("public_ask", args=[public_world.campaign.slug, public_world.report.public_id]))
    assert "The ministry replied." not in public_page.content.decode()


def test_a_lead_accepts_a_suggestion_with_a_link_as_internal_evidence(public_world, client, lead):
    suggestion = _suggestion(public_world, text="Reply of the ministry", url="https://example.org/reply")
    client.force_login(lead)
    _decide(client, suggestion, "evidence")
    evidence = Evidence.objects.get(url="https://example.org/reply")
    assert evidence.sensitivity == Evidence.Sensitivity.INTERNAL
    assert list(evidence.asks.all()) == [public_world.report]
    assert evidence.title == "Reply of the ministry"
    assert Update.objects.filter(ask=public_world.report, note__contains="Reply of the ministry").exists()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED


def test_a_suggestion_without_a_link_cannot_become_evidence(public_world, client, lead):
    suggestion = _suggestion(public_world)
    client.force_login(lead)
    response = _decide(client, suggestion, "evidence")
    assert "no link" in client.get(response.url).content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING


def test_a_lead_rejects_a_suggestion_and_the_timeline_says_so_without_its_text(public_world, client, lead):
    suggestion = _suggestion(public_world, text="Spam about pills")
    client.force_login(lead)
    _decide(client, suggestion, "reject")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (Suggestion.Status.REJECTED, lead)
    update = Update.objects.filter(ask=public_world.report).order_by("-created_at", "-id").first()
    assert "A suggestion from the public" in update.note and "rejected" in update.note
    assert "pills" not in update.note


def test_a_decided_suggestion_is_not_decided_twice(public_world, lead):
    suggestion = _suggestion(public_world)
    suggestions.suggestion_accept_as_update(suggestion=suggestion, actor=lead)
    notes_before = Update.objects.count()
    with pytest.raises(ValidationError, match="already accepted"):
        suggestions.suggestion_reject(suggestion=suggestion, actor=lead)
    assert Update.objects.count() == notes_before


@pytest.mark.parametrize(("role", "status"), [("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_editors_viewers_and_outsiders_cannot_moderate(public_world, client, request, role, status):
    suggestion = _suggestion(public_world)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("campaign_suggestions", args=[public_world.campaign.slug])).status_code == status
    for decision in ("update", "evidence", "reject"):
        assert _decide(client, suggestion, decision).status_code == status
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING
    with pytest.raises(PermissionDenied):
        suggestions.suggestion_reject(suggestion=suggestion, actor=request.getfixturevalue(role))


def test_the_admin_lists_suggestions_and_rejects_through_the_service(public_world, client, superuser):
    suggestion = _suggestion(public_world, text="From the admin's queue")
    force_login_verified(client, superuser)
    url = reverse("admin:campaign_suggestion_changelist")
    assert "From the admin" in client.get(url).content.decode()
    client.post(url, {"action": "reject", "_selected_action": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (Suggestion.Status.REJECTED, superuser)
    assert Update.objects.filter(ask=public_world.report, note__contains="was rejected").exists()


# --- The email kept for 90 days --------------------------------------------------------


def test_the_submitters_email_is_erased_after_90_days(public_world):
    received = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    with time_machine.travel(received, tick=False):
        suggestion = _suggestion(public_world, email="someone@example.net")
    with time_machine.travel(received + datetime.timedelta(days=89, hours=23), tick=False):
        assert suggestion_emails_erase() == 0
    suggestion.refresh_from_db()
    assert suggestion.email == "someone@example.net"
    with time_machine.travel(received + datetime.timedelta(days=90), tick=False):
        assert suggestion_emails_erase() == 1
        assert suggestion_emails_erase() == 0  # a second run erases nothing more
    suggestion.refresh_from_db()
    assert suggestion.email == "" and suggestion.text == "The ministry replied."


def test_the_daily_task_erases_through_the_service(public_world):
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), tick=False):
        _suggestion(public_world, email="old@example.net")
    _suggestion(public_world, email="new@example.net")
    assert erase_suggestion_emails() == 1
    assert sorted(Suggestion.objects.values_list("email", flat=True)) == ["", "new@example.net"]
