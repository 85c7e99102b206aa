from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice


@cache
def _users_with_authenticator():
    """Built once per process: ``get`` only clones it, and building the
    annotation and its subquery cost as much as running the query, on every
    signed-in request."""
    first_confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk").values("pk")
    return get_user_model()._default_manager.annotate(authenticator_id=Subquery(first_confirmed[:1]))


class UserBackend(ModelBackend):
    """Django's ModelBackend, loading the signed-in user of every request with
    the id of their first confirmed authenticator (``authenticator_id``, None
    without one): the two-factor middlewares need it on every page, and read
    it from the user instead of querying for it."""

    def get_user(self, user_id):
        try:
            user = _users_with_authenticator().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
