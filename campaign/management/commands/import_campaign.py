from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from campaign.transfer import TransferError, campaign_import


class Command(BaseCommand):
    help = (
        "Import a campaign written by export_campaign (its folder, campaign.json or zip). "
        "Refuses a campaign whose slug exists already. People not known here are created inactive."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export: a folder, its campaign.json, or a .zip.")

    def handle(self, *args, file, **options):
        try:
            campaign = campaign_import(path=Path(file))
        except TransferError as error:
            raise CommandError(str(error)) from error
        asks, evidence = campaign.asks.count(), campaign.evidence.count()
        counts = f"{asks} ask{pluralize(asks)}, {evidence} evidence item{pluralize(evidence)}"
        self.stdout.write(self.style.SUCCESS(f"Imported “{campaign}” ({counts})."))
