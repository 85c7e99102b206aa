"""A real worker killed with SIGKILL in the middle of a delivery batch: nothing is
lost, the rows it had claimed go out once their lease has run out (at the first
sweep after it), and the only message that can go twice is the one in flight,
with the same Message-ID.

The broker would hand the killed task to another worker only after its
visibility timeout (an hour on Redis), so the test does what beat's every-minute
sweep does: it runs ``email_deliver_all``, with the clock of a moment just before
and just after the lease ends."""

import datetime
import signal
import time

import pytest

from campaign.mail.emails import RenderedEmail, email_build
from campaign.mail.outbox import batch_lease, email_deliver_all, email_message_for
from campaign.models import OutboundEmail
from campaign.tasks import deliver_email
from tests.factories import UserFactory
from tests.integration.test_worker import running_worker
from tests.smtp import running_smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BATCH_SIZE = 5
EMAIL_TIMEOUT = 2  # seconds: the lease is under a minute


@pytest.fixture
def smtp_server(settings):
    yield from running_smtp_server(settings)


def queue(count: int) -> list[OutboundEmail]:
    rows = []
    for index in range(count):
        user = UserFactory(email=f"member{index}@example.org")
        rendered = RenderedEmail(subject=f"Message {index}", text=f"Text {index}", html=f"<p>{index}</p>")
        row = email_build("reminder", user=user, dedupe_key=f"kill:{index}", rendered=rendered, unsubscribe=True)
        row.save(force_insert=True)
        rows.append(row)
    return rows


def wait_until(condition, timeout: float, what: str, log) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen:\n{log.read_text()}"
        time.sleep(0.05)


def test_a_worker_killed_mid_batch_loses_nothing_and_its_claims_go_out_after_the_lease(smtp_server, settings):
    settings.EMAIL_TIMEOUT, settings.EMAIL_BATCH_SIZE = EMAIL_TIMEOUT, BATCH_SIZE
    rows = queue(8)
    message_ids = {row.pk: email_message_for(row, None).extra_headers["Message-ID"] for row in rows}
    smtp_server.delay = 1  # each message takes a second, well inside EMAIL_TIMEOUT

    with running_worker(smtp_server, EMAIL_TIMEOUT=str(EMAIL_TIMEOUT), EMAIL_BATCH_SIZE=str(BATCH_SIZE)) as (
        process,
        log,
    ):
        deliver_email.delay()
        # The third message is on the wire: the first two were accepted and marked.
        wait_until(lambda: smtp_server.data_started >= 3, 30, "the third message", log)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    time.sleep(1.5)  # the server finishes with the third message, client or not
    smtp_server.delay = 0

    state = {row.pk: OutboundEmail.objects.get(pk=row.pk) for row in rows}
    claimed = [pk for pk, row in state.items() if row.state == "sending"]
    assert [state[row.pk].state for row in rows[:2]] == ["sent", "sent"]
    assert claimed == [row.pk for row in rows[2:BATCH_SIZE]]  # the rest of the killed batch
    assert {state[row.pk].state for row in rows[BATCH_SIZE:]} == {"pending"}  # never claimed
    claimed_at = state[claimed[0]].claimed_at

    # A sweep before the lease ends sends what was never claimed, not the claims.
    just_before = email_deliver_all(now=claimed_at + batch_lease() - datetime.timedelta(seconds=1))
    assert sorted(just_before.sent) == [row.pk for row in rows[BATCH_SIZE:]]
    # The first sweep after it sends the claimed rows.
    just_after = email_deliver_all(now=claimed_at + batch_lease() + datetime.timedelta(seconds=1))
    assert sorted(just_after.sent) == claimed
    assert set(OutboundEmail.objects.values_list("state", flat=True)) == {"sent"}
    assert batch_lease() < datetime.timedelta(minutes=1)

    copies = smtp_server.copies()
    assert set(copies) == set(message_ids.values())  # every message arrived
    # The one in flight when the worker died may have been accepted by the server:
    # it alone can arrive twice, under the same Message-ID.
    assert {message_id for message_id, count in copies.items() if count > 1} <= {message_ids[rows[2].pk]}
    assert max(copies.values()) <= 2
