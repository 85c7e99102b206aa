"""Suggestions from the public (issue 20): anyone may suggest an update or
evidence for a public ask; the campaign's leads accept or reject each one.

The public form is anonymous and cookie-less, so it cannot use Django's CSRF
cookie. What protects it instead, and why that is enough:

- CSRF defends a signed-in browser from being made to act with its own
  credentials. The suggestion form has no credentials to abuse: no session, no
  login, and what it does (queue a suggestion for moderation) anyone may do
  directly. It changes nothing public: a lead reads every suggestion, and
  accepting one makes an internal record; publishing stays a separate act.
- A signed, time-limited token (``form_token``) bound to the ask's public id
  is embedded in the form, so a post must come from a form this site served
  for that ask within ``TOKEN_MAX_AGE``: scripts cannot post to any ask blindly
  or replay a form forever. It needs no cookie or session: the signature is
  checked with SECRET_KEY alone.
- A honeypot field (``HONEYPOT_FIELD``) that people never see drops naive bots
  silently, and ``rate_limit_hit`` allows ``RATE_LIMIT`` suggestions an hour
  per IP address, counted in Django's cache under a salted hash of the
  address. No address is stored anywhere, hashed or not.

Text from the public goes through the name guard like every other saved text.
It cannot be refused with a message, though: the message would tell anyone
which names the campaign tracks as at risk. A name is replaced by the person's
pseudonym instead, and the submitter sees the same thanks either way.
"""

import datetime

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator

from campaign import services
from campaign.models import Evidence, Person, Suggestion
from campaign.people import names_replaced, people_named_in

SIGNING_NAMESPACE = "campaign.suggestions.form"
# Long enough to write a careful suggestion; a form older than this is refused
# with the text kept, and sent again with a fresh token.
TOKEN_MAX_AGE = datetime.timedelta(hours=6)
HONEYPOT_FIELD = "website"
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 3600
WITHHELD_NOTE = "(A link or email sent with this suggestion named a person at risk and was not kept.)"
WITHHELD_TEXT = "(The text of this suggestion named a person at risk and was not kept.)"


class TokenError(Exception):
    """The form's token is missing, tampered with, for another ask, or too old."""


# --- The public form's protection ------------------------------------------------


def form_token(public_id: str) -> str:
    return signing.dumps({"ask": public_id}, salt=SIGNING_NAMESPACE, compress=False)


def token_check(token: str, public_id: str) -> None:
    try:
        payload = signing.loads(token or "", salt=SIGNING_NAMESPACE, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise TokenError(str(error)) from error
    if not isinstance(payload, dict) or payload.get("ask") != public_id:
        raise TokenError("The token is for another ask.")


def _rate_key(ip_address: str) -> str:
    # Salted with SECRET_KEY: the cache holds no address, and no table of hashes
    # of every IPv4 address would undo it.
    return "suggest-rate:" + salted_hmac("campaign.suggestions.ip", ip_address or "unknown").hexdigest()


def rate_limit_hit(ip_address: str) -> bool:
    """Whether this address already sent ``RATE_LIMIT`` suggestions within the
    hour since its first; does not count anything itself."""
    return (cache.get(_rate_key(ip_address)) or 0) >= RATE_LIMIT


def rate_limit_count(ip_address: str) -> None:
    key = _rate_key(ip_address)
    cache.add(key, 0, RATE_WINDOW_SECONDS)  # the hour starts at the first suggestion
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)


# --- Submitting ------------------------------------------------------------------


def _guarded(campaign_id: int, text: str, url: str, email: str) -> tuple[str, str, str]:
    """The suggestion with the names of the campaign's people at risk replaced
    by their pseudonyms; a link or email that names one is dropped."""
    people = list(Person.objects.filter(campaign_id=campaign_id).at_risk())
    if not people:
        return text, url, email
    text = names_replaced(text, people)
    if people_named_in(text, people):  # a spelling the replacement could not find
        text = WITHHELD_TEXT
    if people_named_in(f"{url}\n{email}", people):
        url, email, text = "", "", f"{text}\n\n{WITHHELD_NOTE}"
    return text, url, email


