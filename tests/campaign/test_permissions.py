"""Who may open what: every page × every persona, driven from one table.

A non-member of the campaign gets 404 for anything of it (never a 403 that
would confirm it exists); a member whose role is too low gets 403; anonymous
visitors are sent to the login page."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from campaign.models import Evidence, Membership
from tests.factories import EvidenceFactory
from tests.two_factor import force_login_verified

PERSONAS = ["anonymous", "outsider", "viewer", "editor", "lead", "superuser"]

# page: (method, url builder, data, expected status per persona in PERSONAS order)
# 302 for anonymous is the login redirect (asserted below); for members it is
# the redirect after a successful POST.
MATRIX = {
    "dashboard": ("get", lambda o: reverse("dashboard"), None, [302, 200, 200, 200, 200, 200]),
    "campaign list": ("get", lambda o: reverse("campaign_list"), None, [302, 200, 200, 200, 200, 200]),
    "campaign detail": (
        "get",
        lambda o: reverse("campaign_detail", args=[o["campaign"].slug]),
        None,
        [302, 404, 200, 200, 200, 200],
    ),
    "ask list": ("get", lambda o: reverse("ask_list"), None, [302, 200, 200, 200, 200, 200]),
    "ask detail": ("get", lambda o: reverse("ask_detail", args=[o["ask"].pk]), None, [302, 404, 200, 200, 200, 200]),
    "ask edit": ("get", lambda o: reverse("ask_edit", args=[o["ask"].pk]), None, [302, 404, 403, 200, 200, 200]),
    # A viewer is sent to the dashboard, which says why (no campaign to record in).
    "ask new": ("get", lambda o: reverse("ask_create"), None, [302, 200, 302, 200, 200, 200]),
    "status form": ("get", lambda o: reverse("ask_status", args=[o["ask"].pk]), None, [302, 404, 403, 200, 200, 200]),
    "status change": (
        "post",
        lambda o: reverse("ask_status", args=[o["ask"].pk]),
        {"new_status": "in_progress", "note": "Meeting held."},
        [302, 404, 403, 302, 302, 302],
    ),
    "note": (
        "post",
        lambda o: reverse("ask_note", args=[o["ask"].pk]),
        {"note": "Letter sent."},
        [302, 404, 403, 302, 302, 302],
    ),
    "evidence add": (
        "get",
        lambda o: reverse("evidence_add", args=[o["ask"].pk]),
        None,
        [302, 404, 403, 200, 200, 200],
    ),
    "delete": ("post", lambda o: reverse("ask_delete", args=[o["ask"].pk]), {}, [302, 404, 403, 302, 302, 302]),
    "export csv": ("get", lambda o: reverse("asks_export"), None, [302, 200, 200, 200, 200, 200]),
    "download": (
        "get",
        lambda o: reverse("evidence_download", args=[o["evidence"].pk]),
        None,
        [302, 404, 200, 200, 200, 200],
    ),
    "evidence edit": (
        "get",
        lambda o: reverse("evidence_edit", args=[o["evidence"].pk]),
        None,
        [302, 404, 403, 200, 200, 200],
    ),
    "evidence delete": (
        "post",
        lambda o: reverse("evidence_delete", args=[o["evidence"].pk]),
        {},
        [302, 404, 403, 302, 302, 302],
    ),
    "settings": ("get", lambda o: reverse("account_settings"), None, [302, 200, 200, 200, 200, 200]),
    "campaign edit": (
        "get",
        lambda o: reverse("campaign_edit", args=[o["campaign"].slug]),
        None,
        [302, 404, 403, 403, 200, 200],
    ),
    "campaign save": (
        "post",
        lambda o: reverse("campaign_edit", args=[o["campaign"].slug]),
        {"title": "Renamed", "status": "active", "started_on": "2022-05-01", "stale_after_days": "30"},
        [302, 404, 403, 403, 302, 302],
    ),
    "members": (
        "get",
        lambda o: reverse("campaign_members", args=[o["campaign"].slug]),
        None,
        [302, 404, 403, 403, 200, 200],
    ),
    "member add": (
        "post",
        lambda o: reverse("campaign_member_add", args=[o["campaign"].slug]),
        {"email": "outsider@example.org", "role": "viewer"},
        [302, 404, 403, 403, 302, 302],
    ),
    "member role": (
        "post",
        lambda o: reverse("campaign_member_role", args=[o["campaign"].slug, o["membership"].pk]),
        {"role": "editor"},
        [302, 404, 403, 403, 302, 302],
    ),
    "member remove": (
        "post",
        lambda o: reverse("campaign_member_remove", args=[o["campaign"].slug, o["membership"].pk]),
        {},
        [302, 404, 403, 403, 302, 302],
    ),
}

CASES = [
    pytest.param(page, persona, expected[index], id=f"{page}-{persona}")
    for page, (_, _, _, expected) in MATRIX.items()
    for index, persona in enumerate(PERSONAS)
]


@pytest.fixture
def evidence(campaign, ask, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = EvidenceFactory(campaign=campaign, asks=[ask], sensitivity=Evidence.Sensitivity.INTERNAL)
    item.file.save("letter.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    item.original_filename, item.content_type = "letter.pdf", "application/pdf"
    item.save()
    return item


@pytest.mark.parametrize(("page", "persona", "expected"), CASES)
def test_page_answers_each_persona_as_the_table_says(page, persona, expected, request, client, campaign, ask, evidence):
    # All members exist in every case, so "outsider" is a real user of another campaign.
    users = {name: request.getfixturevalue(name) for name in PERSONAS[1:]}
    if persona == "superuser":
        force_login_verified(client, users[persona])
    elif persona != "anonymous":
        client.force_login(users[persona])
    method, url_for, data, _ = MATRIX[page]
    membership = Membership.objects.get(campaign=campaign, user=users["viewer"])
    url = url_for({"campaign": campaign, "ask": ask, "evidence": evidence, "membership": membership})

    response = getattr(client, method)(url, data or {})

    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
