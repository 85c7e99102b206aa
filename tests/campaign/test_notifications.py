"""Status-change emails: owner and leads hear about it, the author does not."""

import pytest
from django.core import mail

from campaign.mail.outbox import email_deliver_all
from campaign.models import OUTCOME_STATUSES, Ask, OutboundEmail
from campaign.services import ask_change_status
from tests.factories import outcome_for


def change(ask, author, status=Ask.Status.IN_PROGRESS, note="The office replied."):
    outcome = outcome_for(ask) if status in OUTCOME_STATUSES else {}
    return ask_change_status(ask=ask, new_status=status, author=author, note=note, **outcome)


def recipients():
    email_deliver_all()
    return sorted(address for message in mail.outbox for address in message.to)


def test_owner_and_leads_hear_about_a_status_change(ask, editor, lead, viewer, superuser):
    change(ask, superuser, Ask.Status.MET, note="Report published on 31 August.")
    assert recipients() == sorted([editor.email, lead.email])
    message = next(m for m in mail.outbox if m.to == [editor.email])
    assert message.subject == "[china] Publish the Xinjiang report: Open → Met"
    assert "Report published on 31 August." in message.body
    assert f"http://localhost:8000/asks/{ask.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "Report published on 31 August." in html and "<strong>Met</strong>" in html


def test_the_person_who_made_the_change_gets_no_email(ask, editor, lead):
    change(ask, editor)
    assert recipients() == [lead.email]


def test_users_who_turned_status_emails_off_get_none(ask, editor, lead):
    lead.notify_status_changes = False
    lead.save()
    change(ask, lead)
    assert recipients() == [editor.email]
    mail.outbox.clear()
    change(ask, editor, Ask.Status.MET)
    assert recipients() == []


def test_a_status_change_that_fails_queues_no_email(ask, lead):
    with pytest.raises(Exception, match="note is required"):
        change(ask, lead, note="")
    assert OutboundEmail.objects.count() == 0


def test_delivery_is_enqueued_only_after_commit(ask, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        change(ask, lead)
        assert OutboundEmail.objects.filter(kind="status-change").count() == 1
    assert len(callbacks) == 1