@transaction.atomic
def suggestion_submit(
    *, campaign_id: int, ask_id: int, text: str, url: str = "", date=None, email: str = ""
) -> Suggestion:
    """Queue a suggestion from the public for the campaign's leads."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Say what happened."})
    text, url, email = _guarded(campaign_id, text, (url or "").strip(), (email or "").strip())
    # The guard itself, as for every saved text: after the replacement above it passes.
    services.name_guard_check(campaign_id=campaign_id, texts={"text": text, "url": url, "email": email}, author=None)
    return Suggestion.objects.create(campaign_id=campaign_id, ask_id=ask_id, text=text, url=url, date=date, email=email)


# --- Moderation, by the campaign's leads --------------------------------------------


def pending_suggestions(campaign) -> list[Suggestion]:
    """The campaign's queue, oldest first."""
    return list(
        Suggestion.objects.filter(campaign=campaign, status=Suggestion.Status.PENDING)
        .select_related("ask")
        .order_by("created_at", "pk")
    )


def _claim(suggestion: Suggestion, actor) -> Suggestion:
    services._require_campaign_lead(campaign=suggestion.campaign, actor=actor)
    current = Suggestion.objects.select_for_update().select_related("ask", "campaign").get(pk=suggestion.pk)
    if current.status != Suggestion.Status.PENDING:
        raise ValidationError(f"This suggestion was already {current.get_status_display().lower()}.")
    return current


def _decided(suggestion: Suggestion, status: str, actor) -> Suggestion:
    suggestion.status, suggestion.decided_by, suggestion.decided_at = status, actor, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _received(suggestion: Suggestion) -> str:
    return _day(timezone.localtime(suggestion.created_at).date())


def _note_text(suggestion: Suggestion) -> str:
    lines = [f"Suggested by the public on {_received(suggestion)}: {suggestion.text}"]
    if suggestion.date:
        lines.append(f"When: {_day(suggestion.date)}")
    if suggestion.url:
        lines.append(f"Link: {suggestion.url}")
    return "\n".join(lines)


@transaction.atomic
def suggestion_accept_as_update(*, suggestion: Suggestion, actor) -> Suggestion:
    """Accept the suggestion as an internal update on the ask's timeline."""
    current = _claim(suggestion, actor)
    services.ask_add_note(ask=current.ask, author=actor, note=_note_text(current))
    return _decided(current, Suggestion.Status.ACCEPTED, actor)


@transaction.atomic
def suggestion_accept_as_evidence(*, suggestion: Suggestion, actor) -> Suggestion:
    """Accept the suggestion as an internal evidence item linked to the ask
    (evidence_add says so on the timeline). It needs the suggestion's link."""
    current = _claim(suggestion, actor)
    if not current.url:
        raise ValidationError("This suggestion has no link, so it cannot be evidence; accept it as an update.")
    services.evidence_add(
        campaign=current.campaign,
        added_by=actor,
        asks=[current.ask],
        kind=Evidence.Kind.OTHER,
        title=Truncator(current.text.splitlines()[0]).chars(120),
        url=current.url,
        published_on=current.date,
        summary=_note_text(current),
        sensitivity=Evidence.Sensitivity.INTERNAL,
    )
    return _decided(current, Suggestion.Status.ACCEPTED, actor)


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, actor) -> Suggestion:
    """Reject the suggestion; the ask's timeline says one was, not what it said."""
    current = _claim(suggestion, actor)
    note = f"A suggestion from the public, received on {_received(current)}, was rejected."
    services.ask_add_note(ask=current.ask, author=actor, note=note)
    return _decided(current, Suggestion.Status.REJECTED, actor)


def suggestions_pending_count(campaign) -> int:
    return Suggestion.objects.filter(campaign=campaign, status=Suggestion.Status.PENDING).count()
