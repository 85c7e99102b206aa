import time
from functools import cached_property, partial
from urllib.parse import urlencode

import django_otp.middleware
from django.conf import settings
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import has_authenticator, two_factor_required

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


class UserTimezoneMiddleware:
    """Pages show times in the signed-in user's own time zone: ``localtime``, the
    ``date`` filter and forms read the zone activated here. Anonymous requests
    keep TIME_ZONE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self.get_response(request)
        timezone.activate(request.user.zone)
        try:
            return self.get_response(request)
        finally:
            # The thread serves other users next.
            timezone.deactivate()


class PrivateResponseMiddleware:
    """Whatever a signed-in user is sent stays out of shared caches and out of
    the browser's cache and history: a page of confidential evidence must not
    come back after logout. Responses to a secret-token link carry no session,
    so their views set the same header themselves (the calendar feed, the
    unsubscribe page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before the view: logout makes the user anonymous on the way out.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware without a query on every page of a verified user.

    django-otp reads the session's device and accepts it if it exists, is
    confirmed and is the user's. When that device is the confirmed
    authenticator ``accounts.backends.UserBackend`` read with the user, those
    checks have just been made in the user's own query, so the device row is
    read only if something uses it. Any other case (another device of the
    user's, a device since removed, no device) goes through django-otp as is."""

    def _verify_user_sync(self, request, user):
        authenticator_id = getattr(user, "authenticator_id", None)
        session_device = request.session.get(DEVICE_ID_SESSION_KEY) if authenticator_id is not None else None
        if session_device is None or session_device != f"{TOTPDevice.model_label()}/{authenticator_id}":
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        user.otp_device = SimpleLazyObject(partial(TOTPDevice.objects.get, pk=authenticator_id, user_id=user.pk))
        return user


def _path_of(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


class RequireTwoFactorMiddleware:
    """A signed-in user who has not passed the second factor in this session can
    reach only the two-factor pages, logout and the machine endpoints.

    Who must verify: anyone with an authenticator app (else enrolling would
    protect nothing); who must enrol first: those ``two_factor_required`` names.
    Runs after django-otp's OTPMiddleware, which provides ``is_verified``."""

    # The calendar feed is fetched by calendar apps with its secret token, and
    # /healthz by monitoring: neither carries a session.
    EXEMPT_PREFIXES = ("/healthz", "/calendar/")
    # Only the pages that get a user through the second factor, and logout.
    EXEMPT_URL_NAMES = (
        "two_factor_enrol",
        "two_factor_verify",
        "two_factor_recovery_codes",
        "logout",
        "admin:logout",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request.path):
            if has_authenticator(user):
                return self._redirect("two_factor_verify", request)
            if two_factor_required(user):
                return self._redirect("two_factor_enrol", request)
        return self.get_response(request)

    def _exempt(self, path: str) -> bool:
        if path.startswith((*self.EXEMPT_PREFIXES, settings.STATIC_URL)):
            return True
        return path in self._exempt_paths

    @cached_property
    def _exempt_paths(self) -> frozenset:
        # Reversed once per process, on the first request, not on every request.
        return frozenset(_path_of(name) for name in self.EXEMPT_URL_NAMES)

    @staticmethod
    def _redirect(url_name: str, request):
        url = reverse(url_name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
