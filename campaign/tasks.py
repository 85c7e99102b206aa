"""Celery tasks: thin wrappers that call the services with the real clock.

Deciding what to send (reminders, digests) only writes outbox rows; delivery is
its own task, also run every minute by beat, so emails survive a broker or SMTP
outage and go out when both are back.
"""

import logging
import smtplib

from celery import shared_task
from django.db import transaction

from campaign.mail.digests import digests_send
from campaign.mail.outbox import email_deliver_all
from campaign.mail.reminders import reminders_send
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


@shared_task(**RELIABLE)
def deliver_email() -> str:
    return str(email_deliver_all())


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
