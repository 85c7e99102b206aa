"""The parts of the benchmark that run inside Django on a bench database, as
``python -m bench step prepare|jobs|growth`` subprocesses of the runner. Each
prints one line of JSON as its last line of output."""

import datetime
import importlib
import inspect
import random
import time

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.data import MEMBER_EMAIL, SEARCH_WORD, SHOWCASE_TITLE, STAFF_EMAIL

# The jobs' service functions, by module, with the names the Jobs work may use;
# the first that exists is timed. A job whose module or function is not there
# yet is reported as missing, never as a pass.
JOBS = {
    "summaries": ("campaign.summaries", ["summaries_compile", "summaries_compile_all", "compile_summaries"]),
    "digests": ("campaign.mail.digests", ["digests_send", "digests_send_due", "digests_compile", "send_digests"]),
}


def page_paths(prepared: dict) -> dict[str, str]:
    from urllib.parse import urlencode

    filtered = urlencode({"status": "in_progress", "campaign": prepared["campaign_id"], "q": SEARCH_WORD})
    return {
        "healthz": "/healthz",
        "dashboard": "/",
        "asks": "/asks/",
        "asks filtered+search": f"/asks/?{filtered}",
        "ask (20 upd, 10 evid)": f"/asks/{prepared['showcase_ask_id']}/",
        "campaign": f"/campaigns/{prepared['campaign_slug']}/",
        "admin ask changelist": "/admin/campaign/ask/",
        # The public tracker (issue 20), asked for without a session like any
        # reader; the runner measures each twice: built, and served through the cache.
        "public campaign": f"/p/{prepared['campaign_slug']}/",
        "public ask": f"/p/{prepared['campaign_slug']}/{prepared['public_ask_id']}/",
        "public feed": f"/p/{prepared['campaign_slug']}/feed.atom",
    }


PUBLIC_PAGE_PREFIX = "public "
# The key of a public page's query count when served from Django's cache.
CACHED_SUFFIX = " (cached)"


def is_public_page(name: str) -> bool:
    return name.startswith(PUBLIC_PAGE_PREFIX)


def prepare() -> dict:
    """What the runner needs to know about the generated data, a confirmed
    authenticator for the staff user, and each page's query count."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from campaign.models import Ask

    showcase = Ask.objects.select_related("campaign").get(title=SHOWCASE_TITLE)
    # Both sign in with an authenticator app, as everyone does in production.
    staff, member = User.objects.get(email=STAFF_EMAIL), User.objects.get(email=MEMBER_EMAIL)
    staff_device = TOTPDevice.objects.create(user=staff, name="Bench authenticator", confirmed=True)
    member_device = TOTPDevice.objects.create(user=member, name="Bench authenticator", confirmed=True)
    prepared = {
        "showcase_ask_id": showcase.pk,
        "public_ask_id": showcase.public_id,
        "campaign_slug": showcase.campaign.slug,
        "campaign_id": showcase.campaign_id,
        "staff_totp_key": staff_device.key,
        "member_totp_key": member_device.key,
        "database_version": _database_version(),
    }
    prepared["queries"] = page_query_counts(prepared, member_device)
    prepared["mix_users"] = mix_users(exclude_ask_id=showcase.pk)
    return prepared


# How many of each user's asks the mix visits, and may write notes on.
MIX_ASKS_EACH = 20
MIX_NOTE_ASKS_EACH = 5


def mix_users(*, exclude_ask_id: int, count: int | None = None) -> list[dict]:
    """The mix's users: members who may edit asks somewhere (each will write),
    with a confirmed authenticator, and the pages each will visit. Neither the
    member nor the staff user of the single-page runs: their authenticators
    have just given a code, which django-otp would not take twice. Notes never
    go to the showcase ask, whose 20 updates the ask page's budget is about."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from bench import mix
    from campaign.models import Ask, Campaign, Role

    editors = (
        User.objects.filter(is_staff=False, memberships__role__in=[Role.LEAD, Role.EDITOR])
        .exclude(email__in=[MEMBER_EMAIL, STAFF_EMAIL])
        .distinct()
        .order_by("email")
    )[: count or mix.USERS]
    users = []
    for user in editors:
        rng = random.Random(user.email)  # the same pages for the same data
        visible = list(Ask.objects.visible_to(user).exclude(pk=exclude_ask_id).values_list("pk", flat=True))
        editable = list(Ask.objects.editable_by(user).exclude(pk=exclude_ask_id).values_list("pk", flat=True))
        if not editable:
            continue
        device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
        users.append(
            {
                "email": user.email,
                "totp_key": device.key,
                "asks": [f"/asks/{pk}/" for pk in rng.sample(visible, min(MIX_ASKS_EACH, len(visible)))],
                "campaigns": [
                    f"/campaigns/{slug}/"
                    for slug in Campaign.objects.visible_to(user).order_by("slug").values_list("slug", flat=True)
                ],
                "notes": [f"/asks/{pk}/note/" for pk in rng.sample(editable, min(MIX_NOTE_ASKS_EACH, len(editable)))],
            }
        )
    return users


