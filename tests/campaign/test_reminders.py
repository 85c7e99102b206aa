"""Deadline and stale reminders: who hears what, when, and never twice."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.mail.outbox import email_deliver_all
from campaign.mail.reminders import reminders_send
from campaign.models import Ask, OutboundEmail, Reminder
from campaign.services import ask_add_note
from tests.concurrency import run_concurrently
from tests.factories import AskFactory

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
DEADLINE = datetime.date(2026, 3, 20)


def at(year, month, day, hour=9, minute=0, zone=ZURICH):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return [(item.kind, item.recipient.email) for item in reminders_send()]


@pytest.fixture
def due_ask(ask):
    ask.deadline = DEADLINE
    ask.save()
    return ask


@pytest.mark.parametrize(
    ("day", "kind"),
    [(6, "due_in_14"), (13, "due_in_7"), (19, "due_in_1"), (20, "due_today")],
)
def test_owner_is_reminded_before_the_deadline_and_on_the_day(due_ask, editor, lead, day, kind):
    assert run_at(at(2026, 3, day)) == [(kind, editor.email)]


@pytest.mark.parametrize("day", [5, 7, 8, 12, 14, 18])
def test_no_reminder_on_days_between_the_lead_times(due_ask, day):
    assert run_at(at(2026, 3, day)) == []


def test_overdue_reminder_goes_to_owner_and_leads_the_day_after_then_weekly(due_ask, editor, lead, viewer):
    assert sorted(run_at(at(2026, 3, 21))) == sorted([("overdue_1", editor.email), ("overdue_1", lead.email)])
    for day in range(22, 28):
        assert run_at(at(2026, 3, day)) == []
    assert sorted(run_at(at(2026, 3, 28))) == sorted([("overdue_8", editor.email), ("overdue_8", lead.email)])
    assert sorted(run_at(at(2026, 4, 4))) == sorted([("overdue_15", editor.email), ("overdue_15", lead.email)])


def test_lead_who_owns_the_ask_gets_one_overdue_reminder(due_ask, lead):
    Ask.objects.filter(pk=due_ask.pk).update(owner=lead)
    assert run_at(at(2026, 3, 21)) == [("overdue_1", lead.email)]


def test_reminder_email_names_the_ask_links_to_it_and_offers_unsubscribe(due_ask, editor):
    run_at(at(2026, 3, 13))
    email_deliver_all()
    [message] = mail.outbox
    assert message.to == [editor.email]
    assert message.subject == "[china] Due in 7 days: Publish the Xinjiang report"
    ask_url = f"http://localhost:8000/asks/{due_ask.pk}/"
    assert ask_url in message.body
    html = message.alternatives[0][0]
    assert ask_url in html and "Publish the Xinjiang report" in html
    # Reminders come with owning an ask: the link leads to the settings, no one-click claim.
    assert message.extra_headers["List-Unsubscribe"] == "<http://localhost:8000/accounts/settings/>"
    assert "List-Unsubscribe-Post" not in message.extra_headers
    assert "http://localhost:8000/accounts/settings/" in message.body


def test_leads_copy_of_an_overdue_reminder_names_the_owner_and_the_deadlines_reason(due_ask, editor, lead):
    Ask.objects.filter(pk=due_ask.pk).update(deadline_reason="Before the HRC's March session")
    run_at(at(2026, 3, 21))
    email_deliver_all()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    copy, own = by_recipient[lead.email], by_recipient[editor.email]
    assert copy.subject == own.subject == "[china] Overdue by 1 day: Publish the Xinjiang report"
    assert f"Its owner is {editor}; you receive this as a lead of the campaign." in copy.body
    assert "you receive this as a lead" not in own.body
    for message in (copy, own):
        assert "Why this deadline: Before the HRC's March session" in message.body
        assert f"in {due_ask.campaign.title} is overdue by 1 day" in message.body


def test_reminders_go_out_in_the_first_run_at_or_after_8_local(due_ask, editor):
    assert run_at(at(2026, 3, 13, 7, 59)) == []
    assert run_at(at(2026, 3, 13, 8, 0)) == [("due_in_7", editor.email)]
    assert run_at(at(2026, 3, 13, 9, 0)) == []


def test_running_twice_at_the_same_moment_sends_once(due_ask, editor):
    assert run_at(at(2026, 3, 13)) == [("due_in_7", editor.email)]
    assert run_at(at(2026, 3, 13)) == []
    email_deliver_all()
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == OutboundEmail.objects.count() == 1


def test_the_scan_leaves_out_reminders_already_sent_so_a_dry_run_shows_only_new_ones(campaign, target, editor, lead):
    """The unique constraint would stop a second send anyway; the scan itself
    must not list what went out, or --dry-run would announce it again."""
    from campaign.mail.reminders import reminders_due

    first = AskFactory(campaign=campaign, target=target, owner=editor, deadline=DEADLINE)
    assert sorted(run_at(at(2026, 3, 21))) == sorted([("overdue_1", editor.email), ("overdue_1", lead.email)])
    second = AskFactory(campaign=campaign, target=target, owner=editor, deadline=DEADLINE)
    with time_machine.travel(at(2026, 3, 21, 10), tick=False):
        due = {(item.ask.pk, item.recipient.email) for item in reminders_due()}
    assert due == {(second.pk, editor.email), (second.pk, lead.email)}
    assert first.pk not in {ask_pk for ask_pk, _ in due}


def test_changed_deadline_makes_its_reminders_due_again(due_ask, editor):
    assert run_at(at(2026, 3, 13)) == [("due_in_7", editor.email)]
    Ask.objects.filter(pk=due_ask.pk).update(deadline=DEADLINE + datetime.timedelta(days=7))
    assert run_at(at(2026, 3, 20)) == [("due_in_7", editor.email)]
    assert Reminder.objects.filter(kind="due_in_7").count() == 2


@pytest.mark.parametrize("status", [Ask.Status.MET, Ask.Status.NOT_MET, Ask.Status.WITHDRAWN])
def test_closed_ask_gets_no_reminder(due_ask, status):
    Ask.objects.filter(pk=due_ask.pk).update(status=status)
    assert run_at(at(2026, 3, 13)) == []
    assert run_at(at(2026, 3, 21)) == []


def test_ask_without_owner_gets_no_reminder_not_even_leads(due_ask, lead):
    Ask.objects.filter(pk=due_ask.pk).update(owner=None)
    assert run_at(at(2026, 3, 13)) == []
    assert run_at(at(2026, 3, 21)) == []


def test_soft_deleted_ask_gets_no_reminder(due_ask):
    Ask.objects.filter(pk=due_ask.pk).update(deleted_at=at(2026, 3, 1))
    assert run_at(at(2026, 3, 13)) == []


def test_inactive_owner_gets_no_reminder(due_ask, editor):
    editor.is_active = False
    editor.save()
    assert run_at(at(2026, 3, 13)) == []


def test_stale_ask_reminds_owner_once_per_period(campaign, target, editor):
    campaign.stale_after_days = 30
    campaign.save()
    with time_machine.travel(at(2026, 1, 1, 10), tick=False):
        stale = AskFactory(campaign=campaign, target=target, owner=editor, deadline=None, title="Quiet ask")
    assert run_at(at(2026, 1, 30)) == []
    assert run_at(at(2026, 1, 31)) == [("stale", editor.email)]
    assert run_at(at(2026, 2, 15)) == []
    assert run_at(at(2026, 3, 2)) == [("stale", editor.email)]
    email = OutboundEmail.objects.filter(kind="reminder").order_by("created_at").first()
    assert email.subject == "[china] No update in 30 days: Quiet ask"
    with time_machine.travel(at(2026, 3, 3), tick=False):
        ask_add_note(ask=stale, author=editor, note="Met the rapporteur.")
    assert run_at(at(2026, 3, 20)) == []
    assert run_at(at(2026, 4, 2)) == [("stale", editor.email)]


def test_stale_period_is_the_campaigns_setting(campaign, target, editor):
    campaign.stale_after_days = 10
    campaign.save()
    with time_machine.travel(at(2026, 1, 1, 10), tick=False):
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=None)
    assert run_at(at(2026, 1, 11)) == [("stale", editor.email)]


def test_stale_ask_without_owner_or_closed_gets_nothing(campaign, target, editor):
    with time_machine.travel(at(2026, 1, 1, 10), tick=False):
        AskFactory(campaign=campaign, target=target, owner=None, deadline=None)
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=None, status=Ask.Status.MET)
    assert run_at(at(2026, 2, 15)) == []


def test_days_count_in_the_recipients_time_zone(due_ask, editor):
    editor.timezone = "America/New_York"
    editor.save()
    # 09:00 in Zurich is 03:00 in New York: too early there.
    assert run_at(at(2026, 3, 13, 9)) == []
    assert run_at(at(2026, 3, 13, 13, zone=datetime.UTC)) == [("due_in_7", editor.email)]


def test_eight_oclock_follows_a_daylight_saving_change(ask, editor):
    # The US moves to summer time on 8 March 2026: 08:00 local is 12:00 UTC, not 13:00.
    editor.timezone = "America/New_York"
    editor.save()
    Ask.objects.filter(pk=ask.pk).update(deadline=datetime.date(2026, 3, 15))
    assert run_at(at(2026, 3, 8, 11, 59, zone=datetime.UTC)) == []
    assert run_at(at(2026, 3, 8, 12, 0, zone=datetime.UTC)) == [("due_in_7", editor.email)]


def test_date_line_time_zones_get_their_own_day(campaign, target, editor, lead):
    kiritimati, pago_pago = editor, lead  # UTC+14 and UTC-11: 25 hours apart
    kiritimati.timezone, pago_pago.timezone = "Pacific/Kiritimati", "Pacific/Pago_Pago"
    kiritimati.save()
    pago_pago.save()
    AskFactory(campaign=campaign, target=target, owner=kiritimati, deadline=DEADLINE)
    AskFactory(campaign=campaign, target=target, owner=pago_pago, deadline=DEADLINE)
    # 18:00 UTC on the 18th is 08:00 on the 19th in Kiritimati, 07:00 on the 18th in Pago Pago.
    assert run_at(at(2026, 3, 18, 18, zone=datetime.UTC)) == [("due_in_1", kiritimati.email)]
    # 19:00 UTC on the 19th: 08:00 on the 19th in Pago Pago, already the 20th in Kiritimati.
    assert sorted(run_at(at(2026, 3, 19, 19, zone=datetime.UTC))) == sorted(
        [("due_in_1", pago_pago.email), ("due_today", kiritimati.email)]
    )


def test_reminder_queries_do_not_grow_with_the_number_of_asks(
    campaign, target, editor, lead, django_assert_max_num_queries
):
    for _ in range(30):
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=DEADLINE)
    with time_machine.travel(at(2026, 3, 21), tick=False):
        from campaign.mail.reminders import reminders_due

        # A fixed number: the users' time zones, the oldest deadline and the
        # deadline candidates, the oldest activity, the stale periods and the
        # stale candidates, the leads, every user and campaign named in them,
        # and the sent reminders.
        with django_assert_max_num_queries(10):
            due = reminders_due()
    assert len(due) == 60


def test_sending_writes_reminders_in_batches_not_one_query_pair_each(campaign, target, editor, lead, monkeypatch):
    """Two inserts per batch of reminders: 3 asks or 30, the same queries."""
    from campaign.mail import reminders

    def queries_to_send(asks):
        for _ in range(asks):
            AskFactory(campaign=campaign, target=target, owner=editor, deadline=DEADLINE)
        with time_machine.travel(at(2026, 3, 21), tick=False), CaptureQueriesContext(connection) as captured:
            assert len(reminders_send()) == 2 * asks
        return len(captured)

    small = queries_to_send(3)
    Ask.all_objects.all().delete()
    assert queries_to_send(30) == small
    # More than a batch holds: every reminder still goes out, once.
    monkeypatch.setattr(reminders, "BATCH_SIZE", 4)
    AskFactory.create_batch(5, campaign=campaign, target=target, owner=editor, deadline=DEADLINE)
    with time_machine.travel(at(2026, 3, 21), tick=False):
        assert len(reminders_send()) == 10
    assert Reminder.objects.count() == 30 * 2 + 10
    assert Reminder.objects.exclude(email=None).values("email").distinct().count() == 30 * 2 + 10


def test_a_reminder_another_run_sent_meanwhile_does_not_stop_the_rest_of_its_batch(campaign, target, editor, lead):
    from campaign.mail.reminders import _send_batch, reminder_send, reminders_due

    AskFactory.create_batch(3, campaign=campaign, target=target, owner=editor, deadline=DEADLINE)
    with time_machine.travel(at(2026, 3, 21), tick=False):
        planned = reminders_due()
        assert reminder_send(item=planned[2]) is not None  # the other run, between our scan and our write
        assert _send_batch(planned) == planned[:2] + planned[3:]
    email_deliver_all()
    assert len(mail.outbox) == Reminder.objects.count() == OutboundEmail.objects.count() == 6
    assert len({(message.to[0], message.subject, message.body) for message in mail.outbox}) == 6


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(campaign, target, editor, lead):
    for _ in range(5):
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=DEADLINE)

    def send():
        with time_machine.travel(at(2026, 3, 21), tick=False):
            return len(reminders_send())

    results, errors = run_concurrently(send)
    assert errors == []
    assert sum(results) == 10  # 5 asks × (owner + lead)
    assert Reminder.objects.count() == OutboundEmail.objects.count() == 10


def test_long_overdue_asks_are_read_only_on_their_weekly_reminder_day(campaign, target, editor):
    """The scan lists due deadlines instead of reading every overdue ask each hour."""
    from campaign.mail.reminders import _deadline_candidates, reminders_due

    AskFactory(campaign=campaign, target=target, owner=editor, deadline=datetime.date(2025, 3, 4))
    due_today = AskFactory(campaign=campaign, target=target, owner=editor, deadline=datetime.date(2025, 3, 7))
    now = at(2026, 3, 21)
    with time_machine.travel(now, tick=False):
        # 2025-03-07 is 379 days before 2026-03-21: 1 + 7 × 54, a weekly reminder day;
        # 2025-03-04 is three days off it (even allowing for time zones) and is not read.
        assert [ask.pk for ask in _deadline_candidates(now)] == [due_today.pk]
        assert [(item.ask.pk, item.kind) for item in reminders_due()] == [(due_today.pk, "overdue_379")]


def test_the_scan_reads_the_deadlines_of_the_dates_its_users_are_living(campaign, target, editor, lead):
    """At 09:00 UTC on 21 March it is still 20 March in Pago Pago (UTC-11): the
    deadlines due a reminder on the 20th are read only if someone lives there."""
    from campaign.mail.reminders import _deadline_candidates, reminders_due

    now = at(2026, 3, 21, 10)
    due_in_zurich = AskFactory(campaign=campaign, target=target, owner=editor, deadline=datetime.date(2026, 4, 4))
    due_in_pago_pago = AskFactory(campaign=campaign, target=target, owner=lead, deadline=datetime.date(2026, 4, 3))

    with time_machine.travel(now, tick=False):
        assert [ask.pk for ask in _deadline_candidates(now)] == [due_in_zurich.pk]
        lead.timezone = "Pacific/Pago_Pago"
        lead.save()
        assert {ask.pk for ask in _deadline_candidates(now)} == {due_in_zurich.pk, due_in_pago_pago.pk}
        due = {(item.ask.pk, item.recipient.pk, item.kind) for item in reminders_due()}
    assert due == {(due_in_zurich.pk, editor.pk, "due_in_14"), (due_in_pago_pago.pk, lead.pk, "due_in_14")}


def test_long_quiet_asks_are_read_only_around_their_stale_reminder_day(campaign, target, editor):
    from campaign.mail.reminders import _stale_candidates

    campaign.stale_after_days = 30
    campaign.save()
    with time_machine.travel(at(2026, 1, 1, 10), tick=False):
        due = AskFactory(campaign=campaign, target=target, owner=editor, deadline=None)
    with time_machine.travel(at(2026, 1, 16, 10), tick=False):
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=None)
    now = at(2026, 3, 2)  # 60 days after the first ask's last activity, 45 after the second's
    assert [ask.pk for ask in _stale_candidates(now)] == [due.pk]


def test_a_stale_reminder_missed_by_a_stopped_job_goes_out_when_it_runs_again(campaign, target, editor):
    campaign.stale_after_days = 30
    campaign.save()
    with time_machine.travel(at(2026, 1, 1, 10), tick=False):
        AskFactory(campaign=campaign, target=target, owner=editor, deadline=None)
    # Day 30 was 31 January; the job was down until 2 February.
    assert run_at(at(2026, 2, 2)) == [("stale", editor.email)]
    assert run_at(at(2026, 2, 3)) == []
