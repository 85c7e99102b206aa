"""The canary: a person at high risk, ``ZZCANARY 张三 Ⅸ``, concerned by an ask with
evidence, updates, reminders and a digest due. Every surface the tracker has is
rendered for every role and searched for the name and its other spellings.

The name may appear only on the ask page and the person's page, to the
campaign's leads and editors; in the admin's change form of the person, to
superusers (they correct records there, and could read the table anyway); and
in the names export a lead asks for, which is logged. Nowhere else: not to
viewers, outsiders or superusers browsing the pages, not in any email, export,
transfer file, calendar feed, admin list, log line or URL.

This test is the contract: a new page, email, export or job adds its surface
here (``test_every_page_of_the_site_is_a_canary_surface`` fails until it does).
"""

import datetime
import html
import io
import json
import logging
import unicodedata
import zipfile
import zoneinfo
from urllib.parse import unquote

import pytest
import time_machine
from django.contrib import admin
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaign import publishing, services, suggestions
from campaign.mail.outbox import email_deliver_all
from campaign.models import Digest, Evidence, NamesExport, OutboundEmail, Person, Suggestion, Update
from campaign.transfer import campaign_export
from tests.factories import AskFactory
from tests.two_factor import force_login_verified

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
NAME = "ZZCANARY 张三 Ⅸ"
OTHER_SPELLINGS = ["Zhangsan Kanarysky", "جاڭسەن كانارىسكى"]
# What is searched for: each spelling, and the parts of the name that are
# unmistakable on their own (Ⅸ is too common a part to search for alone).
NEEDLES = ["zzcanary", "张三", *(unicodedata.normalize("NFKC", s).casefold() for s in OTHER_SPELLINGS)]

ROLES = ["lead", "editor", "viewer", "outsider", "superuser"]
DEADLINE = datetime.date(2026, 3, 20)


def leaks(text: str) -> list[str]:
    """The needles found in ``text``, however it is escaped, encoded or folded."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    # iCalendar folds long lines ("\r\n "); URLs percent-encode; HTML escapes.
    text = text.replace("\r\n ", "").replace("\n ", "")
    text = unicodedata.normalize("NFKC", html.unescape(unquote(text))).casefold()
    return [needle for needle in NEEDLES if needle in text]


@pytest.fixture
def canary(campaign, target, lead, editor, viewer, outsider, superuser, settings, tmp_path):
    """The canary's world, with every record each surface shows."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for user in (lead, editor, viewer, outsider, superuser):
        user.digest_frequency, user.digest_hour, user.digest_weekday = "weekly", 8, 0
        user.save()
    with time_machine.travel(datetime.datetime(2026, 2, 1, 10, tzinfo=ZURICH), tick=False):
        ask = AskFactory(
            campaign=campaign, target=target, owner=editor, title="Release the detained defender", deadline=DEADLINE
        )
        person = services.person_create(
            actor=lead,
            campaign=campaign,
            asks=[ask],
            name=NAME,
            other_names="\n".join(OTHER_SPELLINGS),
            risk=Person.Risk.HIGH,
            consent=Person.Consent.INTERNAL,
        )
    with time_machine.travel(datetime.datetime(2026, 3, 5, 11, tzinfo=ZURICH), tick=False):
        evidence = services.evidence_add(
            campaign=campaign,
            added_by=editor,
            asks=[ask],
            title=f"Letter about {person.pseudonym}",
            reference="CANARY/1",
            sensitivity=Evidence.Sensitivity.INTERNAL,
        )
        services.ask_add_note(ask=ask, author=editor, note=f"Family of {person.pseudonym} contacted.")
        services.ask_change_status(ask=ask, new_status="in_progress", author=lead, note="Mission replied.")
    organisation = services.organisation_create(actor=lead, name="Canary Coalition", country="", website="")
    services.signature_add(ask=ask, organisation=organisation, role="lead_drafter", actor=lead)
    # The public side too (issue 20): the campaign, the ask and an update published.
    publishing.campaign_publish(
        campaign=campaign, actor=lead, public_title="A public campaign", public_summary="Public.", allow_indexing=True
    )
    publishing.ask_publish(ask=ask, actor=lead, public_wording="Release the detained defender.")
    publishing.update_publish(ask=ask, actor=lead, public_status="in_progress", public_note="The mission replied.")
    # A suggestion from the public that names the person (issue 20): kept under the pseudonym.
    suggestions.suggestion_submit(
        campaign_id=campaign.pk, ask_id=ask.pk, text=f"{NAME} was seen at the court.", email="witness@example.net"
    )
    ask.refresh_from_db()
    return {"ask": ask, "person": person, "evidence": evidence, "campaign": campaign, "organisation": organisation}


