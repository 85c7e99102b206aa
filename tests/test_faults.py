"""Faults, end to end: the database failing during a status change, the broker
down when one is saved, and an SMTP server that refuses and drops connections.
The outbox's own retry rules are tested in tests/campaign/test_outbox.py; here
the whole path from the web form to the inbox is."""

import contextlib
import datetime

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign.mail.outbox import email_deliver_all
from campaign.models import Ask, OutboundEmail, Update
from config.celery import app as celery_app
from tests.smtp import free_port, smtp_server  # noqa: F401  (smtp_server is a fixture)


@pytest.fixture
def mail_server(smtp_server):  # noqa: F811
    """The SMTP server of tests/smtp.py, under a name that does not shadow the import."""
    return smtp_server


# Real commits: on_commit hooks (the delivery enqueue) run as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def change_status(client, ask, new_status="in_progress", note="Letter sent to the OHCHR."):
    return client.post(reverse("ask_status", args=[ask.pk]), {"new_status": new_status, "note": note})


@contextlib.contextmanager
def database_fails_on(sql_start: str):
    """The database connection dies when a statement starting with ``sql_start``
    is sent, as when the server restarts mid-request."""

    def fail(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(sql_start.upper()):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield


@pytest.mark.parametrize(
    "failing_statement",
    [
        'INSERT INTO "campaign_update"',  # the timeline entry
        'UPDATE "campaign_ask"',  # the status itself, after its Update was written
        'INSERT INTO "campaign_historicalask"',  # the audit record, last of all
        'INSERT INTO "campaign_outboundemail"',  # the notification to the lead
    ],
)
def test_a_database_failure_mid_change_leaves_no_partial_write(ask, editor, lead, failing_statement):
    browser = Client(raise_request_exception=False)
    browser.force_login(editor)
    history_before = ask.history.count()
    with database_fails_on(failing_statement):
        response = change_status(browser, ask)
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()
    assert "saved whole or not at all" in response.content.decode()
    ask.refresh_from_db()
    assert ask.status == "open"
    assert not Update.objects.filter(ask=ask).exists()
    assert ask.history.count() == history_before
    assert not OutboundEmail.objects.exists()
    # Once the database is back the same change goes through, whole.
    assert change_status(browser, ask).status_code == 302
    ask.refresh_from_db()
    assert ask.status == "in_progress"
    assert Update.objects.filter(ask=ask, new_status="in_progress").count() == 1


@pytest.fixture
def broker_down():
    """Celery publishes to a port where nothing listens. broker_write_url is the
    setting to change: Celery reads broker_url from the CELERY_BROKER_URL
    environment variable first. The app caches its connection pools, so they
    are dropped to make the new URL take effect."""

    def publish_to(url):
        celery_app.conf.broker_write_url = url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    original = celery_app.conf.broker_write_url
    publish_to(f"redis://127.0.0.1:{free_port()}/0")
    yield publish_to
    publish_to(original)


def test_broker_down_still_saves_the_change_and_the_email_goes_out_once_it_is_back(
    ask,
    editor,
    lead,
    broker_down,
    mail_server,
    caplog,
    settings,
):
    client = Client()
    client.force_login(editor)
    response = change_status(client, ask)
    assert response.status_code == 302  # the user sees their change saved
    ask.refresh_from_db()
    assert ask.status == "in_progress"
    assert "Could not enqueue email delivery" in caplog.text
    queued = OutboundEmail.objects.get(to=lead.email)
    assert queued.state == "pending"
    assert mail_server.messages == []

    # The broker comes back: the periodic sweep (beat's deliver_email) sends what waited.
    broker_down(settings.CELERY_BROKER_URL)
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)
    assert str(email_deliver_all()) == "1 sent, 0 to retry, 0 failed"
    assert email_deliver_all().sent == []
    assert [m.rcpt_tos for m in mail_server.messages] == [[lead.email]]
    assert ask.title in mail_server.messages[0].message["Subject"]


def test_smtp_refusing_then_dropping_then_recovering_delivers_exactly_once(ask, editor, lead, settings, mail_server):
    client = Client()
    client.force_login(editor)
    live_port = settings.EMAIL_PORT

    # 1. The mail server is down: nothing listens on its port.
    settings.EMAIL_PORT = free_port()
    assert change_status(client, ask).status_code == 302
    email_deliver_all()
    row = OutboundEmail.objects.get(to=lead.email)
    assert (row.state, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error or "Errno" in row.last_error

    # 2. It is back but drops the connection in the middle of the message.
    settings.EMAIL_PORT = live_port
    mail_server.drop_next = 1
    email_deliver_all(now=timezone.now() + datetime.timedelta(minutes=2))
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 2)
    assert mail_server.messages == []

    # 3. It recovers: the message goes out once, and later sweeps send nothing more.
    email_deliver_all(now=timezone.now() + datetime.timedelta(minutes=10))
    email_deliver_all(now=timezone.now() + datetime.timedelta(hours=7))
    assert [m.rcpt_tos for m in mail_server.messages] == [[lead.email]]
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 3)
    assert Ask.objects.get(pk=ask.pk).status == "in_progress"
