from pathlib import Path

from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from campaign.services import UN_CALENDAR_FILE, un_calendar_file_rows, un_calendar_load


class Command(BaseCommand):
    help = (
        "Load the UN meetings shipped in campaign/data/un_calendar.json. Safe to run again: a row unchanged "
        "since the last run is skipped, so corrections made in the admin stay until a release changes that row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(UN_CALENDAR_FILE), help="Another calendar file of the same shape.")

    def handle(self, *args, file, **options):
        counts = un_calendar_load(rows=un_calendar_file_rows(Path(file)))
        self.stdout.write(
            "UN calendar: {created} meeting{s} added, {updated} updated, {unchanged} unchanged.".format(
                s=pluralize(counts["created"]), **counts
            )
        )
