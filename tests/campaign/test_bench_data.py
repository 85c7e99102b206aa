"""generate_bench_data: the benchmark's load has the promised shape, comes out the
same for a seed, and never writes into a database holding real work."""

import datetime

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from campaign import page_cache
from campaign.bench.data import (
    MEMBER_EMAIL,
    SEARCH_WORD,
    SHOWCASE_EVIDENCE,
    SHOWCASE_TITLE,
    SHOWCASE_UPDATES,
    STAFF_EMAIL,
)
from campaign.bench.runner import keep_faster, render_table
from campaign.bench.steps import page_paths, page_query_counts
from campaign.models import Ask, AskStatus, Campaign, Evidence, Membership, Role, Target, Update

SCALE = "0.04"  # 2 campaigns, 20 users, 8 targets, 800 asks, 4,000 updates, 2,400 evidence items


def generate(*args):
    call_command("generate_bench_data", "--scale", SCALE, *args, verbosity=0)


def rows(queryset):
    return sorted(queryset, key=repr)


def snapshot():
    """The generated rows by their content (ids differ between loads)."""
    return {
        "users": rows(User.objects.values_list("email", "full_name", "is_staff", "digest_hour")),
        "campaigns": rows(Campaign.objects.values_list("slug", "title", "status", "started_on")),
        "memberships": rows(Membership.objects.values_list("user__email", "campaign__slug", "role")),
        "targets": rows(Target.objects.values_list("name", "kind")),
        "asks": rows(
            Ask.all_objects.values_list(
                "campaign__slug", "target__name", "title", "status", "priority", "deadline", "created_at"
            ).order_by()
        ),
        "updates": rows(
            Update.objects.values_list("ask__title", "author__email", "created_at", "note", "new_status").order_by()
        ),
        "evidence": rows(
            Evidence.all_objects.values_list("campaign__slug", "title", "reference", "sensitivity").order_by()
        ),
        "links": rows(Evidence.asks.through.objects.values_list("evidence__title", "ask__created_at")),
    }


def wipe():
    Evidence.asks.through.objects.all().delete()
    Evidence.all_objects.all().delete()
    Update.objects.all().delete()
    Ask.all_objects.all().delete()
    Membership.objects.all().delete()
    Campaign.objects.all().delete()
    Target.objects.all().delete()
    User.objects.all().delete()


@pytest.mark.django_db
def test_bench_data_has_the_promised_proportions():
    generate("--seed", "3")

    assert Campaign.objects.count() == 2
    assert User.objects.count() == 20
    assert Target.objects.count() == 8
    assert Ask.all_objects.count() == 800
    assert Update.objects.count() == 4000
    assert Evidence.all_objects.count() == 2400
    # Every status is represented, and open asks have deadlines on both sides of today.
    assert set(Ask.all_objects.values_list("status", flat=True)) == set(AskStatus.values)
    today = timezone.localdate()
    assert Ask.objects.open().filter(deadline__lt=today).count() > 50
    assert Ask.objects.open().filter(deadline__gt=today).count() > 50
    # About a fifth of the evidence is confidential.
    confidential = Evidence.all_objects.filter(sensitivity=Evidence.Sensitivity.CONFIDENTIAL).count()
    assert 0.15 < confidential / 2400 < 0.25
    assert Evidence.asks.through.objects.count() > 2000
    # Every user but the staff superuser belongs to a campaign; every campaign has a lead and mixed roles.
    assert not User.objects.exclude(email=STAFF_EMAIL).filter(memberships=None).exists()
    for campaign in Campaign.objects.all():
        roles = set(campaign.memberships.values_list("role", flat=True))
        assert roles == {Role.LEAD, Role.EDITOR, Role.VIEWER}
    # The ask page the benchmark requests, seen by the member it logs in as.
    member = User.objects.get(email=MEMBER_EMAIL)
    showcase = Ask.objects.visible_to(member).get(title=SHOWCASE_TITLE)
    assert showcase.updates.count() == SHOWCASE_UPDATES
    assert showcase.evidence.count() == SHOWCASE_EVIDENCE
    assert Ask.objects.filter(title__icontains=SEARCH_WORD, status=AskStatus.IN_PROGRESS).exists()
    # The member and the staff user sign in with the bench password.
    assert member.check_password("bench-password-not-a-secret")
    assert User.objects.get(email=STAFF_EMAIL).is_superuser


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    generate("--seed", "11")
    first = snapshot()
    wipe()
    generate("--seed", "11")
    assert snapshot() == first
    wipe()
    generate("--seed", "12")
    assert snapshot()["asks"] != first["asks"]


