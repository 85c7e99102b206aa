"""The outbox when the database goes away in the middle of a batch, and when
Celery's soft time limit interrupts one: no message the SMTP server accepted is
sent again because its row could not be marked, and no row is left claimed.

The lost connection is real on PostgreSQL (``pg_terminate_backend`` from a
second connection, fired by the SMTP server right after it accepted a message;
CI runs it there) and simulated on every database by an execute wrapper that
fails the "mark sent" UPDATE, as ``tests/test_faults.py`` does."""

import contextlib
import datetime
import signal

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection
from django.utils import timezone

from campaign.mail import outbox
from campaign.mail.outbox import batch_lease, email_deliver_all, email_deliver_pending
from campaign.models import OutboundEmail
from campaign.tasks import DELIVERY_CLAIMS_FOR, deliver_email
from tests.campaign.test_outbox import queue
from tests.smtp import running_smtp_server

# Real commits: a connection closed and reopened must find the rows there.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_server(settings):
    yield from running_smtp_server(settings)


@pytest.fixture(autouse=True)
def _quick_database_retries(monkeypatch):
    monkeypatch.setattr(outbox, "DATABASE_RETRY_DELAYS", (0.01, 0.01, 0.01))


def states() -> dict[str, str]:
    return dict(OutboundEmail.objects.order_by("id").values_list("to", "state"))


@contextlib.contextmanager
def mark_sent_fails(times: int):
    """The database connection dies on the next ``times`` "mark sent" UPDATEs."""
    failures = {"left": times}

    def fail(execute, sql, params, many, context):
        marks_sent = sql.startswith('UPDATE "campaign_outboundemail" SET "state"') and params and params[0] == "sent"
        if marks_sent and failures["left"] > 0:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield failures


def test_a_lost_connection_when_marking_sent_is_retried_on_a_fresh_one(smtp_server):
    rows = queue(4)
    with mark_sent_fails(times=1) as failures:
        result = email_deliver_pending()
    assert failures["left"] == 0  # the fault did fire
    assert sorted(result.sent) == [row.pk for row in rows]
    assert set(smtp_server.copies().values()) == {1} and len(smtp_server.copies()) == 4
    assert set(states().values()) == {"sent"}
    # Later sweeps find nothing to send again.
    assert email_deliver_all(now=timezone.now() + batch_lease() + datetime.timedelta(minutes=1)).sent == []
    assert len(smtp_server.messages) == 4


def test_when_the_database_stays_away_the_rest_of_the_batch_goes_back_at_once(smtp_server):
    first, *others = queue(4)
    with mark_sent_fails(times=100), pytest.raises(OperationalError):
        email_deliver_pending()
    # The server accepted the first message, whose row could not be marked: it
    # stays claimed. The others were never tried and are pending again now.
    assert len(smtp_server.messages) == 1
    assert states() == {
        first.to: "sending",
        **{row.to: "pending" for row in others},
    }
    assert not OutboundEmail.objects.filter(pk__in=[row.pk for row in others], claimed_at__isnull=False).exists()

    # The database is back: the next run sends the others at once, not after the lease.
    assert sorted(email_deliver_all().sent) == [row.pk for row in others]
    assert len(smtp_server.messages) == 4


def test_a_message_accepted_but_never_marked_goes_again_after_the_lease_with_the_same_message_id(smtp_server):
    """The one way to send twice, pinned: the row stays claimed until its lease
    ends, then goes again, and the copy carries the first one's Message-ID."""
    [row] = queue(1)
    with mark_sent_fails(times=100), pytest.raises(OperationalError):
        email_deliver_pending()
    claimed_at = OutboundEmail.objects.get(pk=row.pk).claimed_at
    assert email_deliver_all(now=claimed_at + batch_lease() - datetime.timedelta(seconds=1)).sent == []
    assert email_deliver_all(now=claimed_at + batch_lease() + datetime.timedelta(seconds=1)).sent == [row.pk]
    [(message_id, copies)] = smtp_server.copies().items()
    assert copies == 2
    assert message_id == smtp_server.messages[0].message["Message-ID"] == smtp_server.messages[1].message["Message-ID"]
    assert states() == {row.to: "sent"}


def test_the_soft_time_limit_ends_the_run_and_puts_the_untried_rows_back(smtp_server):
    """Celery raises SoftTimeLimitExceeded from a signal handler, wherever the
    run is; here while it waits for the server to accept the second message."""
    rows = queue(4)
    smtp_server.delay = 0.4

    def soft_time_limit(signum, frame):
        raise SoftTimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, soft_time_limit)
    signal.setitimer(signal.ITIMER_REAL, 0.6)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            email_deliver_pending()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    smtp_server.delay = 0
    # The first was sent; the second's fate is unknown (the server may accept it
    # after the client left), so it keeps its claim; the last two were never tried.
    assert [OutboundEmail.objects.get(pk=row.pk).state for row in rows] == ["sent", "sending", "pending", "pending"]
    assert OutboundEmail.objects.get(pk=rows[1].pk).attempts == 0
    assert sorted(email_deliver_all().sent) == [rows[2].pk, rows[3].pk]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's; CI runs this there"
)
@pytest.mark.parametrize("killed_after", [1, 3])
def test_a_terminated_postgresql_connection_mid_batch_sends_each_message_once(smtp_server, killed_after):
    rows = queue(5)
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    db = connection.settings_dict

    def terminate_the_runs_connection(accepted: int) -> None:
        if accepted == killed_after:
            with psycopg.connect(
                host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"]
            ) as admin:
                # The timeout makes it wait until the backend is gone, so the
                # run's very next statement (the "mark sent") meets a dead connection.
                assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [backend_pid]).fetchone()[0]

    smtp_server.after_accept = terminate_the_runs_connection
    result = email_deliver_pending()
    assert connection.connection.info.backend_pid != backend_pid  # it did reconnect
    assert sorted(result.sent) == [row.pk for row in rows]
    assert len(smtp_server.copies()) == 5 and set(smtp_server.copies().values()) == {1}
    assert set(states().values()) == {"sent"}


def test_the_delivery_task_retries_when_the_database_stays_away(smtp_server):
    """The task's own retry (eager here: at once, without the backoff) sends
    what the aborted run put back."""
    rows = queue(4)
    with mark_sent_fails(times=len(outbox.DATABASE_RETRY_DELAYS) + 1):
        outcome = deliver_email.apply()
    assert outcome.successful(), outcome.traceback
    assert len(smtp_server.copies()) == 4 and set(smtp_server.copies().values()) == {1}
    # Only the message whose "mark sent" never got through waits for its lease.
    assert [OutboundEmail.objects.get(pk=row.pk).state for row in rows] == ["sending", "sent", "sent", "sent"]


def test_a_delivery_task_ends_each_batch_it_claims_before_celery_stops_it(settings):
    """Claims are made for DELIVERY_CLAIMS_FOR seconds, each lasts a lease at
    most, and then the soft limit; the hard limit comes before the broker's
    visibility timeout would hand the task to a second worker."""
    lease = batch_lease().total_seconds()
    assert DELIVERY_CLAIMS_FOR + lease < deliver_email.soft_time_limit < deliver_email.time_limit
    assert deliver_email.time_limit < 3600  # CELERY_BROKER_TRANSPORT_OPTIONS' visibility_timeout on Redis
    settings.EMAIL_TIMEOUT, settings.EMAIL_BATCH_SIZE = 20, 10  # the defaults
    assert batch_lease() < datetime.timedelta(minutes=7)
