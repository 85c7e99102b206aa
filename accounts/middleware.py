import time

from django.conf import settings

# Refresh the session's expiry at most this often, so an active user stays
# signed in without a session write on every request.
REFRESH_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    """Sessions expire after SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get("seen_at", 0) >= REFRESH_EVERY_SECONDS:
                request.session["seen_at"] = now
                request.session.set_expiry(settings.SESSION_COOKIE_AGE)
        return self.get_response(request)
