"""For tests of pages staff reach after login: RequireTwoFactorMiddleware sends
anyone who can open the admin (the ``superuser`` persona) to enrol or verify
until the session has passed the second factor. ``force_login_verified`` signs
in as if the code had been entered."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def force_login_verified(client, user):
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
