"""Delivery of the outbox (``OutboundEmail``): claim due rows, send them over one
SMTP connection per batch, record what happened to each.

A row is claimed by moving it from pending to sending in one conditional
UPDATE, so two workers never send the same row. A claim is a lease of
``batch_lease()``, a batch's worst case at ``EMAIL_TIMEOUT``: the run starts no
message it could not finish within it, and a row left in sending by a run that
died is reclaimed once it has passed. Transient failures (the server or network
went away, 4xx replies) are retried with exponential backoff; a permanent
refusal (5xx) fails that message only.

A message the server accepted is marked sent on a fresh database connection if
the old one was lost. Whatever ends a run early (the database gone for good,
Celery's soft time limit), the rows it had not tried yet go back to pending at
once; only the one in flight, which the server may have accepted, keeps its
claim until the lease ends.
"""

import datetime
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from time import monotonic, sleep
from urllib.parse import urlparse

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from campaign.models import Digest, OutboundEmail

logger = logging.getLogger(__name__)

# Waits of up to EMAIL_TIMEOUT each: opening a connection (connect and greeting,
# EHLO, perhaps STARTTLS and login), and one message (MAIL, RCPT, DATA, the data).
# A batch is planned at one wait per message, which a server that answers is far
# inside; one slow on every command runs out of the budget, and the run puts the
# rest of the batch back rather than send past its lease.
CONNECT_WAITS = 4
MESSAGE_WAITS = 4
PLANNED_MESSAGE_WAITS = 1
# Retrying a write after the database connection was lost: seconds between tries.
DATABASE_RETRY_DELAYS = (0.2, 0.5, 1, 2, 4)
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


def _sending_budget(batch_size: int) -> float:
    """Seconds a run may go on starting messages of a claimed batch."""
    return settings.EMAIL_TIMEOUT * (CONNECT_WAITS + PLANNED_MESSAGE_WAITS * batch_size)


def batch_lease(batch_size: int | None = None) -> datetime.timedelta:
    """How long a claim holds: the sending budget, the last message's worst case
    after it, and the retries of its "mark sent". A row claimed longer ago
    belongs to a run that died, and the next run may take it."""
    batch_size = batch_size or settings.EMAIL_BATCH_SIZE
    last_message = settings.EMAIL_TIMEOUT * MESSAGE_WAITS
    seconds = _sending_budget(batch_size) + last_message + sum(DATABASE_RETRY_DELAYS) + 10
    return datetime.timedelta(seconds=seconds)


def _due(now: datetime.datetime) -> Q:
    pending = Q(state=OutboundEmail.State.PENDING, next_attempt_at__lte=now)
    # The lease of the largest batch: a smaller batch's claim is never cut short.
    abandoned = Q(state=OutboundEmail.State.SENDING, claimed_at__lt=now - batch_lease())
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


def _surviving_a_lost_connection(write):
    """Run ``write`` (one UPDATE), and again on a fresh connection should the
    database connection be lost, a few times over some seconds. Inside a
    transaction a new connection cannot help: the error goes straight up."""
    for delay in (*DATABASE_RETRY_DELAYS, None):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if delay is None or connection.in_atomic_block:
                raise
            logger.warning("Database connection lost; retrying in %s s on a new one", delay, exc_info=True)
            try:
                connection.close()
            except DatabaseError:  # closing a dead connection may complain; it is closed all the same
                logger.debug("Closing the broken database connection failed", exc_info=True)
            sleep(delay)
    raise AssertionError("unreachable: the last try returns or raises")


def _mark_sent(row: OutboundEmail, now: datetime.datetime) -> None:
    # The server has the message: losing this write would send it again after
    # the lease, so it outlives a lost connection.
    _surviving_a_lost_connection(
        lambda: OutboundEmail.objects.filter(pk=row.pk).update(
            state=OutboundEmail.State.SENT, sent_at=now, attempts=row.attempts + 1, last_error=""
        )
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
    """Rows of a batch that were never tried go back untouched, due at once."""
    if rows:
        _surviving_a_lost_connection(
            lambda: OutboundEmail.objects.filter(
                pk__in=[row.pk for row in rows], state=OutboundEmail.State.SENDING
            ).update(state=OutboundEmail.State.PENDING, claimed_at=None)
        )


def email_deliver_pending(*, batch_size: int | None = None, now: datetime.datetime | None = None) -> DeliveryResult:
    """Send one batch of due emails over a single connection."""
    now = now or timezone.now()
    batch_size = batch_size or settings.EMAIL_BATCH_SIZE
    result = DeliveryResult()
    rows = outbox_claim(batch_size=batch_size, now=now)
    if not rows:
        return result
    # Measured from after the claim, so the lease (reckoned at EMAIL_BATCH_SIZE,
    # whatever this run's batch size) always covers it.
    last_start = monotonic() + _sending_budget(settings.EMAIL_BATCH_SIZE)
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except Exception as error:
        # Nothing went out: every row counts one failed attempt and waits.
        for row in rows:
            target = result.retrying if _mark_failed_attempt(row, error, now, permanent=False) else result.failed
            target.append(row.pk)
        return result
    untried = list(rows)
    try:
        while untried:
            if monotonic() > last_start:
                logger.warning("Email batch out of time; %s messages go back to the queue", len(untried))
                break
            row = untried.pop(0)
            try:
                smtp.send_messages([email_message_for(row, smtp)])
            except SoftTimeLimitExceeded:
                raise  # not this message's fault: the run must stop
            except Exception as error:
                permanent = _is_permanent(error)
                target = (
                    result.retrying if _mark_failed_attempt(row, error, now, permanent=permanent) else result.failed
                )
                target.append(row.pk)
                if _breaks_connection(error):
                    break
            else:
                _mark_sent(row, timezone.now())
                result.sent.append(row.pk)
    except BaseException:
        # The database gone, the soft time limit, a bug: the original error is
        # the one to report, whatever the clean-up meets.
        _end_batch(smtp, untried, result, quietly=True)
        raise
    _end_batch(smtp, untried, result)
    return result


def _end_batch(smtp, untried: list[OutboundEmail], result: DeliveryResult, *, quietly: bool = False) -> None:
    """Close the SMTP connection and put the rows never tried back in the queue,
    due at once, rather than leave them to the lease."""
    try:
        smtp.close()
    except Exception:  # closing a dead connection must not hide what was sent
        logger.debug("Closing the SMTP connection failed", exc_info=True)
    try:
        _release(untried)
        result.retrying.extend(row.pk for row in untried)
        if result.sent:
            Digest.objects.filter(email_id__in=result.sent, sent_at__isnull=True).update(sent_at=timezone.now())
    except DatabaseError:
        if not quietly:
            raise
        logger.exception("Could not put %s unsent emails back; they wait for the lease", len(untried))


def email_deliver_all(
    *, batch_size: int | None = None, now: datetime.datetime | None = None, claim_until: float | None = None
) -> DeliveryResult:
    """Deliver batches until nothing due is left (management command, sweep).
    With ``claim_until`` (a ``time.monotonic()``), no batch is claimed after it:
    the task passes its soft time limit less a lease, so a batch it claims ends
    before Celery stops it."""
    total = DeliveryResult()
    while claim_until is None or monotonic() < claim_until:
        result = email_deliver_pending(batch_size=batch_size, now=now)
        total.sent += result.sent
        total.retrying += result.retrying
        total.failed += result.failed
        if not result.sent and not result.failed and not result.retrying:
            return total
        if not result.sent and not result.failed:
            return total  # everything is waiting for a retry: stop hammering the server
    return total
