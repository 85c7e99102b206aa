"""Pages show times in the signed-in user's own time zone; days stay days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.models import Digest, Role
from tests.factories import MembershipFactory, UpdateFactory

# 12:00 UTC is 19:00 in Bangkok (UTC+7) and 07:00 in New York (UTC-5 in December).
NOTE_TIME = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
DEADLINE = datetime.date(2027, 1, 15)


@pytest.fixture
def in_bangkok(campaign):
    return MembershipFactory(campaign=campaign, role=Role.VIEWER, user__timezone="Asia/Bangkok").user


@pytest.fixture
def in_new_york(campaign):
    return MembershipFactory(campaign=campaign, role=Role.VIEWER, user__timezone="America/New_York").user


@pytest.fixture
def noted_ask(ask, editor):
    type(ask).objects.filter(pk=ask.pk).update(deadline=DEADLINE)
    update = UpdateFactory(ask=ask, author=editor, note="Letter handed over.")
    type(update).objects.filter(pk=update.pk).update(created_at=NOTE_TIME)
    return ask


def page_as(client, user, url) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_ask_timeline_shows_the_hour_in_each_users_zone(client, noted_ask, in_bangkok, in_new_york):
    bangkok = page_as(client, in_bangkok, noted_ask.get_absolute_url())
    new_york = page_as(client, in_new_york, noted_ask.get_absolute_url())
    assert ">7 Dec 2026, 19:00<" in bangkok and ">7 Dec 2026, 07:00<" not in bangkok
    assert ">7 Dec 2026, 07:00<" in new_york and ">7 Dec 2026, 19:00<" not in new_york
    assert 'datetime="2026-12-07T19:00:00+07:00"' in bangkok


def test_a_deadline_is_the_same_day_in_every_zone(client, noted_ask, in_bangkok, in_new_york):
    deadline = '<time datetime="2027-01-15">15 January 2027</time>'
    for user in (in_bangkok, in_new_york):
        assert deadline in page_as(client, user, noted_ask.get_absolute_url())


def test_digest_sent_at_is_in_the_readers_zone(client, in_bangkok, in_new_york):
    for user in (in_bangkok, in_new_york):
        Digest.objects.create(
            user=user,
            frequency="daily",
            period_start=NOTE_TIME - datetime.timedelta(days=1),
            period_end=NOTE_TIME,
            subject="Your daily digest",
            body_text="",
            body_html="",
            sent_at=NOTE_TIME,
        )
    assert "7 Dec 2026 19:00" in page_as(client, in_bangkok, reverse("digest_list"))
    assert "7 Dec 2026 07:00" in page_as(client, in_new_york, reverse("digest_list"))


def test_the_zone_does_not_outlive_the_request(client, noted_ask, in_bangkok):
    page_as(client, in_bangkok, noted_ask.get_absolute_url())
    assert timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
