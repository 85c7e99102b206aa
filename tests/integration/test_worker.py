"""A real Celery worker process on the configured broker (Redis when
CELERY_BROKER_URL is set, kombu's filesystem transport otherwise) and a real SMTP
server: the reminder and digest jobs run in the worker and their emails arrive."""

import contextlib
import datetime
import os
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from campaign.models import Ask, Role
from campaign.tasks import send_digests, send_reminders
from config.celery import app
from tests.factories import AskFactory, EvidenceFactory, MembershipFactory, UpdateFactory
from tests.smtp import running_smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CELERY = Path(sys.executable).with_name("celery")


def zone_in_daytime() -> zoneinfo.ZoneInfo:
    """A fixed-offset zone where it is now between 09:00 and 20:59, so the
    08:00 reminder and digest hour have passed and the day will not roll over."""
    now = timezone.now()
    for hours_east in range(-10, 15):
        zone = zoneinfo.ZoneInfo(f"Etc/GMT{-hours_east:+d}" if hours_east else "Etc/GMT")
        if 9 <= now.astimezone(zone).hour <= 20:
            return zone
    raise AssertionError("some offset between UTC-10 and UTC+14 is always in daytime")


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def smtp_server(settings):
    yield from running_smtp_server(settings)


@contextlib.contextmanager
def running_worker(smtp_server, **env_extra):
    """A real ``celery worker`` process on the test database and SMTP server;
    yields the process and its log file. ``env_extra`` sets more of its environment."""
    app.control.purge()  # leftovers of other tests must not run against this database
    env = {
        **os.environ,
        "DEBUG": "true",
        "VAR_DIR": str(settings.VAR_DIR),
        "DATABASE_URL": worker_database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONUNBUFFERED": "1",
        **env_extra,
    }
    log_path = Path(settings.VAR_DIR) / "test-worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "info",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "ready." not in log_path.read_text():
            assert process.poll() is None, f"the worker stopped:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"the worker did not start:\n{log_path.read_text()}"
            time.sleep(0.2)
        yield process, log_path
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def worker(transactional_db, smtp_server):
    with running_worker(smtp_server) as (_process, log_path):
        yield log_path


def test_worker_sends_reminders_and_digests_over_smtp(worker, smtp_server, campaign, target):
    zone = zone_in_daytime()
    today = timezone.now().astimezone(zone).date()
    owner = MembershipFactory(
        campaign=campaign, role=Role.EDITOR, user__email="owner@example.org", user__timezone=zone.key,
        user__digest_frequency="off",
    ).user  # fmt: skip
    reader = MembershipFactory(
        campaign=campaign, role=Role.VIEWER, user__email="reader@example.org", user__timezone=zone.key,
        user__digest_frequency="daily", user__digest_hour=8,
    ).user  # fmt: skip
    ask = AskFactory(
        campaign=campaign,
        target=target,
        owner=owner,
        title="Publish the report",
        deadline=today + datetime.timedelta(days=7),
    )
    in_period = datetime.datetime.combine(today, datetime.time(7), tzinfo=zone)
    UpdateFactory(
        ask=ask,
        author=owner,
        note="The office replied.",
        old_status="open",
        new_status="in_progress",
        created_at=in_period,
    )
    Ask.objects.filter(pk=ask.pk).update(status="in_progress")
    EvidenceFactory(campaign=campaign, title="Public statement", sensitivity="public", added_at=in_period)
    EvidenceFactory(campaign=campaign, title="Secret witness", sensitivity="confidential", added_at=in_period)

    send_reminders.delay()
    send_digests.delay()
    received = smtp_server.wait_for(2, timeout=60)
    assert len(received) == 2, worker.read_text()

    [reminder] = smtp_server.to(owner.email)
    assert reminder.message["Subject"] == "[china] Due in 7 days: Publish the report"
    assert reminder.message["List-Unsubscribe"] == "<http://localhost:8000/accounts/settings/>"
    ask_url = f"http://localhost:8000/asks/{ask.pk}/"
    assert ask_url in reminder.text and ask_url in reminder.html

    [digest] = smtp_server.to(reader.email)
    assert digest.message["Subject"].startswith("Daily digest, ")
    assert digest.message["List-Unsubscribe"].strip().startswith("<http://localhost:8000/accounts/unsubscribe/")
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for part in (digest.text, digest.html):
        assert "The office replied." in part and "Public statement" in part and ask_url in part
        assert "Secret witness" not in part
    assert "Secret witness" not in digest.message["Subject"]
