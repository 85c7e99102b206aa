"""Celery tasks: thin wrappers that call the services with the real clock.

Deciding what to send (reminders, digests) only writes outbox rows; delivery is
its own task, also run every minute by beat, so emails survive a broker or SMTP
outage and go out when both are back.
"""

import smtplib

from celery import shared_task

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


def _enqueue_delivery() -> None:
    deliver_email.delay()


@shared_task(**RELIABLE)
def deliver_email() -> str:
    from campaign.mail.outbox import email_deliver_all

    return str(email_deliver_all())


@shared_task(**RELIABLE)
def send_reminders() -> int:
    from campaign.mail.reminders import reminders_send

    queued = reminders_send()
    if queued:
        _enqueue_delivery()
    return len(queued)


@shared_task(**RELIABLE)
def send_digests() -> int:
    from campaign.mail.digests import digests_send

    queued = digests_send()
    if queued:
        _enqueue_delivery()
    return len(queued)


@shared_task(**RELIABLE)
def compile_summaries() -> int:
    from campaign.summaries import summaries_compile

    return len(summaries_compile())
