"""Two-factor login: TOTP authenticator apps (django-otp) and one-time recovery
codes for when the phone is lost.

Who must use it is decided in ``two_factor_required``; the middleware and the
pages call these services, so the rules live here.
"""

import base64
import io
import math
import secrets

import segno
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode

RECOVERY_CODE_COUNT = 10
# No 0/O or 1/l/I: the codes are copied by hand from paper.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def two_factor_required(user) -> bool:
    """Everyone who can open Django admin; everyone else when REQUIRE_2FA is on."""
    return user.is_staff or user.is_superuser or settings.REQUIRE_2FA


def totp_device_confirmed(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_authenticator(user) -> bool:
    """Whether the user has a confirmed authenticator app. Read from the
    request's user when ``accounts.backends.UserBackend`` loaded it with its
    ``authenticator_id``, so the two-factor check on every page costs no query
    of its own."""
    if hasattr(user, "authenticator_id"):
        return user.authenticator_id is not None
    return totp_device_confirmed(user) is not None


def totp_device_create(*, user) -> TOTPDevice:
    """A fresh, unconfirmed device for enrolment. Earlier unfinished enrolments
    are discarded so only the secret on screen can be confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first use; reloading the
    enrolment page keeps the same secret so a half-scanned QR code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or totp_device_create(user=user)


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps accept it typed in, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as a PNG data: URI, drawn here: the secret never goes
    to a third-party QR service."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="png", scale=5, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def throttle_message(device: TOTPDevice) -> str:
    """Why ``device`` checks no code now, or "" if it does.

    After each wrong code django-otp refuses every code, the right one too, for
    1, 2, 4, 8… seconds; saying so beats a "does not match" for a correct code."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return ""
    locked_until = (details or {}).get("locked_until")
    if locked_until is None:
        return "Too many tries: wait a moment, then enter the newest code from your app."
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many tries: wait {seconds} {unit}, then enter the newest code from your app."


def totp_device_confirm(*, device: TOTPDevice, token: str) -> str:
    """Confirm enrolment with a code from the app. Returns "" when confirmed,
    else the error to show."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if throttled := throttle_message(device):
            return throttled
        if not device.verify_token(_normalise(token)):
            return "That code does not match. Check the time on your phone and enter the newest code."
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return ""


def two_factor_disable(*, user) -> None:
    """Remove the authenticator and the recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_generate(user) -> list[str]:
    """Replace the user's recovery codes. Returns the plain codes: the only time
    they exist in clear; the database keeps only their hashes."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=make_password(_normalise(code))) for code in codes
        )
    return codes


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(user, code: str) -> bool:
    """Spend one recovery code. A code works once: the conditional update means
    two requests racing with the same code cannot both succeed."""
    code = _normalise(code)
    if not code:
        return False
    for recovery in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if check_password(code, recovery.code_hash):
            claimed = RecoveryCode.objects.filter(pk=recovery.pk, used_at__isnull=True).update(used_at=timezone.now())
            return claimed == 1
    return False


def looks_like_totp(code: str) -> bool:
    code = _normalise(code)
    return code.isdigit() and len(code) in (6, 8)


def second_factor_check(*, user, code: str) -> tuple[TOTPDevice | None, str]:
    """Check a code typed on the verify page: an authenticator code or a recovery
    code. Returns the device to log in with (or None) and an error message.

    Failures of either kind count towards the device's throttle, so recovery
    codes cannot be guessed faster than TOTP codes."""
    device = totp_device_confirmed(user)
    if device is None:
        return None, "Your account has no authenticator app yet."
    if throttled := throttle_message(device):
        return None, throttled
    if looks_like_totp(code):
        with transaction.atomic():
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            # Read again under the lock: a wrong code in another tab may just have throttled it.
            if throttled := throttle_message(locked):
                return None, throttled
            if locked.verify_token(_normalise(code)):
                return locked, ""
        return None, "That code is wrong or was already used. Wait for the next code from your app."
    if recovery_code_use(user, code):
        return device, ""
    device.throttle_increment()
    return None, "That recovery code is wrong or was already used."
