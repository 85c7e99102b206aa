from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice


class UserBackend(ModelBackend):
    """Django's ModelBackend, loading the signed-in user of every request with
    the id of their first confirmed authenticator (``authenticator_id``, None
    without one): the two-factor middlewares need it on every page, and read
    it from the user instead of querying for it."""

    def get_user(self, user_id):
        user_model = get_user_model()
        first_confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk").values("pk")
        users = user_model._default_manager.annotate(authenticator_id=Subquery(first_confirmed[:1]))
        try:
            user = users.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
