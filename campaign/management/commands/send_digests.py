from django.template.defaultfilters import pluralize

from campaign.mail.digests import digests_send
from campaign.management.commands._jobs import JobCommand


class Command(JobCommand):
    help = "Queue and send the email digests due now (the hourly job; each user's own hour decides)."

    def handle(self, *args, dry_run=False, now=None, **options):
        digests = digests_send(now=now, dry_run=dry_run)
        verb = "Would send" if dry_run else "Queued"
        for digest in digests:
            self.stdout.write(f"{verb}: {digest.user.email}: {digest.subject}")
        self.stdout.write(f"{verb} {len(digests)} digest{pluralize(len(digests))}.")
        if not dry_run:
            self.deliver()
