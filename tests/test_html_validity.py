"""Every staff page, as a lead and as a viewer, and every email's HTML part pass
the W3C Nu HTML checker (vnu) with no errors, on the demo data.

vnu comes from npm (``vnu-jar`` in package.json; ``make vnu`` installs it) and
runs on the system's Java. All documents go to one ``java`` run: the JVM's
start costs seconds, each document milliseconds."""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from campaign.demo import CHINA_SLUG, DEMO_USERS
from campaign.models import OPEN_STATUSES, Ask, Digest, OutboundEmail

# The email jobs, in one place: their modules are moving (campaign/mail/).
from campaign.mail.digests import digests_send  # isort: skip
from campaign.mail.reminders import reminders_send  # isort: skip
from campaign.services import ask_change_status  # isort: skip

pytestmark = pytest.mark.vnu

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(files: list[Path]) -> list[tuple[str, int, str]]:
    """vnu's errors on ``files``, as (file name, line, message)."""
    assert VNU_JAR.exists(), "The HTML checker is missing: `make vnu` installs it (npm ci --ignore-scripts)"
    java = shutil.which("java")
    assert java, "vnu needs Java: `make vnu` installs Debian's default-jre-headless"
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    # vnu writes its JSON report to stderr and exits 1 when it found errors.
    report = json.loads(run.stderr)
    return [
        (Path(message.get("url", "")).name, message.get("lastLine", 0), message["message"])
        for message in report["messages"]
        if message["type"] in ("error", "non-document-error")
    ]


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with open(os.devnull, "w") as quiet:
        call_command("load_ishr_demo", stdout=quiet)
        call_command("compile_summaries", stdout=quiet)
    return {role: User.objects.get(email=email) for role, (email, _name) in DEMO_USERS.items()}


def queue_every_kind_of_email(users: dict[str, User]) -> None:
    """Reminders and digests through their jobs, a status change through the
    service that notifies; each writes its emails to the outbox."""
    now = timezone.now()
    for user in users.values():
        user.digest_frequency, user.digest_hour, user.digest_when_quiet = "daily", 0, True
        user.save()
    # One ask's deadline seen 7 days before, on the day and a day after (the
    # leads are copied on that one), and a "no update" reminder for it.
    ask = Ask.objects.filter(campaign__slug=CHINA_SLUG, status__in=OPEN_STATUSES).exclude(deadline=None).first()
    noon = datetime.datetime.combine(ask.deadline, datetime.time(12), tzinfo=datetime.UTC)
    for days_before in (7, 0, -1):
        reminders_send(now=noon - datetime.timedelta(days=days_before))
    quiet_since = noon - datetime.timedelta(days=ask.campaign.stale_after_days, hours=1)
    Ask.objects.filter(pk=ask.pk).update(last_activity_at=quiet_since)
    reminders_send(now=noon)
    digests_send(now=now)
    ask = Ask.objects.filter(campaign__slug=CHINA_SLUG).exclude(status="in_progress").first()
    ask_change_status(ask=ask, new_status="in_progress", author=users["editor2"], note="Raised in Geneva.\nAgain.")


def staff_pages(ask: Ask, digest: Digest) -> list[str]:
    return [
        "/",
        "/asks/",
        "/asks/?status=in_progress&q=report",
        ask.get_absolute_url(),
        f"/campaigns/{CHINA_SLUG}/",
        "/campaigns/",
        "/asks/new/",
        f"/asks/{ask.pk}/edit/",
        f"/asks/{ask.pk}/evidence/new/",
        f"/asks/{ask.pk}/status/",
        f"/campaigns/{CHINA_SLUG}/members/",
        f"/campaigns/{CHINA_SLUG}/edit/",
        f"/campaigns/{CHINA_SLUG}/suggestions/",
        "/accounts/settings/",
        "/digests/",
        f"/digests/{digest.pk}/",
    ]


# htmx swaps these into the ask list; checked inside a minimal page of their own.
FRAGMENT_PAGE = '<!DOCTYPE html><html lang="en"><head><title>Fragment</title></head><body><main>{}</main></body></html>'


def public_pages() -> list[str]:
    """The demo's published campaign, one of its asks, its suggestion form and the embeddable widget."""
    published = Ask.objects.filter(campaign__slug=CHINA_SLUG, published=True, public_id__isnull=False).first()
    assert published, "the demo publishes the China campaign's asks"
    base = f"/p/{CHINA_SLUG}/"
    return [base, f"{base}{published.public_id}/", f"{base}{published.public_id}/suggest/", f"{base}embed/"]


def htmx_fragments(client, ask: Ask) -> dict[str, str]:
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": f"status-cell-{ask.pk}"}
    url = f"/asks/{ask.pk}/status/"
    pages = {
        "status form": client.get(url, **htmx),
        "status cell": client.get(url + "?cancel=1", **htmx),
        "status cell, saved": client.post(url, {"new_status": "met", "note": "Done."}, **htmx),
    }
    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    return {name: response.content.decode() for name, response in pages.items()}


def test_staff_pages_and_emails_are_valid_html(demo, client, tmp_path):
    queue_every_kind_of_email(demo)
    emails = {
        kind: OutboundEmail.objects.filter(kind=kind).exclude(body_html="")
        for kind in OutboundEmail.objects.values_list("kind", flat=True).distinct()
    }
    assert {"reminder", "digest", "status-change"} <= set(emails), sorted(emails)
    assert emails["reminder"].count() >= 5  # due in 7 days, today, overdue (owner and lead), no update
    ask = Ask.objects.filter(campaign__slug=CHINA_SLUG).exclude(evidence=None).first()

    documents: dict[str, str] = {}
    documents["login"] = client.get("/accounts/login/").content.decode()
    for role in ("lead", "viewer"):
        client.force_login(demo[role])
        digest = Digest.objects.filter(user=demo[role]).first()
        assert digest, f"no digest for the {role}"
        for path in staff_pages(ask, digest):
            # A viewer is sent away from, or refused, the forms they may not
            # use: the page they land on (with its message) is checked instead.
            response = client.get(path, follow=role == "viewer")
            expected = (200,) if role == "lead" else (200, 403)
            assert response.status_code in expected, (role, path, response.status_code)
            documents[f"{role} {path}"] = response.content.decode()
    anonymous = Client()
    for path in public_pages():
        response = anonymous.get(path)
        assert response.status_code == 200, path
        documents[f"public {path}"] = response.content.decode()
    client.force_login(demo["lead"])
    for name, html in htmx_fragments(client, ask).items():
        documents[f"htmx fragment: {name}"] = FRAGMENT_PAGE.format(html)
    for kind, rows in emails.items():
        # Each kind's variants: reminders say "due in", "due today", "overdue", "no update".
        for row in rows.order_by("subject")[:20]:
            documents[f"email {kind} {row.pk}"] = row.body_html

    files = []
    names = {}
    for number, (name, html) in enumerate(documents.items()):
        path = tmp_path / f"{number:03d}.html"
        path.write_text(html)
        files.append(path)
        names[path.name] = name
    errors = vnu_errors(files)
    readable = [f"{names.get(file, file)}, line {line}: {message}" for file, line, message in errors]
    assert readable == [], "\n".join(readable)
