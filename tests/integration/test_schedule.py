"""The default schedule and the hand-run job commands."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django_celery_beat.models import PeriodicTask

from campaign.models import Ask, OutboundEmail, Reminder

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_setup_schedule_creates_the_five_jobs_once():
    run("setup_schedule")
    run("setup_schedule")
    tasks = {task.task: task for task in PeriodicTask.objects.all()}
    assert set(tasks) == {
        "campaign.tasks.send_reminders",
        "campaign.tasks.send_digests",
        "campaign.tasks.compile_summaries",
        "campaign.tasks.deliver_email",
        "campaign.tasks.erase_suggestion_emails",
    }
    assert str(tasks["campaign.tasks.compile_summaries"].crontab.hour) == "6"
    assert tasks["campaign.tasks.compile_summaries"].crontab.day_of_week == "1"
    assert tasks["campaign.tasks.deliver_email"].interval.every == 1


def test_setup_schedule_never_overwrites_an_admins_change():
    run("setup_schedule")
    reminders = PeriodicTask.objects.get(task="campaign.tasks.send_reminders")
    reminders.enabled = False
    reminders.crontab.minute = "30"
    reminders.crontab.save()
    reminders.save()
    PeriodicTask.objects.filter(task="campaign.tasks.send_digests").update(name="Digests, renamed by an admin")
    output = run("setup_schedule")
    assert "Created" not in output
    reminders.refresh_from_db()
    assert not reminders.enabled and reminders.crontab.minute == "30"
    assert PeriodicTask.objects.count() == 5


def test_send_reminders_dry_run_prints_and_sends_nothing(ask, editor):
    Ask.objects.filter(pk=ask.pk).update(deadline="2026-03-20")
    output = run("send_reminders", "--dry-run", "--now", "2026-03-13T09:30:00+01:00")
    assert f"Would send: due_in_7 to {editor.email}" in output
    assert Reminder.objects.count() == OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_send_reminders_now_without_offset_is_in_the_sites_time_zone(ask, editor):
    Ask.objects.filter(pk=ask.pk).update(deadline="2026-03-20")
    # 07:30 in Zurich: before 08:00, nothing yet.
    assert "Queued 0 reminders." in run("send_reminders", "--now", "2026-03-13T07:30")
    output = run("send_reminders", "--now", "2026-03-13T08:30")
    assert "Queued 1 reminder." in output and "1 sent" in output
    assert [message.to for message in mail.outbox] == [[editor.email]]


def test_send_digests_and_compile_summaries_dry_run(ask, editor, campaign):
    editor.digest_frequency, editor.digest_when_quiet = "daily", True
    editor.save()
    assert f"Would send: {editor.email}: Daily digest" in run("send_digests", "--dry-run", "--now", "2026-03-13T09:00")
    assert "Would compile: China accountability" in run("compile_summaries", "--dry-run", "--now", "2026-03-16T07:00")
    assert OutboundEmail.objects.count() == 0


def test_a_bad_now_is_refused_with_an_example():
    with pytest.raises(CommandError, match="ISO 8601"):
        run("send_reminders", "--now", "next tuesday")
