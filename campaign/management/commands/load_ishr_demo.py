from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from campaign.demo import demo_load
from campaign.models import Ask, Evidence


class Command(BaseCommand):
    help = "Load (or refresh) the ISHR demo campaigns. Safe to run again: it adds no duplicates."

    def handle(self, *args, **options):
        campaigns = demo_load()
        for campaign in campaigns.values():
            asks = Ask.objects.filter(campaign=campaign).count()
            evidence = Evidence.objects.filter(campaign=campaign).count()
            self.stdout.write(
                f"Demo campaign “{campaign.title}”: {asks} ask{pluralize(asks)}, {evidence} evidence item{pluralize(evidence)}."
            )
