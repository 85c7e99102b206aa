"""Celery tasks: thin wrappers that call the services with the real clock.

Deciding what to send (reminders, digests) only writes outbox rows; delivery is
its own task, also run every minute by beat, so emails survive a broker or SMTP
outage and go out when both are back.
"""

import logging
import smtplib
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, transaction

from campaign.mail.digests import digests_send
from campaign.mail.outbox import batch_lease, email_deliver_all
from campaign.mail.reminders import reminders_send
from campaign.retention import suggestion_emails_erase
from campaign.summaries import summaries_compile

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    OSError,
)
# Time limits below the broker's visibility timeout (settings), so a slow task is
# killed before the broker would hand it to a second worker.
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 240,
    "time_limit": 300,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}

# Delivery's limits follow from the lease (EMAIL_TIMEOUT, EMAIL_BATCH_SIZE): the
# task claims batches for a lease's time, and each batch it claims ends within
# its lease, before the soft limit; the hard limit leaves time to put unsent rows
# back. A task the hard limit kills anyway leaves rows whose lease has run out
# by then, or soon will: the next sweep takes them.
DELIVERY_LEASE = batch_lease().total_seconds()
DELIVERY_CLAIMS_FOR = max(DELIVERY_LEASE, 60)
DELIVERY = {
    **RELIABLE,
    "soft_time_limit": round(DELIVERY_CLAIMS_FOR + DELIVERY_LEASE + 10),
    "time_limit": round(DELIVERY_CLAIMS_FOR + DELIVERY_LEASE + 40),
    # A lost database connection is as transient as a lost SMTP one.
    "autoretry_for": (*TRANSIENT_ERRORS, OperationalError, InterfaceError),
}
_visibility_timeout = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout")
if _visibility_timeout is not None and DELIVERY["time_limit"] >= _visibility_timeout:
    raise ImproperlyConfigured(
        f"EMAIL_TIMEOUT and EMAIL_BATCH_SIZE make a delivery run last up to {DELIVERY['time_limit']} s, "
        f"longer than the broker's visibility_timeout ({_visibility_timeout} s): lower either."
    )


def delivery_enqueue_on_commit() -> None:
    """Ask a worker to deliver the outbox once the current transaction commits
    (at once outside one). The one place delivery is queued: the services and
    jobs that write outbox rows call it. A broker outage must not break the
    request that saved them: the per-minute sweep catches up."""

    def enqueue():
        try:
            deliver_email.delay()
        except Exception:  # kombu raises many kinds (OperationalError, OSError...)
            logger.warning("Could not enqueue email delivery; the periodic sweep will send it.", exc_info=True)

    transaction.on_commit(enqueue)


@shared_task(**DELIVERY)
def deliver_email() -> str:
    claim_until = time.monotonic() + DELIVERY_CLAIMS_FOR
    try:
        return str(email_deliver_all(claim_until=claim_until))
    except SoftTimeLimitExceeded:
        # The run has put back what it had not tried; the next sweep goes on.
        logger.warning("Email delivery stopped at its soft time limit")
        return "stopped at the soft time limit"


@shared_task(**RELIABLE)
def send_reminders() -> int:
    queued = reminders_send()
    if queued:
        delivery_enqueue_on_commit()
    return len(queued)


@shared_task(**RELIABLE)
def send_digests() -> int:
    queued = digests_send()
    if queued:
        delivery_enqueue_on_commit()
    return len(queued)


@shared_task(**RELIABLE)
def compile_summaries() -> int:
    return len(summaries_compile())


@shared_task(**RELIABLE)
def erase_suggestion_emails() -> int:
    return suggestion_emails_erase()
