"""Delivery of the outbox (``OutboundEmail``): claim due rows, send them over one
SMTP connection per batch, record what happened to each.

A row is claimed by moving it from pending to sending in one conditional
UPDATE, so two workers never send the same row; a row left in sending by a
worker that died is reclaimed after ``RECLAIM_AFTER``. Transient failures (the
server or network went away, 4xx replies) are retried with exponential
backoff; a permanent refusal (5xx) fails that message only.
"""

import datetime
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaign.models import Digest, OutboundEmail

logger = logging.getLogger(__name__)

RECLAIM_AFTER = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 10
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_RETRY = datetime.timedelta(hours=6)


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self):
        return f"{len(self.sent)} sent, {len(self.retrying)} to retry, {len(self.failed)} failed"


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failed attempt, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _due(now: datetime.datetime) -> Q:
    pending = Q(state=OutboundEmail.State.PENDING, next_attempt_at__lte=now)
    abandoned = Q(state=OutboundEmail.State.SENDING, claimed_at__lt=now - RECLAIM_AFTER)
    return pending | abandoned


def outbox_claim(*, batch_size: int, now: datetime.datetime) -> list[OutboundEmail]:
    with transaction.atomic():
        # skip_locked lets a second worker take the next rows instead of waiting
        # (PostgreSQL); SQLite's IMMEDIATE transactions serialise the claim anyway.
        candidates = list(
            OutboundEmail.objects.filter(_due(now))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not candidates:
            return []
        # The conditional UPDATE is the claim: it only moves rows that are still due.
        OutboundEmail.objects.filter(_due(now), id__in=candidates).update(
            state=OutboundEmail.State.SENDING, claimed_at=now
        )
        return list(
            OutboundEmail.objects.filter(id__in=candidates, state=OutboundEmail.State.SENDING, claimed_at=now).order_by(
                "id"
            )
        )


def _message_id(row: OutboundEmail) -> str:
    # Stable per row: should a retry deliver a message twice, mail clients can
    # recognise the copy.
    domain = urlparse(settings.SITE_URL).hostname or "localhost"
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:24]
    return f"<{row.pk}.{digest}@{domain}>"


def email_message_for(row: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        headers={"Message-ID": _message_id(row), **row.headers},
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _is_permanent(error: Exception) -> bool:
    """A 5xx reply about this message or recipient: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _breaks_connection(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421  # "service not available, closing transmission channel"
    if isinstance(error, smtplib.SMTPException):
        return False  # a refusal of this message; smtplib has reset the session (SMTPException is an OSError)
    return isinstance(error, OSError)


def _mark_sent(row: OutboundEmail, now: datetime.datetime) -> None:
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=OutboundEmail.State.SENT, sent_at=now, attempts=row.attempts + 1, last_error=""
    )


def _mark_failed_attempt(row: OutboundEmail, error: Exception, now: datetime.datetime, *, permanent: bool) -> bool:
    """Record the error; returns True when the row will be retried."""
    attempts = row.attempts + 1
    retry = not permanent and attempts < MAX_ATTEMPTS
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=OutboundEmail.State.PENDING if retry else OutboundEmail.State.FAILED,
        attempts=attempts,
        next_attempt_at=now + retry_delay(attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    logger.warning("Email %s to %s: %s (%s)", row.pk, row.to, error, "will retry" if retry else "gave up")
    return retry


def _release(rows: list[OutboundEmail]) -> None:
    """Unsent rows of a batch whose connection broke go back untouched."""
    if rows:
        OutboundEmail.objects.filter(pk__in=[row.pk for row in rows], state=OutboundEmail.State.SENDING).update(
            state=OutboundEmail.State.PENDING, claimed_at=None
        )


def email_deliver_pending(*, batch_size: int | None = None, now: datetime.datetime | None = None) -> DeliveryResult:
    """Send one batch of due emails over a single connection."""
    now = now or timezone.now()
    result = DeliveryResult()
    rows = outbox_claim(batch_size=batch_size or settings.EMAIL_BATCH_SIZE, now=now)
    if not rows:
        return result
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:
        # Nothing went out: every row counts one failed attempt and waits.
        for row in rows:
            target = result.retrying if _mark_failed_attempt(row, error, now, permanent=False) else result.failed
            target.append(row.pk)
        return result
    try:
        for index, row in enumerate(rows):
            try:
                connection.send_messages([email_message_for(row, connection)])
            except Exception as error:
                permanent = _is_permanent(error)
                target = (
                    result.retrying if _mark_failed_attempt(row, error, now, permanent=permanent) else result.failed
                )
                target.append(row.pk)
                if _breaks_connection(error):
                    _release(rows[index + 1 :])
                    result.retrying.extend(row.pk for row in rows[index + 1 :])
                    break
            else:
                _mark_sent(row, timezone.now())
                result.sent.append(row.pk)
    finally:
        try:
            connection.close()
        except Exception:  # closing a dead connection must not hide what was sent
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    if result.sent:
        Digest.objects.filter(email_id__in=result.sent, sent_at__isnull=True).update(sent_at=timezone.now())
    return result


def email_deliver_all(*, batch_size: int | None = None, now: datetime.datetime | None = None) -> DeliveryResult:
    """Deliver batches until nothing due is left (management command, sweep)."""
    total = DeliveryResult()
    while True:
        result = email_deliver_pending(batch_size=batch_size, now=now)
        total.sent += result.sent
        total.retrying += result.retrying
        total.failed += result.failed
        if not result.sent and not result.failed and not result.retrying:
            return total
        if not result.sent and not result.failed:
            return total  # everything is waiting for a retry: stop hammering the server
