from campaign.mail.reminders import reminders_send
from campaign.management.commands._jobs import JobCommand


class Command(JobCommand):
    help = "Queue and send the deadline and stale-ask reminders due now (the hourly job)."

    def handle(self, *args, dry_run=False, now=None, **options):
        queued = reminders_send(now=now, dry_run=dry_run)
        verb = "Would send" if dry_run else "Queued"
        for item in queued:
            self.stdout.write(f"{verb}: {item}")
        self.stdout.write(f"{verb} {len(queued)} reminder(s).")
        if not dry_run:
            self.deliver()
