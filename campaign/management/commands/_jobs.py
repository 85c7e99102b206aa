"""What the job commands share: --now and --dry-run."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaign.mail.outbox import email_deliver_all


def parse_now(value: str) -> datetime.datetime:
    """ISO 8601; without an offset the time is in the site's TIME_ZONE."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--now {value!r} is not an ISO 8601 date-time such as 2026-03-02T09:30:00+01:00."
        ) from error
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment


class JobCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")
        parser.add_argument(
            "--now",
            type=parse_now,
            default=None,
            help="Act as if it were this moment (ISO 8601; without an offset, in TIME_ZONE).",
        )

    def deliver(self):
        """Send what was queued right away, by the real clock (--now only decides what is due)."""
        self.stdout.write(f"Delivery: {email_deliver_all()}.")
