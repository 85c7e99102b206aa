"""Delivery of queued email to a real SMTP server (aiosmtpd on 127.0.0.1)."""

import datetime

import pytest
from django.utils import timezone

from campaign.mail import outbox
from campaign.mail.emails import RenderedEmail, email_build
from campaign.mail.outbox import batch_lease, email_deliver_all, email_deliver_pending
from campaign.models import OutboundEmail
from tests.factories import UserFactory
from tests.smtp import running_smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_server(settings):
    yield from running_smtp_server(settings)


def queue(count, *, to=None, **extra):
    """Rows built by the app's one email helper, with fixed text to assert on."""
    rows = []
    for index in range(count):
        user = UserFactory(email=to or f"reader{index}@example.org")
        rendered = RenderedEmail(subject=f"Message {index}", text=f"Plain text {index}", html=f"<p>HTML {index}</p>")
        # A reminder's kind: its unsubscribe header is the settings link.
        row = email_build(
            "reminder", user=user, dedupe_key=f"test:{user.pk}:{index}", rendered=rendered, unsubscribe=True
        )
        for name, value in extra.items():
            setattr(row, name, value)
        row.save(force_insert=True)
        rows.append(row)
    return rows


def states():
    return dict(OutboundEmail.objects.values_list("to", "state"))


def test_a_batch_goes_out_over_one_smtp_connection(smtp_server, settings):
    settings.EMAIL_BATCH_SIZE = 50
    queue(12)
    result = email_deliver_pending()
    assert len(result.sent) == 12
    assert len(smtp_server.messages) == 12
    assert smtp_server.connections == 1
    received = smtp_server.to("reader3@example.org")[0]
    assert received.message["Subject"] == "Message 3"
    assert received.message["List-Unsubscribe"] == "<http://localhost:8000/accounts/settings/>"
    assert received.text.strip() == "Plain text 3"
    assert received.html.strip() == "<p>HTML 3</p>"
    assert set(states().values()) == {"sent"}


def test_batches_of_the_configured_size_each_use_one_connection(smtp_server, settings):
    settings.EMAIL_BATCH_SIZE = 5
    queue(12)
    email_deliver_all()
    assert len(smtp_server.messages) == 12
    assert smtp_server.connections == 3


def test_a_refused_recipient_is_recorded_and_the_others_still_get_theirs(smtp_server):
    queue(3)
    smtp_server.refuse.add("reader1@example.org")
    result = email_deliver_pending()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["reader0@example.org", "reader2@example.org"]
    refused = OutboundEmail.objects.get(to="reader1@example.org")
    assert refused.state == "failed"
    assert "550" in refused.last_error
    assert refused.attempts == 1
    assert len(result.failed) == 1 and len(result.sent) == 2


def test_a_dropped_connection_is_retried_later_without_duplicates(smtp_server):
    queue(3)
    smtp_server.drop_next = 1
    result = email_deliver_pending()
    assert smtp_server.messages == []
    assert result.sent == []
    first = OutboundEmail.objects.get(to="reader0@example.org")
    assert first.state == "pending" and first.attempts == 1 and "SMTPServerDisconnected" in first.last_error
    assert first.next_attempt_at > timezone.now()
    # The rest of the batch was untouched and goes out on the next run, over a new connection.
    email_deliver_pending()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["reader1@example.org", "reader2@example.org"]
    # Nothing is due until the backoff has passed; then the first message goes out once.
    assert email_deliver_pending().sent == []
    email_deliver_pending(now=timezone.now() + datetime.timedelta(minutes=2))
    assert email_deliver_pending(now=timezone.now() + datetime.timedelta(hours=1)).sent == []
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]
    assert set(states().values()) == {"sent"}


def test_an_unreachable_server_keeps_every_message_for_later(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    queue(2)
    result = email_deliver_pending()
    assert len(result.retrying) == 2
    assert set(states().values()) == {"pending"}
    assert all(row.attempts == 1 and row.last_error for row in OutboundEmail.objects.all())


def test_after_the_last_attempt_a_message_is_marked_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    [row] = queue(1)
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=9)
    email_deliver_pending()
    assert OutboundEmail.objects.get(pk=row.pk).state == "failed"


def test_a_message_stuck_in_sending_is_reclaimed_once_its_lease_has_run_out(smtp_server, settings):
    settings.EMAIL_TIMEOUT, settings.EMAIL_BATCH_SIZE = 5, 10
    [row] = queue(1)
    claimed_at = timezone.now()
    OutboundEmail.objects.filter(pk=row.pk).update(state="sending", claimed_at=claimed_at)
    assert email_deliver_pending(now=claimed_at + batch_lease() - datetime.timedelta(seconds=1)).sent == []
    assert email_deliver_pending(now=claimed_at + batch_lease() + datetime.timedelta(seconds=1)).sent == [row.pk]
    assert len(smtp_server.messages) == 1


def test_the_lease_is_a_batchs_worst_case_at_the_smtp_timeout(settings):
    settings.EMAIL_TIMEOUT, settings.EMAIL_BATCH_SIZE = 20, 10
    default = batch_lease()
    assert datetime.timedelta(minutes=4) < default < datetime.timedelta(minutes=7)
    settings.EMAIL_TIMEOUT = 2
    assert batch_lease() < datetime.timedelta(minutes=1)
    settings.EMAIL_TIMEOUT, settings.EMAIL_BATCH_SIZE = 20, 50
    assert batch_lease() > 3 * default


def test_a_run_out_of_time_puts_the_rest_of_its_batch_back_at_once(smtp_server, settings, monkeypatch):
    """A server slow enough to use up the sending budget: the run starts no
    message it could not finish within the lease."""
    settings.EMAIL_TIMEOUT, settings.EMAIL_BATCH_SIZE = 1, 4
    queue(4)
    clock = iter(range(0, 1000, 3))  # each reading of the clock is 3 s later: the budget is 1 * (4 + 4) = 8 s
    monkeypatch.setattr(outbox, "monotonic", lambda: next(clock))
    result = email_deliver_pending()
    assert len(result.sent) == 2 and len(result.retrying) == 2
    assert sorted(states().values()) == ["pending", "pending", "sent", "sent"]
    assert not OutboundEmail.objects.filter(state="pending", claimed_at__isnull=False).exists()


def test_sent_messages_are_not_sent_again(smtp_server):
    queue(2)
    email_deliver_all()
    email_deliver_all()
    assert len(smtp_server.messages) == 2
