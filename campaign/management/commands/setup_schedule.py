"""Create the default schedule of the background jobs in django-celery-beat's
tables, where admins can see and change it. Idempotent: a job that already has
a periodic task (by name or by task) is left exactly as an admin set it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

DEFAULT_SCHEDULE = [
    # (name shown in admin, task, crontab fields or None for "every minute")
    ("Deadline reminders (hourly)", "campaign.tasks.send_reminders", {"minute": "0"}),
    ("Email digests (hourly; each user's own hour decides)", "campaign.tasks.send_digests", {"minute": "0"}),
    (
        "Weekly progress summaries (Monday 06:00)",
        "campaign.tasks.compile_summaries",
        {"minute": "0", "hour": "6", "day_of_week": "1"},
    ),
    ("Deliver queued email (sweep every minute)", "campaign.tasks.deliver_email", None),
    (
        "Erase emails of public suggestions after 90 days (daily 03:30)",
        "campaign.tasks.erase_suggestion_emails",
        {"minute": "30", "hour": "3"},
    ),
]


def _crontab(fields: dict) -> CrontabSchedule:
    full = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*", **fields}
    schedule, _ = CrontabSchedule.objects.get_or_create(**full, timezone=settings.TIME_ZONE)
    return schedule


class Command(BaseCommand):
    help = (
        "Create the default periodic tasks (reminders, digests, summaries, email sweep, "
        "suggestion emails' erasure) if they are missing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for name, task, crontab in DEFAULT_SCHEDULE:
            if PeriodicTask.objects.filter(Q(name=name) | Q(task=task)).exists():
                self.stdout.write(f"Kept: {name}")
                continue
            if crontab is None:
                every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.MINUTES)
                PeriodicTask.objects.create(name=name, task=task, interval=every_minute)
            else:
                PeriodicTask.objects.create(name=name, task=task, crontab=_crontab(crontab))
            self.stdout.write(f"Created: {name}")
