from django.core.management.base import BaseCommand

from campaign.mail.outbox import email_deliver_all


class Command(BaseCommand):
    help = "Send the queued emails that are due, in batches over one SMTP connection each."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="Messages per connection (EMAIL_BATCH_SIZE).")

    def handle(self, *args, batch_size=None, **options):
        self.stdout.write(f"Delivery: {email_deliver_all(batch_size=batch_size)}.")
