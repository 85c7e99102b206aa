"""Account writes that carry security rules."""

from accounts.models import User, new_session_epoch


def user_logout_everywhere(*, user: User) -> None:
    """Invalidate every session of ``user``: the epoch is part of the session
    auth hash, so each stored session stops matching. The caller re-signs the
    current session with ``update_session_auth_hash``."""
    user.session_epoch = new_session_epoch()
    user.save(update_fields=["session_epoch"])
