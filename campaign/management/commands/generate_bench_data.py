"""Fill an empty database with the benchmark's seeded-random load."""

import time

from django.core.management.base import BaseCommand, CommandError

from campaign.bench.data import ForeignDataError, bench_data_generate


class Command(BaseCommand):
    help = (
        "Fill the database with seeded-random bench data (50 campaigns, 500 users, 20,000 asks, "
        "100,000 updates, 60,000 evidence items at --scale 1). Refuses a database holding real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same rows.")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every count (0.1 for a tenth).")
        parser.add_argument(
            "--force", action="store_true", help="Add bench rows even though the database holds other data."
        )

    def handle(self, *args, seed, scale, force, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        started = time.monotonic()
        log = (lambda message: self.stdout.write(f"  {message}")) if options["verbosity"] >= 1 else None
        try:
            bench_data_generate(seed=seed, scale=scale, force=force, log=log)
        except ForeignDataError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Bench data (seed {seed}, scale {scale}) generated in {time.monotonic() - started:.1f} s."
                )
            )
