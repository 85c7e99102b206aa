"""The benchmark's command line: ``python -m bench [run|generate|step]``.

``run`` (the default, what ``make bench`` calls) benchmarks the pages and jobs
on fresh databases created next to DATABASE_URL's; ``generate`` fills the
database DATABASE_URL names with bench data; ``step`` is the runner's own
subprocess on a bench database."""

import argparse
import json
import os
import sys
import time


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")

    run = commands.add_parser(
        "run",
        help="Benchmark pages (gunicorn + wrk) and jobs on fresh PostgreSQL databases created next to "
        "DATABASE_URL's; prints one table and writes JSON to var/bench/ (the default command).",
    )
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--scale", type=float, default=1.0, help="Size of the page data (1 = the budgeted size).")
    run.add_argument("--duration", type=int, default=5, help="Seconds of wrk per page and round.")
    run.add_argument("--rounds", type=int, default=3)
    run.add_argument("--connections", type=int, default=16)
    run.add_argument("--threads", type=int, default=2)
    run.add_argument("--allow-sqlite", action="store_true", help="Run without PostgreSQL (numbers not meaningful).")
    run.add_argument("--keep", action="store_true", help="Keep the bench databases and temporary files.")
    run.add_argument("--skip-pages", action="store_true")
    run.add_argument("--skip-mix", action="store_true")
    run.add_argument("--skip-jobs", action="store_true")

    generate = commands.add_parser(
        "generate",
        help="Fill DATABASE_URL's database with seeded-random bench data (50 campaigns, 500 users, 20,000 asks, "
        "100,000 updates, 60,000 evidence items at --scale 1). Refuses a database holding real data.",
    )
    generate.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same rows.")
    generate.add_argument("--scale", type=float, default=1.0, help="Multiply every count (0.1 for a tenth).")
    generate.add_argument(
        "--force", action="store_true", help="Add bench rows even though the database holds other data."
    )
    generate.add_argument("--quiet", action="store_true")

    step = commands.add_parser("step", help="(internal) one of the runner's steps on a bench database.")
    step.add_argument("name", choices=["prepare", "jobs", "growth"])
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")  # ``python -m bench --rounds 1`` is ``python -m bench run --rounds 1``
    options = _parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if options.command == "generate":
        return _generate(options)
    if options.command == "step":
        return _step(options.name)
    return _run(options)


def _generate(options) -> int:
    from bench.data import ForeignDataError, bench_data_generate

    if not 0 < options.scale <= 10:
        print("--scale must be above 0 and at most 10.", file=sys.stderr)
        return 2
    started = time.monotonic()
    log = None if options.quiet else (lambda message: print(f"  {message}"))
    try:
        bench_data_generate(seed=options.seed, scale=options.scale, force=options.force, log=log)
    except ForeignDataError as error:
        print(error, file=sys.stderr)
        return 1
    if not options.quiet:
        print(
            f"Bench data (seed {options.seed}, scale {options.scale}) generated in {time.monotonic() - started:.1f} s."
        )
    return 0


def _step(name: str) -> int:
    from bench import steps

    result = {"prepare": steps.prepare, "jobs": steps.jobs, "growth": steps.growth_jobs}[name]()
    # The runner reads the last line of output.
    print(json.dumps(result, default=str))
    return 0


def _run(options) -> int:
    from django.conf import settings

    from bench import runner

    bench_options = runner.Options(
        seed=options.seed,
        scale=options.scale,
        duration=options.duration,
        rounds=options.rounds,
        connections=options.connections,
        threads=options.threads,
        allow_sqlite=options.allow_sqlite,
        keep=options.keep,
        skip_pages=options.skip_pages,
        skip_mix=options.skip_mix,
        skip_jobs=options.skip_jobs,
    )
    try:
        report = runner.run(bench_options, log=lambda message: print(message, file=sys.stderr, flush=True))
    except runner.BenchError as error:
        print(f"Benchmark stopped: {error}", file=sys.stderr)
        return 1
    path = runner.write_report(report, settings.VAR_DIR / "bench")
    print(runner.render_table(report))
    print(f"\nJSON: {path}")
    return 0
