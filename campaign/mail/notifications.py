"""A short email to an ask's owner and its campaign's leads when its status
changes, except to the person who changed it and to those who turned these
emails off. Queued in the transaction that writes the status change; the
caller wakes a worker to deliver them (``campaign.tasks``)."""

from campaign.mail.emails import absolute_url, status_change_email_queue
from campaign.models import AskStatus, Membership, Role, Update
from campaign.people import Surface, person_display_name


def status_change_recipients(*, update: Update) -> list:
    ask = update.ask
    leads = [
        membership.user
        for membership in Membership.objects.filter(campaign_id=ask.campaign_id, role=Role.LEAD).select_related("user")
    ]
    people = {user.pk: user for user in ([ask.owner] if ask.owner else []) + leads}
    return [
        user
        for user in people.values()
        if user.is_active and user.notify_status_changes and user.email and user.pk != update.author_id
    ]


def status_change_notify(*, update: Update) -> int:
    """Queue the emails for one status change; returns how many were queued.
    Must run inside the transaction that wrote ``update``."""
    recipients = status_change_recipients(update=update)
    context = {
        "update": update,
        "ask": update.ask,
        "campaign": update.ask.campaign,
        "author": update.author or "Someone",
        "old_status_label": AskStatus(update.old_status).label if update.old_status else "—",
        "new_status_label": AskStatus(update.new_status).label,
        "ask_url": absolute_url(update.ask.get_absolute_url()),
        # Emails leave the tracker for mail servers and phones: pseudonyms only.
        "people": [
            person_display_name(person, role=None, surface=Surface.EMAIL)
            for person in update.ask.people.order_by("pseudonym")
        ],
    }
    for recipient in recipients:
        status_change_email_queue(update=update, recipient=recipient, context=context)
    return len(recipients)
