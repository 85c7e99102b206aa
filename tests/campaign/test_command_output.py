"""What the job and data commands print: counts in plain English, and why a
reminder run queued nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from campaign.models import Ask, Campaign
from tests.factories import EvidenceFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_reminder_counts_read_as_english(ask, editor):
    Ask.objects.filter(pk=ask.pk).update(deadline=datetime.date(2026, 3, 20))
    assert "Would send 1 reminder.\n" in run("send_reminders", "--dry-run", "--now", "2026-03-13T09:30")
    assert "Would send 0 reminders.\n" in run("send_reminders", "--dry-run", "--now", "2026-03-14T09:30")


def test_a_reminder_run_before_eight_local_says_why_it_queued_nothing(ask, editor):
    UserFactory(timezone="Asia/Bangkok")  # 13:30 there: past the hour, nothing due
    Ask.objects.filter(pk=ask.pk).update(deadline=datetime.date(2026, 3, 20))

    output = run("send_reminders", "--now", "2026-03-13T07:30")

    assert "Queued 0 reminders.\n" in output
    assert (
        "Reminders go out from 08:00 local time; it is earlier than that for users in "
        "Europe/Zurich (07:30). Theirs wait for a later run."
    ) in output
    assert "Asia/Bangkok" not in output
    assert "Queued 1 reminder.\n" in run("send_reminders", "--now", "2026-03-13T08:30")


def test_a_reminder_run_after_eight_everywhere_explains_nothing(ask, editor):
    assert "earlier than that" not in run("send_reminders", "--dry-run", "--now", "2026-03-13T09:30")


def test_digest_and_summary_counts_read_as_english(ask, editor, campaign):
    editor.digest_frequency, editor.digest_when_quiet = "daily", True
    editor.save()
    assert "Would send 1 digest.\n" in run("send_digests", "--dry-run", "--now", "2026-03-13T09:00")
    assert "Would compile 1 summary.\n" in run("compile_summaries", "--dry-run", "--now", "2026-03-16T07:00")
    assert "Compiled 1 summary.\n" in run("compile_summaries", "--now", "2026-03-16T07:00")
    Campaign.objects.create(title="Second", slug="second")
    assert "Compiled 2 summaries.\n" in run("compile_summaries", "--now", "2026-03-23T07:00")


def test_import_counts_one_ask_and_one_evidence_item(ask, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    EvidenceFactory(campaign=campaign, asks=[ask], reference="A/HRC/1")
    run("export_campaign", "china", "--output", str(tmp_path / "out"))
    Campaign.objects.filter(pk=campaign.pk).update(slug="china-before")

    assert "(1 ask, 1 evidence item)" in run("import_campaign", str(tmp_path / "out" / "china"))
