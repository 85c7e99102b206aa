"""What every email says, as the recipient reads it: subjects and plain-text
parts as typed (no HTML entities), HTML parts escaped, the campaign named in
subjects, links to the asks, and times in the recipient's own time zone."""

import datetime
import html
import pathlib
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from campaign.mail.digests import digests_send
from campaign.mail.outbox import email_deliver_all
from campaign.mail.reminders import reminders_send
from campaign.models import Ask
from campaign.services import ask_change_status
from tests.factories import AskFactory, CampaignFactory, EvidenceFactory, MembershipFactory

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
TRICKY_TITLE = """Make the 'annual' <strategic> "meeting" & more"""
TRICKY_CAMPAIGN = """Women's rights & "defenders" <2026>"""
ENTITY = re.compile(r"&(#x?[0-9a-fA-F]+|amp|lt|gt|quot|apos);")


def delivered_to(user):
    email_deliver_all()
    [message] = [message for message in mail.outbox if message.to == [user.email]]
    return message


def send_reminder(ask, recipient):
    Ask.objects.filter(pk=ask.pk).update(deadline=datetime.date(2026, 3, 20))
    with time_machine.travel(datetime.datetime(2026, 3, 13, 9, tzinfo=ZURICH), tick=False):
        assert reminders_send()
    return delivered_to(recipient)


def send_status_change(ask, recipient, author):
    ask_change_status(ask=ask, new_status=Ask.Status.IN_PROGRESS, author=author, note="Met them & talked.")
    return delivered_to(recipient)


def send_digest(ask, recipient, *, also_supports=()):
    recipient.digest_frequency, recipient.digest_hour, recipient.digest_when_quiet = "daily", 8, True
    recipient.save()
    with time_machine.travel(datetime.datetime(2026, 3, 13, 12, tzinfo=ZURICH), tick=False):
        EvidenceFactory(
            campaign=ask.campaign, title="Letter of 13 March", sensitivity="public", asks=[ask, *also_supports]
        )
    with time_machine.travel(datetime.datetime(2026, 3, 14, 8, 5, tzinfo=ZURICH), tick=False):
        assert digests_send()
    return delivered_to(recipient)


SENDERS = {
    "reminder": lambda ask, editor, lead: send_reminder(ask, editor),
    "status-change": lambda ask, editor, lead: send_status_change(ask, editor, lead),
    "digest": lambda ask, editor, lead: send_digest(ask, editor),
}


def test_every_kind_of_email_is_checked_below():
    subjects = pathlib.Path(settings.BASE_DIR, "templates", "emails").glob("*-subject.txt")
    assert {path.name.removesuffix("-subject.txt") for path in subjects} == set(SENDERS)


@pytest.mark.parametrize("kind", SENDERS)
def test_subject_and_text_read_as_typed_and_the_html_is_escaped(kind, ask, campaign, editor, lead):
    Ask.objects.filter(pk=ask.pk).update(title=TRICKY_TITLE)
    campaign.title = TRICKY_CAMPAIGN
    campaign.save()
    ask.refresh_from_db()

    message = SENDERS[kind](ask, editor, lead)
    body_html = message.alternatives[0][0]

    assert not ENTITY.search(message.subject), message.subject
    assert not ENTITY.search(message.body), message.body
    if kind != "digest":  # a digest's subject counts updates; it names no ask
        assert TRICKY_TITLE in message.subject
    for text in (TRICKY_TITLE, TRICKY_CAMPAIGN):
        assert text in message.body
        assert html.escape(text) in body_html
        assert text not in body_html


@pytest.mark.parametrize("kind", ["reminder", "status-change"])
def test_asks_of_the_same_title_in_two_campaigns_get_subjects_naming_their_campaign(
    kind, ask, campaign, editor, lead, target
):
    second = CampaignFactory(title="Second campaign", slug="second")
    MembershipFactory(campaign=second, user=lead, role="lead")
    twin = AskFactory(campaign=second, target=target, owner=editor, title=ask.title)

    first_subject = SENDERS[kind](ask, editor, lead).subject
    mail.outbox.clear()
    second_subject = SENDERS[kind](twin, editor, lead).subject

    assert first_subject.startswith("[china] ")
    assert second_subject.startswith("[second] ")
    assert first_subject.removeprefix("[china] ") == second_subject.removeprefix("[second] ")


def test_evidence_in_a_digest_links_to_the_asks_it_supports(ask, campaign, target, editor, lead):
    second = AskFactory(campaign=campaign, target=target, title="Visit Xinjiang", deadline=None)
    deleted = AskFactory(campaign=campaign, target=target, title="Withdrawn idea", deadline=None)
    Ask.objects.filter(pk=deleted.pk).update(deleted_at=datetime.datetime(2026, 1, 1, tzinfo=ZURICH))

    message = send_digest(ask, editor, also_supports=[second, deleted])
    ask_url, second_url = (f"http://localhost:8000/asks/{pk}/" for pk in (ask.pk, second.pk))

    assert f"Letter of 13 March\n  for “{ask.title}”: {ask_url}\n  for “Visit Xinjiang”: {second_url}\n" in message.body
    body_html = message.alternatives[0][0]
    assert f'Letter of 13 March — for <a href="{ask_url}"' in body_html
    assert f'<a href="{second_url}" style="color:#1d4ed8;">Visit Xinjiang</a>' in body_html
    assert "Withdrawn idea" not in message.body + body_html


def test_the_digest_period_is_in_the_recipients_time_zone(campaign, editor):
    editor.timezone = "Asia/Bangkok"
    editor.digest_frequency, editor.digest_hour, editor.digest_when_quiet = "daily", 8, True
    editor.save()
    with time_machine.travel(
        datetime.datetime(2026, 12, 8, 8, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Bangkok")), tick=False
    ):
        assert digests_send()
        message = delivered_to(editor)

    period = "(7 Dec 08:00 – 8 Dec 08:00, Asia/Bangkok)"
    assert period in message.body
    assert period in message.alternatives[0][0]