@pytest.mark.django_db
def test_refuses_a_database_with_real_data_unless_forced(lead, ask):
    with pytest.raises(CommandError, match="not bench data"):
        generate()
    assert not User.objects.filter(email=MEMBER_EMAIL).exists()

    generate("--force")
    assert User.objects.filter(email=MEMBER_EMAIL).exists()
    # The real rows are untouched.
    ask.refresh_from_db()
    assert ask.title == "Publish the Xinjiang report"
    assert Ask.objects.filter(campaign__slug="china").count() == 1


@pytest.mark.django_db
def test_refuses_to_load_bench_data_twice():
    generate()
    with pytest.raises(CommandError, match="already holds bench data"):
        generate()
    assert Campaign.objects.count() == 2


@pytest.mark.django_db
def test_deadlines_stay_around_today(time_machine):
    time_machine.move_to(datetime.datetime(2031, 3, 1, 9, tzinfo=datetime.UTC))
    generate()
    deadlines = Ask.all_objects.exclude(deadline=None).values_list("deadline", flat=True)
    assert min(deadlines) >= datetime.date(2030, 2, 1)
    assert max(deadlines) <= datetime.date(2031, 9, 1)


def test_bench_counts_each_pages_queries_as_wrk_meets_them(editor, ask):
    device = TOTPDevice.objects.create(user=editor, name="Bench authenticator", confirmed=True)
    prepared = {"showcase_ask_id": ask.pk, "campaign_slug": ask.campaign.slug, "campaign_id": ask.campaign_id}

    counts = page_query_counts(prepared, device)

    # /healthz without a session, as wrk and monitoring ask for it; the admin is not counted.
    assert counts.pop("healthz") == 1 and counts.pop("admin ask changelist") is None
    assert all(count <= 12 for count in counts.values()), counts
    # As often as a session that has made its requests of the minute (wrk's), which
    # no longer writes its refreshed expiry.
    client = Client()
    client.force_login(editor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.get("/campaigns/")
    for name, path in page_paths(prepared).items():
        if name in counts:
            caches[page_cache.CACHE_ALIAS].clear()  # counted as built, not as stored
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            assert len(captured) == counts[name], name


def _page(name, rps, ratio, verdict):
    return {
        "name": name,
        "median_rps": rps,
        "median_ratio": ratio,
        "median_p99_ms": 40.0,
        "queries": 6,
        "verdict": verdict,
        "note": "",
    }


def test_the_bench_table_shows_pages_as_served_with_verdicts_and_as_built_for_information():
    report = {
        "started_at": "2026-12-02T22:00:00+01:00",
        "machine": {"commit": "abc1234", "cpus": 2, "cpu_model": "AMD EPYC"},
        "database": "postgresql",
        "options": {"connections": 16, "threads": 2, "duration": 5, "rounds": 3},
        "pages": [_page("healthz", 2400.0, None, "PASS"), _page("asks", 480.0, 0.2, "PASS")],
        "pages_built": [_page("healthz", 2400.0, None, "PASS"), _page("asks", 140.0, 0.058, "INFO")],
    }

    lines = render_table(report).splitlines()

    built_from = lines.index(next(line for line in lines if "built on every request" in line))
    assert [line.split()[:3] + line.split()[-1:] for line in lines if line.startswith("asks")] == [
        ["asks", "480.0", "0.20", "PASS"],
        ["asks", "140.0", "0.06", "INFO"],
    ]
    assert lines.index(next(line for line in lines if line.startswith("asks ") and "INFO" in line)) > built_from


def test_a_jobs_second_timing_counts_only_when_faster():
    results = {
        "digests": {"state": "ok", "seconds": 7.4, "queries": 37, "items": 498, "function": "digests_send"},
        "reminder_scan": {"state": "ok", "seconds": 0.10, "queries": 10, "items": 6878},
    }
    keep_faster(results, {"digests": {"state": "ok", "seconds": 4.9, "queries": 37, "items": 498}})
    keep_faster(results, {"reminder_scan": {"state": "ok", "seconds": 0.13, "queries": 10, "items": 6878}})
    keep_faster(results, {"digests": {"state": "error", "note": "crashed"}})

    assert results["digests"] == {
        "state": "ok",
        "seconds": 4.9,
        "queries": 37,
        "items": 498,
        "function": "digests_send",
        "earlier_seconds": 7.4,
    }
    assert results["reminder_scan"]["seconds"] == 0.10
