"""``python -m bench generate``: the benchmark's load has the promised shape,
comes out the same for a seed, and never writes into a database holding real work."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from bench.cli import main
from bench.data import (
    MEMBER_EMAIL,
    PUBLIC_ASKS,
    PUBLIC_UPDATE_EVERY,
    SEARCH_WORD,
    SHOWCASE_EVIDENCE,
    SHOWCASE_TITLE,
    SHOWCASE_UPDATES,
    STAFF_EMAIL,
)
from campaign.models import Ask, AskStatus, Campaign, Evidence, Membership, Role, Target, Update

SCALE = "0.04"  # 2 campaigns, 20 users, 8 targets, 800 asks, 4,000 updates, 2,400 evidence items


def generate(*args):
    assert main(["generate", "--scale", SCALE, "--quiet", *args]) == 0


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
    # The public tracker: the showcase's campaign published with PUBLIC_ASKS asks and some of their updates.
    [published] = Campaign.objects.filter(published=True)
    assert published == showcase.campaign
    public_asks = Ask.objects.filter(campaign=published, published=True)
    assert public_asks.count() == PUBLIC_ASKS and showcase in public_asks
    assert len(set(public_asks.values_list("public_id", flat=True))) == PUBLIC_ASKS
    assert showcase.updates.filter(published=True).count() == SHOWCASE_UPDATES // PUBLIC_UPDATE_EVERY
    assert not Update.objects.filter(published=True).exclude(ask__in=public_asks).exists()
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
def test_refuses_a_database_with_real_data_unless_forced(lead, ask, capsys):
    assert main(["generate", "--scale", SCALE, "--quiet"]) == 1
    assert "not bench data" in capsys.readouterr().err
    assert not User.objects.filter(email=MEMBER_EMAIL).exists()

    generate("--force")
    assert User.objects.filter(email=MEMBER_EMAIL).exists()
    # The real rows are untouched.
    ask.refresh_from_db()
    assert ask.title == "Publish the Xinjiang report"
    assert Ask.objects.filter(campaign__slug="china").count() == 1


@pytest.mark.django_db
def test_refuses_to_load_bench_data_twice(capsys):
    generate()
    assert main(["generate", "--scale", SCALE, "--quiet"]) == 1
    assert "already holds bench data" in capsys.readouterr().err
    assert Campaign.objects.count() == 2


@pytest.mark.django_db
def test_deadlines_stay_around_today(time_machine):
    time_machine.move_to(datetime.datetime(2031, 3, 1, 9, tzinfo=datetime.UTC))
    generate()
    deadlines = Ask.all_objects.exclude(deadline=None).values_list("deadline", flat=True)
    assert min(deadlines) >= datetime.date(2030, 2, 1)
    assert max(deadlines) <= datetime.date(2031, 9, 1)
