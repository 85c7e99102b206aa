"""How long the tracker keeps personal data it does not need for its work."""

import datetime

from django.utils import timezone

from campaign.models import SUGGESTION_EMAIL_DAYS, Suggestion


def suggestion_emails_erase(*, now: datetime.datetime | None = None) -> int:
    """Erase the email of every suggestion from the public that came in
    SUGGESTION_EMAIL_DAYS ago or more: it was kept for a follow-up question
    only. Returns how many were erased; a second run erases none."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=SUGGESTION_EMAIL_DAYS)
    return Suggestion.objects.filter(created_at__lte=cutoff).exclude(email="").update(email="")