def _lead_of(world):
    return world["campaign"].memberships.get(role="lead").user


def _users(request):
    return {role: request.getfixturevalue(role) for role in ROLES}


def _log_in(client, user):
    """Staff accounts pass the second factor first, as they must."""
    if user.is_staff:
        force_login_verified(client, user)
    else:
        client.force_login(user)


def _page_urls(world) -> dict[str, str]:
    ask, person, evidence, campaign = world["ask"], world["person"], world["evidence"], world["campaign"]
    digest = Digest.objects.order_by("pk").first()
    urls = {
        "dashboard": reverse("dashboard"),
        "campaign_list": reverse("campaign_list"),
        "campaign_detail": reverse("campaign_detail", args=[campaign.slug]),
        "asks_export": reverse("asks_export"),
        "ask_list": reverse("ask_list"),
        "ask_list searched": reverse("ask_list") + "?q=defender",
        "ask_create": reverse("ask_create"),
        "ask_detail": reverse("ask_detail", args=[ask.pk]),
        "ask_edit": reverse("ask_edit", args=[ask.pk]),
        "ask_status": reverse("ask_status", args=[ask.pk]),
        "evidence_add": reverse("evidence_add", args=[ask.pk]),
        "evidence_edit": reverse("evidence_edit", args=[evidence.pk]),
        "campaign_people": reverse("campaign_people", args=[campaign.slug]),
        "person_create": reverse("person_create", args=[campaign.slug]),
        "person_detail": reverse("person_detail", args=[person.pseudonym]),
        "person_edit": reverse("person_edit", args=[person.pseudonym]),
        "digest_list": reverse("digest_list"),
        "campaign_edit": reverse("campaign_edit", args=[campaign.slug]),
        "campaign_members": reverse("campaign_members", args=[campaign.slug]),
        "account_settings": reverse("account_settings"),
        "organisation_list": reverse("organisation_list"),
        "organisation_create": reverse("organisation_create"),
        "organisation_detail": reverse("organisation_detail", args=[world["organisation"].pk]),
        "organisation_edit": reverse("organisation_edit", args=[world["organisation"].pk]),
        "campaign_public": reverse("campaign_public", args=[campaign.slug]),
        "ask_public": reverse("ask_public", args=[ask.pk]),
        "campaign_suggestions": reverse("campaign_suggestions", args=[campaign.slug]),
        **_public_urls(world),
    }
    if digest is not None:
        urls["digest_detail"] = reverse("digest_detail", args=[digest.pk])
    return urls


def _public_urls(world) -> dict[str, str]:
    """What anyone on the internet can fetch."""
    ask, campaign = world["ask"], world["campaign"]
    return {
        "public_campaign": reverse("public_campaign", args=[campaign.slug]),
        "public_ask": reverse("public_ask", args=[campaign.slug, ask.public_id]),
        "public_embed": reverse("public_embed", args=[campaign.slug]),
        "public_feed": reverse("public_feed", args=[campaign.slug]),
        "public_suggest": reverse("public_suggest", args=[campaign.slug, ask.public_id]),
        "sitemap": reverse("sitemap"),
    }