def _database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def page_query_counts(prepared: dict, member_device) -> dict[str, int | None]:
    """Queries per page for the member on the full data, in a session that
    has passed the second factor with ``member_device`` (the admin, which
    needs a staff session, is left out; /healthz and the public pages, like
    wrk, without one; the public pages also as served from the cache).

    Each page is counted on its first request in this process: built, whatever
    any cache might hold after it."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(member_device.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = member_device.persistent_id
    session.save()
    # A session's first request refreshes its expiry (IdleSessionMiddleware), a
    # write that happens once a minute at most under wrk: made here, uncounted.
    client.get("/campaigns/")
    # wrk asks for /healthz without the session cookie, as monitoring does.
    anonymous = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    counts = {}
    for name, path in page_paths(prepared).items():
        if name.startswith("admin"):
            counts[name] = None
            continue
        reader = anonymous if name == "healthz" or is_public_page(name) else client
        with CaptureQueriesContext(connection) as captured:
            response = reader.get(path)
        counts[name] = len(captured) if response.status_code == 200 else None
        if is_public_page(name):
            # Its second request, as the cache serves it.
            with CaptureQueriesContext(connection) as captured:
                response = reader.get(path)
            counts[name + CACHED_SUFFIX] = len(captured) if response.status_code == 200 else None
    return counts


# --- Jobs ------------------------------------------------------------------------------------


class _QueryLog:
    """Counts a job's queries and keeps their SQL and parameters as they are.
    CaptureQueriesContext renders every query's parameters into its SQL text
    while the clock runs (for the reminder scan, lists of thousands of ids), a
    cost the job never pays, and stops at Django's 9,000-entry query log."""

    def __init__(self):
        self.queries: list[tuple[str, object]] = []

    # Transaction control, like BEGIN and COMMIT (which never pass through a
    # cursor): the timed runs' own transactions become savepoints (_median_run).
    NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

    def __call__(self, execute, sql, params, many, context):
        if not sql.startswith(self.NOT_COUNTED):
            self.queries.append((sql, params))
        return execute(sql, params, many, context)


def _measure(function, **kwargs) -> dict:
    log = _QueryLog()
    with connection.execute_wrapper(log):
        started = time.perf_counter()
        result = function(**kwargs)
        seconds = time.perf_counter() - started
    measured = {"state": "ok", "seconds": round(seconds, 4), "queries": len(log.queries)}
    if isinstance(result, list | tuple | set | dict):
        measured["items"] = len(result)
    elif isinstance(result, int):
        measured["items"] = result
    measured["_captured"] = log.queries
    return measured


def _find(module_name: str, candidates: list[str]):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None, f"{module_name} not written yet"
    for name in candidates:
        function = getattr(module, name, None)
        if callable(function):
            return function, name
    return None, f"no {' / '.join(candidates)} in {module_name}"


def _call_kwargs(function, now) -> dict:
    parameters = inspect.signature(function).parameters
    return {"now": now} if "now" in parameters else {}


