"""Every email the app sends, built by one helper from three templates named by
convention: ``emails/<name>-subject.txt``, ``-body.txt`` and ``-body.html``.

Nothing here talks to an SMTP server: ``email_queue`` writes an
``OutboundEmail`` row in the caller's transaction and ``campaign.mail.outbox``
delivers it later; ``campaign.tasks.delivery_enqueue_on_commit`` wakes a worker
for it. Each kind of email is then a two-line function.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.services import UNSUBSCRIBE_KINDS, unsubscribe_token
from campaign.models import OutboundEmail

SETTINGS_PATH = "/accounts/settings/"


def absolute_url(path: str) -> str:
    """Links in emails must work outside the app, so they start with SITE_URL."""
    return f"{settings.SITE_URL}{path}"


def unsubscribe_headers(user, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe for the kinds a user can turn off (digests,
    status-change emails): mail clients POST to the signed link. Deadline
    reminders come with owning an ask, so theirs leads to the settings page and
    claims no one-click."""
    if kind not in UNSUBSCRIBE_KINDS:
        return {"List-Unsubscribe": f"<{absolute_url(SETTINGS_PATH)}>"}
    path = reverse("unsubscribe", args=[unsubscribe_token(user=user, kind=kind)])
    return {"List-Unsubscribe": f"<{absolute_url(path)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _render_plain(template_name: str, context: dict) -> str:
    """Subjects and text parts are not HTML: rendered without autoescaping, so
    a title holding ' & < " reads as typed, not as ``&#x27;``."""
    template = get_template(template_name).template  # the engine's own Template
    return template.render(Context(context, autoescape=False))


def email_render(name: str, *, user, context: dict) -> RenderedEmail:
    """Render ``emails/<name>-subject.txt``, ``-body.txt`` (plain text) and
    ``-body.html`` (escaped) for ``user``, with times in the user's time zone."""
    context = {"site_url": settings.SITE_URL, "settings_url": absolute_url(SETTINGS_PATH), "user": user, **context}
    with timezone.override(user.zone):
        subject = " ".join(_render_plain(f"emails/{name}-subject.txt", context).split())
        text = _render_plain(f"emails/{name}-body.txt", context).strip() + "\n"
        html = render_to_string(f"emails/{name}-body.html", context)
    return RenderedEmail(subject=subject[:300], text=text, html=html)


def email_build(
    name: str,
    *,
    user,
    dedupe_key: str,
    context: dict | None = None,
    rendered: RenderedEmail | None = None,
    unsubscribe: bool = False,
    kind: str | None = None,
) -> OutboundEmail:
    """The one place an outbox row is made: render one email to ``user`` (or
    take one already rendered, as a digest is for its archive copy) as an
    unsaved row, for jobs that write a batch of them with ``bulk_create``."""
    if (context is None) == (rendered is None):
        raise TypeError("email_build needs either a context to render or a rendered email.")
    rendered = rendered or email_render(name, user=user, context=context)
    return OutboundEmail(
        dedupe_key=dedupe_key[:200],
        kind=kind or name,
        user=user,
        to=user.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=unsubscribe_headers(user, kind or name) if unsubscribe else {},
    )


def email_queue(
    name: str, *, user, dedupe_key: str, context: dict, unsubscribe: bool = False, kind: str | None = None
) -> OutboundEmail:
    """Render and queue one email to ``user``. Call it inside the transaction
    that records the decision to send; a duplicate ``dedupe_key`` raises
    IntegrityError so that transaction rolls back instead of sending twice."""
    email = email_build(name, user=user, dedupe_key=dedupe_key, context=context, unsubscribe=unsubscribe, kind=kind)
    email.save(force_insert=True)
    return email


# --- The kinds of email ------------------------------------------------------


def reminder_email_build(*, reminder, context: dict) -> OutboundEmail:
    """Unsaved: reminders are written in batches, each with its email."""
    key = f"reminder:{reminder.ask_id}:{reminder.recipient_id}:{reminder.kind}:{reminder.deadline.isoformat()}"
    return email_build("reminder", user=reminder.recipient, dedupe_key=key, context=context, unsubscribe=True)


def digest_email_build(*, user, dedupe_key: str, rendered: RenderedEmail) -> OutboundEmail:
    """Unsaved: digests are written in bulk per batch of users, with their Digest
    rows, which keep the same rendered text for /digests/."""
    return email_build("digest", user=user, dedupe_key=dedupe_key, rendered=rendered, unsubscribe=True)


def status_change_email_queue(*, update, recipient, context: dict) -> OutboundEmail:
    key = f"status:{update.pk}:{recipient.pk}"
    return email_queue("status-change", user=recipient, dedupe_key=key, context=context, unsubscribe=True)