# Where the real name may be shown, and to whom. The person's edit form holds
# the name in its field: it is the person's page, for those who may edit it.
ALLOWED_PAGES = {
    ("ask_detail", "lead"),
    ("ask_detail", "editor"),
    ("person_detail", "lead"),
    ("person_detail", "editor"),
    ("person_edit", "lead"),
    ("person_edit", "editor"),
}
# Endpoints that take only a POST (or need a secret of another user) and show
# nothing of their own; each is exercised where noted.
NOT_PAGES = {
    "ask_note": "POST only",
    "ask_delete": "POST only",
    "evidence_delete": "POST only",
    "evidence_download": "a file: its name is checked with the transfer file",
    "names_export": "the logged names export: test_names_export_only_to_a_lead_and_logged",
    "calendar_feed": "test_calendar_feed",
    "healthz": "no data",
    "signature_add": "POST only",
    "signature_remove": "POST only",
    "campaign_member_add": "POST only",
    "campaign_member_role": "POST only",
    "campaign_member_remove": "POST only",
    "campaign_unpublish": "POST only",
    "ask_unpublish": "POST only",
    "update_publish": "POST only: test_public_text_naming_the_person_is_refused",
    "update_withdraw": "POST only",
    "suggestion_decide": "POST only: test_a_public_suggestion_naming_the_person_is_kept_and_accepted_under_the_pseudonym",
}


def _campaign_url_names() -> set[str]:
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif (
                isinstance(pattern, URLPattern) and pattern.name and pattern.callback.__module__.startswith("campaign")
            ):
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_page_of_the_site_is_a_canary_surface(canary):
    covered = {name.split(" ")[0] for name in _page_urls(canary)} | set(NOT_PAGES) | {"digest_detail"}
    missing = _campaign_url_names() - covered
    assert not missing, f"Add these pages to the canary: {sorted(missing)}"


def test_no_public_surface_shows_the_name_to_anyone(canary, client):
    urls = _public_urls(canary)
    assert client.get(urls["public_ask"]).status_code == 200  # the canary's ask is really published
    for surface, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, surface
        assert not leaks(url) and not leaks(response.content), surface


@pytest.mark.parametrize("spelling", [NAME, OTHER_SPELLINGS[1], "ＺＺcanary 张三 ix"])
def test_public_text_naming_the_person_is_refused_even_for_a_lead(canary, spelling):
    ask, lead = canary["ask"], _lead_of(canary)
    with pytest.raises(ValidationError) as refused:
        publishing.update_publish(ask=ask, actor=lead, public_status="in_progress", public_note=f"We met {spelling}.")
    assert canary["person"].pseudonym in str(refused.value)
    assert not leaks(str(refused.value))
    with pytest.raises(ValidationError):
        publishing.ask_publish(ask=ask, actor=lead, public_wording=f"Free {spelling} now.")


def test_a_public_suggestion_naming_the_person_is_kept_and_accepted_under_the_pseudonym(canary, client):
    """The public cannot be told a name was refused (that would say whom the
    campaign tracks): the name is replaced by the pseudonym as it comes in."""
    cache.clear()  # the rate limit counts in the cache
    url = reverse("public_suggest", args=[canary["campaign"].slug, canary["ask"].public_id])
    token = suggestions.form_token(canary["ask"].public_id)
    for spelling in (NAME, *OTHER_SPELLINGS, "ＺＺcanary 张三 ix"):
        response = client.post(url, {"text": f"{spelling} was moved.", "token": token}, REMOTE_ADDR="192.0.2.1")
        assert response.status_code == 200 and not leaks(response.content), spelling
    kept = list(Suggestion.objects.values_list("text", flat=True))
    assert len(kept) == 5 and all(canary["person"].pseudonym in text for text in kept)
    assert not leaks("\n".join(kept))
    lead = _lead_of(canary)
    for suggestion in Suggestion.objects.all():
        suggestions.suggestion_accept_as_update(suggestion=suggestion, actor=lead)
    assert not leaks("\n".join(Update.objects.values_list("note", flat=True)))


def _send_digests_and_reminders():
    with time_machine.travel(datetime.datetime(2026, 3, 9, 8, 5, tzinfo=ZURICH), tick=False):
        call_command("send_digests", stdout=io.StringIO())
    with time_machine.travel(datetime.datetime(2026, 3, 19, 9, 0, tzinfo=ZURICH), tick=False):
        call_command("send_reminders", stdout=io.StringIO())


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_the_name_only_to_leads_and_editors_on_the_ask_and_person_pages(canary, role, request, client):
    _send_digests_and_reminders()  # so the digest pages have a digest
    user = _users(request)[role]
    _log_in(client, user)
    shown_on = []
    for surface, url in _page_urls(canary).items():
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (surface, response.status_code)
        assert not leaks(url), f"{surface}: the name is in its URL"
        content = response.content if not response.streaming else b"".join(response.streaming_content)
        if leaks(content):
            shown_on.append(surface)
    allowed = sorted(surface for surface, allowed_role in ALLOWED_PAGES if allowed_role == role)
    assert sorted(shown_on) == allowed


