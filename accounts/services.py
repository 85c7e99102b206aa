"""Account writes that carry security rules."""

from django.core import signing

from accounts.models import User, new_session_epoch


def user_logout_everywhere(*, user: User) -> None:
    """Invalidate every session of ``user``: the epoch is part of the session
    auth hash, so each stored session stops matching. The caller re-signs the
    current session with ``update_session_auth_hash``."""
    user.session_epoch = new_session_epoch()
    user.save(update_fields=["session_epoch"])


# --- One-click unsubscribe (RFC 8058) -----------------------------------------

UNSUBSCRIBE_SALT = "accounts.unsubscribe"
# What each kind of email's unsubscribe link turns off.
UNSUBSCRIBE_KINDS = {
    "digest": ("digest_frequency", User.DigestFrequency.OFF, "email digests"),
    "status-change": ("notify_status_changes", False, "emails about status changes"),
}


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed, unguessable token naming the user and the kind of email. It does
    not expire: an old email's unsubscribe link must keep working."""
    if kind not in UNSUBSCRIBE_KINDS:
        raise ValueError(f"No unsubscribe for {kind!r} emails.")
    return signing.dumps({"user": user.pk, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The user and kind a token names; None for a forged, damaged or stale one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["user"], is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        return None
    return (user, data["kind"]) if data["kind"] in UNSUBSCRIBE_KINDS else None


def user_unsubscribe(*, user: User, kind: str) -> str:
    """Turn off one kind of email; returns what was turned off, for the message."""
    field, value, label = UNSUBSCRIBE_KINDS[kind]
    setattr(user, field, value)
    user.save(update_fields=[field])
    return label
