from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice


class UserBackend(ModelBackend):
    """Django's ModelBackend, loading the signed-in user of every request with
    whether they have a confirmed authenticator (``has_authenticator``), which
    the two-factor middleware needs on every page: one query, not two."""

    def get_user(self, user_id):
        user_model = get_user_model()
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        try:
            user = user_model._default_manager.annotate(has_authenticator=Exists(confirmed)).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
