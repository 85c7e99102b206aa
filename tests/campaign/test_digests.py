"""Email digests: when they go out, what they say, to whom, and only once."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from campaign.mail.digests import digests_send
from campaign.mail.outbox import email_deliver_all
from campaign.models import Ask, Digest, Membership, OutboundEmail, Role
from campaign.services import ask_change_status
from tests.concurrency import run_concurrently
from tests.factories import AskFactory, EvidenceFactory

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
# Monday 9 March 2026; the weekly digest at 08:00 covers 2–9 March.
SEND_AT = datetime.datetime(2026, 3, 9, 8, 5, tzinfo=ZURICH)
IN_PERIOD = datetime.datetime(2026, 3, 5, 11, 0, tzinfo=ZURICH)


def send(moment=SEND_AT):
    with time_machine.travel(moment, tick=False):
        digests = digests_send()
    email_deliver_all()
    return digests


def weekly(user, hour=8, weekday=0, quiet=False):
    user.digest_frequency, user.digest_hour, user.digest_weekday, user.digest_when_quiet = (
        "weekly",
        hour,
        weekday,
        quiet,
    )
    user.save()
    return user


@pytest.fixture
def busy_week(campaign, target, editor, lead, viewer):
    """A week with a status change, a new ask and evidence of every sensitivity."""
    for user in (editor, lead, viewer):
        weekly(user)
    with time_machine.travel(datetime.datetime(2026, 2, 1, 10, tzinfo=ZURICH), tick=False):
        changed = AskFactory(
            campaign=campaign,
            target=target,
            owner=editor,
            title="Publish the report",
            deadline=datetime.date(2026, 3, 1),
        )
        AskFactory(
            campaign=campaign, target=target, owner=lead, title="Visit Xinjiang", deadline=datetime.date(2026, 3, 16)
        )
    with time_machine.travel(IN_PERIOD, tick=False):
        ask_change_status(ask=changed, new_status=Ask.Status.IN_PROGRESS, author=lead, note="Office promised a date.")
        AskFactory(campaign=campaign, target=target, owner=editor, title="Release the detainees", deadline=None)
        EvidenceFactory(campaign=campaign, title="Press statement of 5 March", sensitivity="public")
        EvidenceFactory(campaign=campaign, title="Meeting minutes with the mission", sensitivity="internal")
        EvidenceFactory(
            campaign=campaign, title="Witness account from Urumqi", sensitivity="confidential", reference="W-17"
        )
    email_deliver_all()
    mail.outbox.clear()  # the status-change notifications
    return changed


def message_to(user):
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    return message, message.alternatives[0][0]


def test_weekly_digest_goes_out_at_the_chosen_hour_and_covers_seven_days(busy_week, viewer):
    assert send(SEND_AT.replace(hour=7, minute=59)) == []
    digests = send()
    assert {digest.user for digest in digests} >= {viewer}
    digest = Digest.objects.get(user=viewer)
    assert digest.period_start == datetime.datetime(2026, 3, 2, 8, tzinfo=ZURICH)
    assert digest.period_end == datetime.datetime(2026, 3, 9, 8, tzinfo=ZURICH)


def test_digest_says_what_changed_with_figures_and_absolute_links(busy_week, campaign, viewer):
    send()
    message, html = message_to(viewer)
    assert message.subject == "Weekly digest, 2 March – 9 March 2026: 4 updates, 1 overdue"
    for part in (message.body, html):
        assert "China accountability" in part
        assert "3 open of 3 asks" in part
        assert "Publish the report" in part and "Office promised a date." in part
        assert "Release the detainees" in part  # new ask
        assert "Visit Xinjiang" in part  # deadline coming on 16 March
        assert f"http://localhost:8000/asks/{busy_week.pk}/" in part
        assert "http://localhost:8000/accounts/settings/" in part
    assert "Publish the report: 8 days overdue" in message.body


def test_digest_lists_the_ten_most_overdue_asks_per_campaign_and_links_to_all(busy_week, campaign, target, viewer):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 10, tzinfo=ZURICH), tick=False):
        for n in range(11):  # with busy_week's own, 12 overdue asks
            AskFactory(
                campaign=campaign, target=target, title=f"Late ask {n:02}", deadline=datetime.date(2026, 2, 10 + n)
            )
    send()
    message, html = message_to(viewer)

    assert message.subject.endswith("12 overdue")
    link = f"http://localhost:8000/asks/?campaign={campaign.pk}&overdue=on&sort=deadline"
    assert f"… and 2 more, all 12 here: {link}" in message.body
    assert f'href="{link.replace("&", "&amp;")}"' in html and "all 12 overdue asks" in html
    # The most overdue first; the two closest to their deadline are left to the link.
    for part in (message.body, html):
        assert "Late ask 00" in part and "Late ask 09" in part
        assert "Late ask 10" not in part
    assert "Publish the report: 8 days overdue" not in message.body


def test_overdue_counts_follow_each_readers_own_date_within_one_batch(campaign, target, viewer, editor, lead):
    # 10:30 UTC on 9 March is already 10 March at 00:30 in Kiritimati, and still 9 March in Honolulu.
    for user, zone in ((viewer, "Pacific/Kiritimati"), (editor, "Pacific/Honolulu")):
        user.digest_frequency, user.digest_hour, user.timezone, user.digest_when_quiet = "daily", 0, zone, True
        user.save()
    lead.digest_frequency = "off"
    lead.save()
    for n in range(12):
        AskFactory(campaign=campaign, target=target, title=f"Late ask {n:02}", deadline=datetime.date(2026, 2, 10 + n))
    AskFactory(campaign=campaign, target=target, title="Due on the ninth", deadline=datetime.date(2026, 3, 9))
    mail.outbox.clear()

    digests = send(datetime.datetime(2026, 3, 9, 10, 30, tzinfo=datetime.UTC))

    assert {digest.user for digest in digests} == {viewer, editor}
    kiritimati, _ = message_to(viewer)
    honolulu, _ = message_to(editor)
    assert kiritimati.subject.endswith(", 13 overdue") and "… and 3 more, all 13 here" in kiritimati.body
    assert "Late ask 00: 28 days overdue" in kiritimati.body and "Due on the ninth" not in kiritimati.body
    assert honolulu.subject.endswith(", 12 overdue") and "… and 2 more, all 12 here" in honolulu.body
    assert "Late ask 00: 27 days overdue" in honolulu.body and "- 9 Mar: Due on the ninth" in honolulu.body


def test_digest_lists_the_ten_latest_status_changes_and_links_to_the_rest(busy_week, campaign, lead, viewer):
    for day in range(11):  # with busy_week's own change, 12 in the week
        with time_machine.travel(datetime.datetime(2026, 3, 6, 8 + day, tzinfo=ZURICH), tick=False):
            status = Ask.Status.IN_PROGRESS if day % 2 else Ask.Status.OPEN
            ask_change_status(ask=busy_week, new_status=status, author=lead, note=f"Step {day:02} of the follow-up")
    mail.outbox.clear()
    send()
    message, html = message_to(viewer)

    assert message.subject.startswith("Weekly digest, 2 March – 9 March 2026: 15 updates")  # 12 changes, 3 new
    link = f"http://localhost:8000/asks/?campaign={campaign.pk}&sort=-last_activity"
    assert f"… and 2 earlier, 12 in all; asks by latest activity: {link}" in message.body
    assert f'href="{link.replace("&", "&amp;")}"' in html and "2 earlier, 12 in all" in html
    for part in (message.body, html):
        assert "Step 10 of the follow-up" in part and "Step 01 of the follow-up" in part
        assert "Step 00 of the follow-up" not in part and "Office promised a date." not in part


def test_confidential_evidence_is_in_no_part_of_any_digest(busy_week, viewer, editor, lead):
    send()
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        for part in (message.subject, message.body, message.alternatives[0][0]):
            assert "Witness account" not in part and "W-17" not in part
        assert "Press statement of 5 March" in message.body


def test_internal_evidence_only_reaches_members(busy_week, outsider, viewer):
    weekly(outsider, quiet=True)
    send()
    assert "Meeting minutes with the mission" in message_to(viewer)[0].body
    outsider_message, outsider_html = message_to(outsider)
    assert "Meeting minutes" not in outsider_message.body and "Meeting minutes" not in outsider_html
    assert "China accountability" not in outsider_message.body


def test_digest_has_one_click_unsubscribe_headers(busy_week, viewer):
    send()
    message, _ = message_to(viewer)
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://localhost:8000/accounts/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_quiet_period_sends_nothing_unless_asked(campaign, target, editor, viewer):
    with time_machine.travel(datetime.datetime(2026, 1, 1, 10, tzinfo=ZURICH), tick=False):
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=None)
    weekly(editor)
    weekly(viewer, quiet=True)
    send()
    assert [message.to for message in mail.outbox] == [[viewer.email]]
    assert mail.outbox[0].subject == "Weekly digest, 2 March – 9 March 2026: no updates"


def test_running_twice_sends_each_digest_once(busy_week):
    assert len(send()) == 3
    assert send() == []
    assert len(mail.outbox) == 3
    assert Digest.objects.count() == 3


def test_daily_digest_covers_the_previous_24_hours_in_the_users_time_zone(busy_week, viewer):
    viewer.digest_frequency, viewer.digest_hour, viewer.timezone = "daily", 9, "Asia/Tokyo"
    viewer.save()
    # 11:00 Zurich on 5 March is 19:00 in Tokyo: the change falls in the digest of 6 March, 09:00 Tokyo.
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert not [d for d in send(datetime.datetime(2026, 3, 5, 9, 30, tzinfo=tokyo)) if d.user == viewer]
    [digest] = [d for d in send(datetime.datetime(2026, 3, 6, 9, 30, tzinfo=tokyo)) if d.user == viewer]
    assert digest.period_start == datetime.datetime(2026, 3, 5, 9, tzinfo=tokyo)
    assert "Office promised a date." in digest.body_text
    assert digest.subject.startswith("Daily digest, 6 March 2026:")


def test_users_who_turned_digests_off_get_none(busy_week, viewer, editor, lead):
    for user in (viewer, editor, lead):
        user.digest_frequency = "off"
        user.save()
    assert send() == []


def test_queries_do_not_grow_with_the_number_of_users(busy_week, campaign):
    def queries_for(extra_users):
        start = User.objects.count()
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bulk{start + n}@example.org",
                    digest_frequency="weekly",
                    digest_hour=8,
                    timezone="Europe/Zurich",
                )
                for n in range(extra_users)
            ]
        )
        Membership.objects.bulk_create([Membership(user=user, campaign=campaign, role=Role.VIEWER) for user in users])
        Digest.objects.all().delete()
        OutboundEmail.objects.all().delete()
        with time_machine.travel(SEND_AT, tick=False), CaptureQueriesContext(connection) as queries:
            sent = digests_send()
        return len(sent), len(queries)

    sent_50, queries_50 = queries_for(47)
    sent_500, queries_500 = queries_for(450)
    assert (sent_50, sent_500) == (50, 500)
    assert queries_50 <= 15
    # Linear growth would be 10x; per batch of 200 users the reads are fixed, and
    # only the bulk inserts are split into chunks by the database driver.
    assert queries_500 <= 4 * queries_50


def test_digest_page_lists_only_my_digests_and_404s_others(busy_week, viewer, editor, client):
    send()
    mine, theirs = Digest.objects.get(user=viewer), Digest.objects.get(user=editor)
    client.force_login(viewer)
    page = client.get("/digests/")
    assert page.status_code == 200
    assert mine.subject in page.content.decode()
    assert f"/digests/{theirs.pk}/" not in page.content.decode()
    detail = client.get(f"/digests/{mine.pk}/")
    assert detail.status_code == 200
    assert "Office promised a date." in detail.content.decode()
    assert client.get(f"/digests/{theirs.pk}/").status_code == 404


def test_digest_page_needs_login(client):
    assert client.get("/digests/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_digest_once(campaign, target, editor, lead, viewer):
    for user in (editor, lead, viewer):
        weekly(user, quiet=True)
    AskFactory(campaign=campaign, target=target, owner=editor)

    def send():
        with time_machine.travel(SEND_AT, tick=False):
            return len(digests_send())

    results, errors = run_concurrently(send)
    assert errors == []
    assert sum(results) == 3
    assert Digest.objects.count() == OutboundEmail.objects.filter(kind="digest").count() == 3
