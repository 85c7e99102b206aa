"""/calendar/<token>.ics: a private feed of the deadlines of the open asks a user
may see, one all-day event each, that calendar apps fetch without logging in."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import new_calendar_token
from campaign.models import Ask
from tests.factories import AskFactory

SITE_URL = "https://tracker.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def feed_url(user) -> str:
    return reverse("calendar_feed", args=[user.calendar_token])


def fetch(client, user):
    response = client.get(feed_url(user))
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def events_by_summary(calendar) -> dict:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_one_all_day_event_per_visible_deadline_linking_to_the_ask(client, viewer, campaign, target):
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    ask = AskFactory(
        campaign=campaign, target=target, title="Publish the report", deadline=deadline, deadline_reason="HRC 58"
    )
    AskFactory(campaign=campaign, target=target, title="Meet the delegation", status=Ask.Status.IN_PROGRESS)

    events = events_by_summary(fetch(client, viewer))

    assert set(events) == {"Deadline: Publish the report", "Deadline: Meet the delegation"}
    event = events["Deadline: Publish the report"]
    assert event.decoded("DTSTART") == deadline  # a date, not a time: an all-day event
    assert event.decoded("DTEND") == deadline + datetime.timedelta(days=1)
    assert str(event["URL"]) == f"{SITE_URL}/asks/{ask.pk}/"
    assert str(event["UID"]) == f"ask-{ask.pk}-{deadline:%Y%m%d}@tracker.example.org"
    assert "Target: UN High Commissioner for Human Rights" in str(event["DESCRIPTION"])
    assert "HRC 58" in str(event["DESCRIPTION"])
    assert "DTSTAMP" in event


def test_feed_headers_keep_it_private(client, viewer):
    response = client.get(feed_url(viewer))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response


def test_uid_is_stable_between_fetches(client, viewer, ask):
    first = [str(event["UID"]) for event in fetch(client, viewer).walk("VEVENT")]
    second = [str(event["UID"]) for event in fetch(client, viewer).walk("VEVENT")]

    assert first == second == [f"ask-{ask.pk}-{ask.deadline:%Y%m%d}@tracker.example.org"]


def test_no_events_for_other_campaigns_closed_deleted_or_undated_asks(client, viewer, campaign, other_campaign, ask):
    AskFactory(campaign=other_campaign, title="Someone else's ask")
    AskFactory(campaign=campaign, title="Already met", status=Ask.Status.MET)
    AskFactory(campaign=campaign, title="Withdrawn", status=Ask.Status.WITHDRAWN)
    AskFactory(campaign=campaign, title="No deadline", deadline=None)
    AskFactory(campaign=campaign, title="Deleted", deleted_at=timezone.now())

    assert list(events_by_summary(fetch(client, viewer))) == ["Deadline: Publish the Xinjiang report"]


def test_outsider_feed_has_none_of_the_campaigns_asks(client, outsider, ask):
    assert list(fetch(client, outsider).walk("VEVENT")) == []


def test_regenerated_token_makes_the_old_url_404(client, viewer, ask):
    old_url = feed_url(viewer)
    viewer.calendar_token = new_calendar_token()
    viewer.save()

    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(viewer)).status_code == 200


def test_unknown_token_and_inactive_user_get_404(client, viewer):
    assert client.get(reverse("calendar_feed", args=[new_calendar_token()])).status_code == 404

    viewer.is_active = False
    viewer.save()
    assert client.get(feed_url(viewer)).status_code == 404
