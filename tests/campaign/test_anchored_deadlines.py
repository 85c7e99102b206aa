"""Deadlines anchored to a UN meeting: set from the ask form, moved with the
meeting's dates (admin edit or a new calendar release), provisional while the
UN has not confirmed them."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from campaign.calendar import deadlines_calendar
from campaign.mail.outbox import email_deliver_all
from campaign.mail.reminders import reminders_send
from campaign.models import Ask, Reminder, UNMeeting, Update
from campaign.services import ask_change_status, ask_create, un_calendar_file_rows, un_calendar_load
from campaign.un_calendar import anchor_reason, moved_phrase
from tests.campaign.test_digests import message_to, send, weekly
from tests.factories import AskFactory, outcome_for
from tests.two_factor import force_login_verified

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
# A week before the anchored deadline of 5 June (10 days before HRC62's estimated 15 June).
BEFORE = datetime.datetime(2026, 5, 29, 8, 30, tzinfo=ZURICH)


@pytest.fixture
def calendar(db):
    un_calendar_load(rows=un_calendar_file_rows())
    return {meeting.name: meeting for meeting in UNMeeting.objects.all()}


@pytest.fixture
def hrc62(calendar):
    return calendar["HRC62"]


def _anchored_ask(campaign, target, owner, meeting, title="Brief the core group", **fields):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=ZURICH), tick=False):
        return ask_create(
            author=owner,
            campaign=campaign,
            target=target,
            title=title,
            wording="Brief the core group ahead of the session.",
            owner=owner,
            deadline_meeting=meeting,
            deadline_anchor="opens",
            deadline_offset_days=-10,
            **fields,
        )


def test_the_reason_line_is_written_for_the_user(hrc62, calendar):
    assert anchor_reason(hrc62, "opens", -10) == "10 days before HRC62 opens"
    assert anchor_reason(hrc62, "closes", 1) == "1 day after HRC62 closes"
    assert anchor_reason(hrc62, "opens", 0) == "the day HRC62 opens"
    assert anchor_reason(calendar["UPR45"], "review", -14, "CHN") == "14 days before CHN's review at UPR45"
    assert moved_phrase(datetime.date(2026, 6, 8), datetime.date(2026, 6, 15)) == "8 Jun → 15 Jun"


def test_an_anchored_deadline_is_a_plain_date_with_its_reason(campaign, target, editor, hrc62):
    ask = _anchored_ask(campaign, target, editor, hrc62)
    assert ask.deadline == datetime.date(2026, 6, 5)
    assert ask.deadline_reason == "10 days before HRC62 opens"
    assert ask.deadline_provisional  # HRC62 ships unconfirmed
    assert Ask.objects.filter(deadline=datetime.date(2026, 6, 5)).get() == ask


def test_the_ask_form_offers_upcoming_meetings_first_and_anchors_the_deadline(
    client, editor, campaign, target, calendar
):
    client.force_login(editor)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=ZURICH), tick=False):
        html = client.get(reverse("ask_create")).content.decode()
        # HRC61 is still running on 1 March: first; HRC62 next; past sessions after all upcoming ones.
        assert html.index("HRC61 ·") < html.index("HRC62 ·") < html.index("HRC63 ·") < html.index("HRC60 ·")
        assert "HRC62 · 15 Jun 2026 – 10 Jul 2026 (provisional)" in html
        response = client.post(
            reverse("ask_create"),
            {
                "campaign": campaign.pk,
                "target": target.pk,
                "title": "Side event",
                "wording": "Hold a side event.",
                "priority": "medium",
                "owner": editor.pk,
                "deadline_meeting": calendar["HRC62"].pk,
                "anchor_days": "3",
                "anchor_direction": "after",
                "deadline_anchor": "closes",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    ask = Ask.objects.get(title="Side event")
    assert (ask.deadline, ask.deadline_reason) == (datetime.date(2026, 7, 13), "3 days after HRC62 closes")


def test_a_review_anchor_needs_a_country_the_meeting_reviews(client, editor, campaign, target, calendar):
    client.force_login(editor)
    data = {
        "campaign": campaign.pk,
        "target": target.pk,
        "title": "Questions for the review",
        "wording": "Send questions.",
        "priority": "medium",
        "deadline_meeting": calendar["UPR45"].pk,
        "anchor_days": "14",
        "anchor_direction": "before",
        "deadline_anchor": "review",
        "deadline_review_country": "FRA",
        "confirm_past_deadline": "on",
    }
    response = client.post(reverse("ask_create"), data)
    assert "lists no review of FRA (it lists: CHN)" in response.content.decode()
    assert not Ask.objects.filter(title="Questions for the review").exists()
    data["deadline_review_country"] = "chn"
    assert client.post(reverse("ask_create"), data).status_code == 302
    ask = Ask.objects.get(title="Questions for the review")
    assert (ask.deadline, ask.deadline_reason) == (datetime.date(2024, 1, 9), "14 days before CHN's review at UPR45")


def test_an_admin_moving_hrc62_by_a_week_moves_open_asks_rearms_reminders_and_leaves_closed_ones(
    client, superuser, campaign, target, editor, lead, hrc62
):
    open_ask = _anchored_ask(campaign, target, editor, hrc62)
    closed = _anchored_ask(campaign, target, editor, hrc62, title="Letter to the President")
    ask_change_status(ask=closed, new_status="met", author=lead, note="Sent.", **outcome_for(closed))
    email_deliver_all()
    mail.outbox.clear()

    # A week before the first deadline, its 7-day reminder goes out.
    with time_machine.travel(BEFORE, tick=False):
        assert [(item.kind, item.deadline) for item in reminders_send()] == [("due_in_7", datetime.date(2026, 6, 5))]

    force_login_verified(client, superuser)
    with time_machine.travel(BEFORE + datetime.timedelta(minutes=10), tick=False):
        response = client.post(
            reverse("admin:campaign_unmeeting_change", args=[hrc62.pk]),
            {
                "body": "HRC",
                "session": "62",
                "starts_on": "2026-06-22",
                "ends_on": "2026-07-17",
                "source_url": hrc62.source_url,
                "note": hrc62.note,
                "reviews-TOTAL_FORMS": "0",
                "reviews-INITIAL_FORMS": "0",
                "reviews-MIN_NUM_FORMS": "0",
                "reviews-MAX_NUM_FORMS": "1000",
            },
            follow=True,
        )
    assert "1 open ask anchored to HRC62 got a new deadline." in response.content.decode()

    open_ask.refresh_from_db()
    closed.refresh_from_db()
    assert open_ask.deadline == datetime.date(2026, 6, 12)
    assert open_ask.deadline_reason == "10 days before HRC62 opens"
    assert closed.deadline == datetime.date(2026, 6, 5)  # closed asks keep their dates
    move = Update.objects.get(ask=open_ask, is_deadline_move=True)
    assert move.note == "Deadline moved with HRC62: 5 Jun → 12 Jun" and move.author == superuser
    assert not Update.objects.filter(ask=closed, is_deadline_move=True).exists()
    client.force_login(editor)
    with time_machine.travel(BEFORE + datetime.timedelta(minutes=20), tick=False):
        assert "Deadline moved with HRC62: 5 Jun → 12 Jun" in client.get(open_ask.get_absolute_url()).content.decode()

    # The reminders follow the new date: 14 days before it, on the same morning...
    with time_machine.travel(BEFORE + datetime.timedelta(hours=1), tick=False):
        assert [(item.kind, item.deadline) for item in reminders_send()] == [("due_in_14", datetime.date(2026, 6, 12))]
    # ...and on the old date, 7 days before the new one: nothing about the old date.
    with time_machine.travel(datetime.datetime(2026, 6, 5, 8, 30, tzinfo=ZURICH), tick=False):
        assert [(item.kind, item.deadline) for item in reminders_send()] == [("due_in_7", datetime.date(2026, 6, 12))]
    assert not Reminder.objects.filter(ask=open_ask, deadline=datetime.date(2026, 6, 5), kind="due_today").exists()
    email_deliver_all()
    bodies = [message.body for message in mail.outbox]
    assert sum("on 12 June 2026" in body for body in bodies) == 2  # 14 and 7 days before the new date
    assert sum("on 5 June 2026" in body for body in bodies) == 1  # only the one sent before the move


def test_a_new_calendar_release_moves_anchored_asks_once(campaign, target, editor, hrc62):
    ask = _anchored_ask(campaign, target, editor, hrc62)
    rows = un_calendar_file_rows()
    for row in rows:
        if row["session"] == "62" and row["body"] == "HRC":
            row.update(starts_on="2026-06-15", ends_on="2026-07-08", confirmed=True)
    un_calendar_load(rows=rows)
    un_calendar_load(rows=rows)

    ask.refresh_from_db()
    assert ask.deadline == datetime.date(2026, 6, 5)  # the opening did not move
    assert not ask.deadline_provisional  # but the dates are confirmed now
    assert not Update.objects.filter(ask=ask, is_deadline_move=True).exists()


def test_provisional_deadlines_show_on_the_pages(client, editor, campaign, target, hrc62):
    ask = _anchored_ask(campaign, target, editor, hrc62)
    client.force_login(editor)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=ZURICH), tick=False):
        ask_page = client.get(ask.get_absolute_url()).content.decode()
        ask_list = client.get(reverse("ask_list")).content.decode()
        campaign_page = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()
        dashboard = client.get(reverse("dashboard")).content.decode()
    for html in (ask_page, ask_list, campaign_page, dashboard):
        assert ">provisional</span>" in html
    assert "10 days before HRC62 opens" in ask_page and "dates not confirmed by the UN" in ask_page

    AskFactory(campaign=campaign, target=target, owner=editor, title="Plain date")
    hrc62.confirmed = True
    hrc62.save()
    from campaign.services import un_meeting_follow

    un_meeting_follow(meeting=hrc62, actor=None)
    assert ">provisional</span>" not in client.get(ask.get_absolute_url()).content.decode()


def test_the_calendar_feed_marks_provisional_deadlines_and_carries_the_meetings(campaign, target, editor, hrc62):
    _anchored_ask(campaign, target, editor, hrc62)
    _anchored_ask(campaign, target, editor, hrc62, title="Second ask on the same session")
    AskFactory(campaign=campaign, target=target, owner=editor, title="Plain date")
    feed = icalendar.Calendar.from_ical(deadlines_calendar(editor))
    events = {str(event["summary"]): event for event in feed.walk("VEVENT")}

    assert "Deadline (provisional): Brief the core group" in events
    assert "Provisional: the UN has not confirmed" in str(
        events["Deadline (provisional): Brief the core group"]["description"]
    )
    assert "Deadline: Plain date" in events
    meetings = [summary for summary in events if summary.startswith("HRC62")]
    assert meetings == ["HRC62 (provisional dates): Human Rights Council"]  # once, however many asks
    meeting = events[meetings[0]]
    assert meeting.decoded("dtstart") == datetime.date(2026, 6, 15)
    assert meeting.decoded("dtend") == datetime.date(2026, 7, 11)


def test_the_owners_next_digest_tells_them_once_and_marks_provisional_deadlines(
    campaign, target, editor, lead, viewer, hrc62
):
    ask = _anchored_ask(campaign, target, editor, hrc62)
    weekly(editor)
    weekly(viewer, quiet=True)
    from campaign.services import un_meeting_follow

    with time_machine.travel(datetime.datetime(2026, 5, 28, 11, tzinfo=ZURICH), tick=False):
        hrc62.starts_on, hrc62.ends_on = datetime.date(2026, 5, 25), datetime.date(2026, 6, 19)
        hrc62.save()
        un_meeting_follow(meeting=hrc62, actor=lead)
    ask.refresh_from_db()
    assert ask.deadline == datetime.date(2026, 5, 15)
    hrc62.starts_on, hrc62.ends_on = datetime.date(2026, 6, 22), datetime.date(2026, 7, 17)
    hrc62.save()
    with time_machine.travel(datetime.datetime(2026, 5, 28, 12, tzinfo=ZURICH), tick=False):
        un_meeting_follow(meeting=hrc62, actor=lead)

    send(datetime.datetime(2026, 6, 1, 8, 5, tzinfo=ZURICH))
    message, html = message_to(editor)
    assert "Your deadlines moved with the UN calendar:" in message.body
    assert "Deadline moved with HRC62: 15 May → 12 Jun (provisional)" in message.body
    assert "Deadline moved with HRC62: 15 May → 12 Jun <em" in html and "(provisional)</em>" in html
    assert "12 Jun (provisional): Brief the core group" in message.body  # deadlines coming
    viewer_message, _ = message_to(viewer)
    assert "moved with the UN calendar" not in viewer_message.body  # the owner is told
    mail.outbox.clear()
    weekly(editor, quiet=True)  # a digest next week even with nothing new
    send(datetime.datetime(2026, 6, 8, 8, 5, tzinfo=ZURICH))
    assert "moved with the UN calendar" not in message_to(editor)[0].body  # told once


def test_a_date_typed_over_an_anchored_deadline_stops_it_following_the_meeting(campaign, target, editor, hrc62):
    from campaign.services import ask_update, un_meeting_follow

    ask = _anchored_ask(campaign, target, editor, hrc62)
    ask_update(ask=ask, author=editor, expected_version=ask.version, deadline_reason="Our own reason.")
    ask.refresh_from_db()
    assert ask.deadline_meeting == hrc62 and ask.deadline_reason == "Our own reason."  # still anchored

    ask_update(ask=ask, author=editor, expected_version=ask.version, deadline=datetime.date(2026, 6, 1))
    ask.refresh_from_db()
    assert ask.deadline_meeting is None and not ask.deadline_provisional
    hrc62.starts_on = datetime.date(2026, 6, 29)
    hrc62.save()
    assert un_meeting_follow(meeting=hrc62, actor=None) == []
    ask.refresh_from_db()
    assert ask.deadline == datetime.date(2026, 6, 1)


def test_the_admin_anchors_an_ask_to_a_meeting(client, superuser, campaign, target, editor, hrc62):
    ask = AskFactory(campaign=campaign, target=target, owner=editor, title="Anchored in the admin")
    force_login_verified(client, superuser)
    url = reverse("admin:campaign_ask_change", args=[ask.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {name: value.pk if hasattr(value, "pk") else value for name, value in data.items()}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(deadline_meeting=hrc62.pk, deadline_anchor="closes", deadline_offset_days="-2")
    data["deadline"] = ask.deadline.isoformat()

    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ask.refresh_from_db()
    assert (ask.deadline, ask.deadline_reason) == (datetime.date(2026, 7, 8), "2 days before HRC62 closes")
    assert ask.deadline_provisional
