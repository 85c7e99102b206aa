from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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
        counts = f"{campaign.asks.count()} asks, {campaign.evidence.count()} evidence items"
        self.stdout.write(self.style.SUCCESS(f"Imported “{campaign}” ({counts})."))