def bench_now() -> datetime.datetime:
    """Monday 10:00 UTC of this week: after the hour digests and reminders go out
    in Europe, on the weekday the bench users take their digest."""
    today = timezone.now().astimezone(datetime.UTC).date()
    monday = today - datetime.timedelta(days=today.weekday())
    return datetime.datetime.combine(monday, datetime.time(10), tzinfo=datetime.UTC)


def jobs() -> dict:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = bench_now()
    results = {"now": now.isoformat()}
    for job in JOBS:
        results[job] = _timed_job(job, now)
    results.update(_reminders(now))
    return results


def growth_jobs() -> dict:
    """Only the jobs with a growth budget, timed again (the runner alternates the
    scales and keeps each one's faster median: see runner.GROWTH_PASSES)."""
    from campaign.mail.reminders import reminders_due

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = bench_now()
    scan = _median_run(reminders_due, now=now)
    scan.pop("_captured")
    return {"digests": _timed_job("digests", now), "reminder_scan": scan}


def _timed_job(job: str, now) -> dict:
    module_name, candidates = JOBS[job]
    function, name = _find(module_name, candidates)
    if function is None:
        return {"state": "missing", "note": name}
    try:
        measured = _median_run(function, **_call_kwargs(function, now))
    except Exception as error:  # a crash is a result worth printing, not a reason to stop
        return {"state": "error", "note": f"{name}: {type(error).__name__}: {error}"[:300]}
    measured.pop("_captured")
    measured["function"] = f"{module_name}.{name}"
    return measured


# At least JOB_RUNS runs, and more of a short job until JOB_MIN_SECONDS are
# spent (at most JOB_MAX_RUNS), as timeit's autorange does: the tenth-scale
# runs take 0.05-1.5 s, where one stall of this shared machine moved a ratio
# across its budget (reminder scan 2.3x and 3.9x, digest 9.9x and 13.5x, in
# back-to-back runs of one commit).
JOB_RUNS = 3
JOB_MIN_SECONDS = 5.0
JOB_MAX_RUNS = 15


def _median_run(function, **kwargs) -> dict:
    """The median of the runs (see JOB_RUNS), like the pages' rounds: single
    runs of the same job on the same data differed by up to 40% on the 2 shared
    cores (digests 6.8 and 9.6 s back to back). Each run is rolled back, so the
    next finds the same data; the jobs' own transactions become savepoints,
    a cost of a few commits per run left out. The last run's SQL is kept."""
    runs = []
    while len(runs) < JOB_RUNS or (sum(run["seconds"] for run in runs) < JOB_MIN_SECONDS and len(runs) < JOB_MAX_RUNS):
        with transaction.atomic():
            runs.append(_measure(function, **kwargs))
            transaction.set_rollback(True)
    median = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    median["runs"] = [run["seconds"] for run in runs]
    median["_captured"] = runs[-1]["_captured"]
    return median


def _reminders(now) -> dict:
    try:
        from campaign.mail.reminders import reminders_due, reminders_send
    except ImportError as error:
        note = f"campaign.mail.reminders not ready: {error}"
        return {"reminder_scan": {"state": "missing", "note": note}, "reminders_send": {"state": "missing"}}
    scan = _median_run(reminders_due, now=now)
    captured = scan.pop("_captured")
    scan["function"] = "campaign.mail.reminders.reminders_due"
    results = {"reminder_scan": scan}
    if connection.vendor == "postgresql":
        results["reminder_scan_plan"] = _explain_ask_scans(captured)
    sent = _measure(reminders_send, now=now)
    sent.pop("_captured")
    sent["function"] = "campaign.mail.reminders.reminders_send"
    results["reminders_send"] = sent
    return results


def _explain_ask_scans(captured: list[tuple[str, object]]) -> list[str]:
    """EXPLAIN ANALYZE of the scan's reads of the ask table, as they ran."""
    lines = []
    with connection.cursor() as cursor:
        for sql, params in captured:
            if not sql.startswith("SELECT") or 'FROM "campaign_ask"' not in sql:
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            lines.append(f"-- {sql[:160]}...")
            lines.extend(row[0] for row in cursor.fetchall())
    return lines
