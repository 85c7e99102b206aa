"""Middleware of the public pages (issue 20)."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase

# The paths of campaign.views.public; nothing else lives under them.
PUBLIC_PATH_PREFIXES = ("/p/", "/sitemap.xml")


class NoSession(SessionBase):
    """An empty session that cannot be saved: a public view that wrote to it
    would fail loudly instead of setting a cookie."""

    def save(self, must_create=False):
        raise RuntimeError("The public pages keep no session.")

    def is_empty(self):
        # SessionMiddleware deletes the cookie of a request whose session is
        # empty: a signed-in lead reading a public page would be logged out.
        return False


class PublicPagesMiddleware:
    """The public pages are the same for everyone, so they are cacheable: they
    read no session and no user. Placed after AuthenticationMiddleware, this
    swaps both for empty ones before anything reads them, so a signed-in staff
    member gets the anonymous page too, with no Set-Cookie, no ``Vary: Cookie``
    and no ``private`` from accounts.middleware.PrivateResponseMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(PUBLIC_PATH_PREFIXES):
            request.session = NoSession()
            request.user = AnonymousUser()

            async def auser():
                return request.user

            request.auser = auser
        return self.get_response(request)
