"""The writes that make things public or private again (issue 20).

Publishing is opt-in at every level: a campaign, each of its asks and each
update. Only a campaign's leads (and superusers) publish. Every function here
bumps the campaign's ``public_version`` in the same transaction, which is what
the public pages' cache keys and ETags carry: a change is on them at once, and
an unpublished campaign or ask is gone from them at once.

The reads live in ``campaign.public``; nothing else reads for the public."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaign.models import Ask, AskStatus, Campaign, Person, Update
from campaign.people import people_named_in
from campaign.services import _require_campaign_lead, public_changed

# What a lead reads before each publication: feed readers and aggregators keep
# what they fetched, so unpublishing hides a thing here but cannot recall it.
PERMANENCE_NOTE = (
    "Publishing is permanent for anyone who has already read it: feed readers, search engines and "
    "archives keep what they fetched. Unpublishing removes it from this site at once, not from their copies."
)

# The public statuses a lead can publish; a draft was never made, so it has none.
PUBLIC_STATUS_CHOICES = [(value, label) for value, label in AskStatus.choices if value != AskStatus.DRAFT]

# URL-safe, unambiguous (no 0/O, 1/l/I): 8 of 31 characters is about 8.5e11 ids.
PUBLIC_ID_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"
PUBLIC_ID_LENGTH = 8


def new_public_id() -> str:
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def check_public_text(*, campaign, text: str) -> None:
    """The one place a text meant for the public is checked before it is saved.
    Stricter than the staff pages' name guard: no one may be named in public
    unless they agreed to be, whatever their risk, and no lead can override it."""
    if not text.strip():
        raise ValidationError("Write the text the public will read.")
    unwilling = Person.objects.filter(campaign=campaign).exclude(consent=Person.Consent.PUBLIC)
    named = people_named_in(text, list(unwilling))
    if named:
        pseudonyms = ", ".join(sorted(person.pseudonym for person in named))
        raise ValidationError(
            f"This text names {pseudonyms}, who has not agreed to be named in public. "
            "Leave them out of what the public reads."
        )


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def campaign_publish(*, campaign, actor, public_title: str, public_summary: str, allow_indexing: bool) -> Campaign:
    """Publish (or republish, or re-word) the campaign's public page."""
    _require_campaign_lead(campaign=campaign, actor=actor)
    public_title = _required(public_title, "public_title", "Give the campaign a public title.")
    check_public_text(campaign=campaign, text=f"{public_title}\n{public_summary or '.'}")
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    current.public_title, current.public_summary = public_title, (public_summary or "").strip()
    current.allow_indexing = allow_indexing
    if not current.published:
        current.published, current.published_at = True, timezone.now()
    current._history_user = actor
    # Not updated_at: a lead's open edit form of the details stays valid.
    current.save(update_fields=["published", "published_at", "public_title", "public_summary", "allow_indexing"])
    public_changed(campaign_id=current.pk)
    _copy(current, campaign, "published", "published_at", "public_title", "public_summary", "allow_indexing")
    return current


@transaction.atomic
def campaign_unpublish(*, campaign, actor) -> Campaign:
    """Take the campaign's public pages, feed, widget and sitemap entries down at once."""
    _require_campaign_lead(campaign=campaign, actor=actor)
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    current.published = False
    current._history_user = actor
    current.save(update_fields=["published"])
    public_changed(campaign_id=current.pk)
    campaign.published = False
    return current


def _copy(source, target, *names) -> None:
    for name in names:
        setattr(target, name, getattr(source, name))


@transaction.atomic
def ask_publish(
    *,
    ask: Ask,
    actor,
    public_wording: str,
    public_source_title: str = "",
    public_source_url: str = "",
    public_source_date=None,
    public_weight: int = 1,
) -> Ask:
    """Publish an ask (its campaign's page shows it once the campaign is
    published too). The first publication gives it its random public id."""
    _require_campaign_lead(campaign=ask.campaign, actor=actor)
    public_wording = _required(public_wording, "public_wording", "Give the wording the public will read.")
    check_public_text(campaign=ask.campaign, text=public_wording)
    if public_weight is None or public_weight < 1:
        raise ValidationError({"public_weight": "The weight is a whole number, 1 or more."})
    current = Ask.all_objects.select_for_update().get(pk=ask.pk)
    if current.status == AskStatus.DRAFT:
        raise ValidationError("A draft has not been made yet; record it as open before publishing it.")
    current.public_wording = public_wording
    current.public_source_title = (public_source_title or "").strip()
    current.public_source_url = (public_source_url or "").strip()
    current.public_source_date = public_source_date
    current.public_weight = public_weight
    if not current.published:
        current.published, current.published_at = True, timezone.now()
    fields = [
        "published",
        "published_at",
        "public_wording",
        "public_source_title",
        "public_source_url",
        "public_source_date",
        "public_weight",
    ]
    if current.public_id is None:
        current.public_id = _unique_public_id()
        fields.append("public_id")
    current._history_user = actor
    current.save(update_fields=fields)
    public_changed(campaign_id=current.campaign_id)
    _copy(current, ask, *fields, "public_id")
    return current


def _unique_public_id() -> str:
    for _ in range(10):
        candidate = new_public_id()
        if not Ask.all_objects.filter(public_id=candidate).exists():
            return candidate
    raise IntegrityError("Could not draw an unused public id.")  # about 1e-110 likely


@transaction.atomic
def ask_unpublish(*, ask: Ask, actor) -> Ask:
    """Hide the ask's public page and take it off the campaign's; its public id stays reserved."""
    _require_campaign_lead(campaign=ask.campaign, actor=actor)
    current = Ask.all_objects.select_for_update().get(pk=ask.pk)
    current.published = False
    current._history_user = actor
    current.save(update_fields=["published"])
    public_changed(campaign_id=current.campaign_id)
    ask.published = False
    return current


@transaction.atomic
def update_publish(*, ask: Ask, actor, public_status: str, public_note: str) -> Update:
    """Publish an update on the ask's timeline: the public note and the status
    it gives the ask in public. The ask's internal status is not changed, and
    an internal status change shows nowhere publicly until one is published."""
    _require_campaign_lead(campaign=ask.campaign, actor=actor)
    if public_status not in dict(PUBLIC_STATUS_CHOICES):
        raise ValidationError({"public_status": "Choose the status the public will see."})
    public_note = _required(public_note, "public_note", "Write the note the public will read.")
    check_public_text(campaign=ask.campaign, text=public_note)
    now = timezone.now()
    label = dict(PUBLIC_STATUS_CHOICES)[public_status]
    update = Update.objects.create(
        ask=ask,
        campaign_id=ask.campaign_id,
        author=actor,
        created_at=now,
        note=f"Published for the public (public status: {label}): {public_note}",
        published=True,
        published_at=now,
        public_note=public_note,
        public_status=public_status,
    )
    Ask.all_objects.filter(pk=ask.pk).update(last_activity_at=now)
    public_changed(campaign_id=ask.campaign_id)
    return update


@transaction.atomic
def update_unpublish(*, update: Update, actor) -> Update:
    """Withdraw a published update from the public pages and the feed (feed
    readers keep their copy). The ask's public status falls back to the
    latest update still published."""
    _require_campaign_lead(campaign=update.ask.campaign, actor=actor)
    Update.objects.filter(pk=update.pk).update(published=False)
    update.published = False
    public_changed(campaign_id=update.campaign_id)
    return update
