from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from campaign.transfer import TransferError, campaign_export


class Command(BaseCommand):
    help = "Export a campaign whole (asks, updates, evidence and its files, memberships) for import_campaign."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The campaign's slug, as in /campaigns/<slug>/.")
        parser.add_argument("--output", default=".", help="Folder to write into (default: the current one).")
        parser.add_argument(
            "--zip", dest="as_zip", action="store_true", help="Write one <slug>.zip instead of a <slug>/ folder."
        )

    def handle(self, *args, slug, output, as_zip, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign with the slug “{slug}”.")
        try:
            path = campaign_export(campaign=campaign, output_dir=Path(output), as_zip=as_zip)
        except TransferError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Exported “{campaign}” to {path}"))
