from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaign.mail.reminders import SEND_FROM_HOUR, reminders_send, zones_before_sending_hour
from campaign.management.commands._jobs import JobCommand

ZONES_LISTED = 5


class Command(JobCommand):
    help = "Queue and send the deadline and stale-ask reminders due now (the hourly job)."

    def handle(self, *args, dry_run=False, now=None, **options):
        now = now or timezone.now()
        queued = reminders_send(now=now, dry_run=dry_run)
        verb = "Would send" if dry_run else "Queued"
        for item in queued:
            self.stdout.write(f"{verb}: {item}")
        self.stdout.write(f"{verb} {len(queued)} reminder{pluralize(len(queued))}.")
        if not queued:
            self.explain_waiting(now)
        if not dry_run:
            self.deliver()

    def explain_waiting(self, now):
        """Nothing queued is often just the hour: say so, rather than leave it a mystery."""
        waiting = zones_before_sending_hour(now=now)
        if not waiting:
            return
        listed = ", ".join(f"{name} ({local:%H:%M})" for name, local in list(waiting.items())[:ZONES_LISTED])
        more = f" and {len(waiting) - ZONES_LISTED} more" if len(waiting) > ZONES_LISTED else ""
        self.stdout.write(
            f"Reminders go out from {SEND_FROM_HOUR:02}:00 local time; it is earlier than that "
            f"for users in {listed}{more}. Theirs wait for a later run."
        )
