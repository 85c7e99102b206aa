"""`make bench`: the performance benchmark (see campaign/bench/runner.py)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaign.bench import runner


class Command(BaseCommand):
    help = (
        "Benchmark pages (gunicorn + wrk) and jobs on fresh, generated PostgreSQL databases created next to "
        "DATABASE_URL's; prints one table and writes JSON to var/bench/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--duration", type=int, default=5, help="Seconds of wrk per page and round.")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="Run without PostgreSQL (numbers not meaningful)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the bench databases and temporary files.")
        parser.add_argument("--skip-pages", action="store_true")
        parser.add_argument("--skip-jobs", action="store_true")
        # Internal: the runner's subprocesses on a bench database.
        parser.add_argument("--step", choices=["prepare", "jobs", "growth"], help="(internal)")

    def handle(self, *args, step=None, **options):
        if step:
            from campaign.bench import steps

            result = {"prepare": steps.prepare, "jobs": steps.jobs, "growth": steps.growth_jobs}[step]()
            self.stdout.write(json.dumps(result, default=str))
            return
        bench_options = runner.Options(
            seed=options["seed"],
            duration=options["duration"],
            rounds=options["rounds"],
            connections=options["connections"],
            threads=options["threads"],
            allow_sqlite=options["allow_sqlite"],
            keep=options["keep"],
            skip_pages=options["skip_pages"],
            skip_jobs=options["skip_jobs"],
        )
        try:
            report = runner.run(bench_options, log=lambda message: self.stderr.write(message))
        except runner.BenchError as error:
            raise CommandError(str(error)) from error
        path = runner.write_report(report, settings.VAR_DIR / "bench")
        self.stdout.write(runner.render_table(report))
        self.stdout.write(f"\nJSON: {path}")