def test_every_email_shows_the_pseudonym_only(canary):
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2026, 3, 6, 11, tzinfo=ZURICH), tick=False):
        services.ask_change_status(
            ask=canary["ask"], new_status="open", author=_lead_of(canary), note="The mission went silent."
        )
    email_deliver_all()  # the status-change notifications
    _send_digests_and_reminders()
    with time_machine.travel(datetime.datetime(2026, 3, 21, 9, 0, tzinfo=ZURICH), tick=False):
        call_command("send_reminders", stdout=io.StringIO())  # overdue, to the owner and the leads
    email_deliver_all()
    kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
    assert {"status-change", "digest"} <= kinds and any(kind.startswith("reminder") for kind in kinds), kinds
    assert mail.outbox
    person = canary["person"]
    assert any(person.pseudonym in message.body for message in mail.outbox)  # the pseudonym stands in
    for message in mail.outbox:
        parts = [message.subject, message.body, *(body for body, _type in message.alternatives)]
        parts += [f"{key}: {value}" for key, value in message.extra_headers.items()]
        assert not leaks("\n".join(parts)), f"{message.subject!r} to {message.to}"
    for digest in Digest.objects.all():
        assert not leaks(digest.subject + digest.body_text + digest.body_html)


@pytest.mark.parametrize("role", ["lead", "editor", "viewer", "superuser"])
def test_csv_export_shows_the_pseudonym_only(canary, role, request, client):
    _log_in(client, _users(request)[role])
    response = client.get(reverse("asks_export"))
    content = response.content.decode("utf-8")
    assert canary["person"].pseudonym in content
    assert not leaks(content)


def test_admin_exports_show_the_pseudonym_only(canary, client, superuser):
    force_login_verified(client, superuser)
    for model in ("ask", "evidence"):
        url = reverse(f"admin:campaign_{model}_export")
        response = client.post(url, {"format": "0", "resource": "0", "export_items": [], "ask": "on"})
        assert response.status_code in (200, 302), model
        assert not leaks(response.content), model
    action = client.post(
        reverse("admin:campaign_ask_changelist"),
        {"action": "export_csv", "_selected_action": [canary["ask"].pk]},
    )
    assert action.status_code == 200
    assert not leaks(action.content)


@pytest.mark.parametrize("as_zip", [False, True])
def test_transfer_file_shows_the_pseudonym_only(canary, tmp_path, as_zip):
    path = campaign_export(campaign=canary["campaign"], output_dir=tmp_path / "out", as_zip=as_zip)
    if as_zip:
        with zipfile.ZipFile(path) as archive:
            texts = [name for name in archive.namelist()]
            texts += [archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()]
    else:
        files = [p for p in path.rglob("*") if p.is_file()]
        texts = [str(p.relative_to(path)) for p in files] + [p.read_text(errors="replace") for p in files]
    data = json.loads(next(text for text in texts if text.lstrip().startswith("{")))
    assert [row["pseudonym"] for row in data["people"]] == [canary["person"].pseudonym]
    assert not leaks("\n".join(texts))


@pytest.mark.parametrize("role", ["lead", "editor", "viewer"])
def test_calendar_feed(canary, role, request, client):
    user = _users(request)[role]
    response = client.get(reverse("calendar_feed", args=[user.calendar_token]))
    assert response.status_code == 200
    feed = response.content.decode()
    assert canary["person"].pseudonym in feed.replace("\r\n ", "")
    assert not leaks(feed)


def test_admin_lists_show_the_pseudonym_and_only_the_change_form_the_name(canary, client, superuser):
    force_login_verified(client, superuser)
    services.name_guard_check(
        campaign_id=canary["campaign"].pk, texts={"note": NAME}, author=superuser, override=True
    )  # a logged override, so its list has a row
    NamesExport.objects.create(campaign=canary["campaign"], user=superuser, reason="For the rapporteur's office.")
    shown_on = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        for query in ("", f"?q={canary['person'].pseudonym}"):
            response = client.get(url + query)
            assert response.status_code == 200, url
            if leaks(response.content):
                shown_on.append(f"{model._meta.label} list")
        if model is Person:
            change = client.get(reverse("admin:campaign_person_change", args=[canary["person"].pk]))
            if leaks(change.content):
                shown_on.append("campaign.Person change form")
    assert shown_on == ["campaign.Person change form"]


