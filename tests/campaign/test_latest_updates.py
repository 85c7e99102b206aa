"""The dashboard's "Latest updates": the newest entries of the user's campaigns,
exact whichever way they are read (one campaign, a few, many), never of a
deleted ask; and an ask that moves to another campaign takes its entries along."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from campaign.models import Ask, Update
from campaign.selectors import NEWEST_PER_CAMPAIGN_MAX, CampaignScope, latest_updates
from campaign.services import ask_update
from tests.factories import AskFactory, CampaignFactory, UpdateFactory

START = timezone.now() - datetime.timedelta(days=400)


def _entry(ask, day: int, note: str) -> Update:
    update = UpdateFactory(ask=ask, note=note)
    Update.objects.filter(pk=update.pk).update(created_at=START + datetime.timedelta(days=day))
    return update


def _scope(campaigns) -> CampaignScope:
    return CampaignScope(ids=tuple(c.pk for c in campaigns), editable_ids=frozenset())


@pytest.mark.parametrize("campaign_count", [1, 3, NEWEST_PER_CAMPAIGN_MAX + 2])
def test_latest_updates_are_the_newest_ten_of_the_users_campaigns_and_none_of_a_deleted_ask(db, campaign_count):
    campaigns = [CampaignFactory() for _ in range(campaign_count)]
    elsewhere = AskFactory(campaign=CampaignFactory())
    day = 0
    for round_ in range(6):
        for campaign in campaigns:
            ask = AskFactory(campaign=campaign)
            _entry(ask, day, f"{campaign.slug} round {round_}")
            day += 1
    # Newer than everything above, but not the user's to see: another campaign, a deleted ask.
    _entry(elsewhere, day + 1, "elsewhere")
    deleted = AskFactory(campaign=campaigns[0])
    _entry(deleted, day + 2, "of a deleted ask")
    Ask.all_objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    visible = Update.objects.filter(campaign__in=campaigns, ask__deleted_at__isnull=True)
    expected = list(visible.order_by("-created_at", "-id").values_list("note", flat=True)[:10])

    notes = [update.note for update in latest_updates(_scope(campaigns))]

    assert notes == expected
    assert len(notes) == min(10, 6 * campaign_count)


def test_a_quiet_campaigns_latest_updates_come_however_busy_the_others_are(db):
    quiet, busy = CampaignFactory(), CampaignFactory()
    old = [_entry(AskFactory(campaign=quiet), day, f"quiet {day}") for day in range(3)]
    for day in range(100, 130):
        _entry(AskFactory(campaign=busy), day, f"busy {day}")
    assert [u.pk for u in latest_updates(_scope([quiet]))] == [u.pk for u in reversed(old)]


def test_an_ask_moved_to_another_campaign_takes_its_timeline_along(db, editor, campaign, other_campaign, ask):
    from tests.factories import MembershipFactory

    MembershipFactory(campaign=other_campaign, user=editor, role="editor")
    note = _entry(ask, 1, "Letter sent")

    ask_update(ask=ask, author=editor, expected_version=ask.version, campaign=other_campaign)

    note.refresh_from_db()
    assert note.campaign == other_campaign
    assert [u.note for u in latest_updates(_scope([other_campaign]))] == ["Letter sent"]
    assert latest_updates(_scope([campaign])) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the UNION of limited parts is PostgreSQL's path")
def test_each_campaigns_newest_entries_are_read_through_its_index(db):
    from campaign.selectors import _newest_update_ids

    campaigns = [CampaignFactory() for _ in range(3)]
    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        _newest_update_ids(_scope(campaigns), 10)
    [(sql, params)] = captured
    with connection.cursor() as cursor:
        # An empty test table is cheaper to read whole and sort; forbid that
        # to see the plan a real timeline gets: each campaign's ordered index.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert plan.count("using update_campaign_created") == 3, plan
