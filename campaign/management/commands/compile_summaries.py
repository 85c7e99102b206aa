from django.template.defaultfilters import pluralize

from campaign.management.commands._jobs import JobCommand
from campaign.summaries import summaries_compile


class Command(JobCommand):
    help = "Compile last week's progress summary for every campaign that is not closed (the weekly job)."

    def handle(self, *args, dry_run=False, now=None, **options):
        compiled = summaries_compile(now=now, dry_run=dry_run)
        if dry_run:
            for campaign, start, end in compiled:
                self.stdout.write(f"Would compile: {campaign} {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}")
            self.stdout.write(f"Would compile {len(compiled)} {pluralize(len(compiled), 'summary,summaries')}.")
            return
        for summary in compiled:
            self.stdout.write(f"Compiled: {summary}")
        self.stdout.write(f"Compiled {len(compiled)} {pluralize(len(compiled), 'summary,summaries')}.")