def test_names_export_only_to_a_lead_and_logged(canary, request, client):
    users = _users(request)
    url = reverse("names_export", args=[canary["campaign"].slug])
    reason = {"reason": "The Special Rapporteur's office asked for the names for an urgent appeal."}
    for role in ("editor", "viewer", "outsider"):
        client.force_login(users[role])
        response = client.post(url, reason)
        assert response.status_code in (403, 404), role
        assert not leaks(response.content)
    client.force_login(users["lead"])
    assert not leaks(client.post(url, {"reason": ""}, follow=True).content)  # no reason, no names
    response = client.post(url, reason)
    assert response.status_code == 200 and leaks(response.content)
    [logged] = NamesExport.objects.all()
    assert (logged.user, logged.reason) == (users["lead"], reason["reason"])


def test_a_full_job_run_logs_no_name(canary, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    email_deliver_all()
    with time_machine.travel(datetime.datetime(2026, 3, 9, 8, 5, tzinfo=ZURICH), tick=False):
        call_command("send_digests", "--dry-run", stdout=out, stderr=out)
        call_command("send_digests", stdout=out, stderr=out)
        call_command("compile_summaries", stdout=out, stderr=out)
    with time_machine.travel(datetime.datetime(2026, 3, 19, 9, 0, tzinfo=ZURICH), tick=False):
        call_command("send_reminders", "--dry-run", stdout=out, stderr=out)
        call_command("send_reminders", stdout=out, stderr=out)
    call_command("deliver_email", stdout=out, stderr=out)
    captured = capsys.readouterr()
    logged = caplog.text + out.getvalue() + captured.out + captured.err
    assert "Digest" in logged or "digest" in logged  # the run did its work and said so
    assert not leaks(logged)


def test_error_reports_name_the_pseudonym_only(canary):
    """``str()`` is what admin lists, log lines and error reports print."""
    person = canary["person"]
    assert str(person) == person.pseudonym
    assert not leaks(repr(person))


def _shows_names(person, **kwargs):
    return person.name


@pytest.mark.parametrize(
    ("module", "surface_test"),
    [
        ("campaign.exports", "test_csv_export_shows_the_pseudonym_only"),
        ("campaign.calendar", "test_calendar_feed"),
        ("campaign.transfer", "test_transfer_file_shows_the_pseudonym_only"),
        ("campaign.mail.notifications", "test_every_email_shows_the_pseudonym_only"),
        ("campaign.selectors", "test_pages_show_the_name_only_to_leads_and_editors_on_the_ask_and_person_pages"),
    ],
)
def test_the_canary_fails_when_one_surface_shows_the_name(
    canary, module, surface_test, request, client, monkeypatch, tmp_path
):
    """Each surface asks ``person_display_name``; make one of them show the
    name to everyone and that surface's canary test fails."""
    monkeypatch.setattr(module + ".person_display_name", _shows_names)
    test = globals()[surface_test]
    kwargs = {"canary": canary, "request": request, "client": client, "tmp_path": tmp_path, "role": "viewer"}
    if surface_test == "test_transfer_file_shows_the_pseudonym_only":
        kwargs["as_zip"] = False
    names = test.__code__.co_varnames[: test.__code__.co_argcount]
    with pytest.raises(AssertionError):
        test(**{name: kwargs[name] for name in names})


def test_evidence_download_name_carries_no_name(canary, client, editor):
    """An uploaded file's name comes back in the download; the guard refuses one that names the person."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{NAME} statement.txt", b"text", content_type="text/plain")
    with pytest.raises(services.NameGuardError):
        services.evidence_add(
            campaign=canary["campaign"],
            added_by=editor,
            asks=[canary["ask"]],
            file=upload,
            content_type="text/plain",
            title="Statement",
        )
    assert not Evidence.objects.filter(title="Statement").exists()
