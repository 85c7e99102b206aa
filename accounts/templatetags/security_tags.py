import datetime

from django import template
from django.conf import settings

from accounts.two_factor import recovery_codes_left, totp_device_confirmed, two_factor_required

register = template.Library()


@register.simple_tag
def two_factor_status(user) -> dict:
    """What the settings page's security section shows about ``user``."""
    enabled = totp_device_confirmed(user) is not None
    return {
        "enabled": enabled,
        "required": two_factor_required(user),
        "recovery_codes_left": recovery_codes_left(user) if enabled else 0,
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
    }


@register.filter
def whole_minutes(duration) -> int:
    """A cool-off period as whole minutes, rounded up: "wait 30 minutes"."""
    if not isinstance(duration, datetime.timedelta):
        return 0
    return max(1, -(-int(duration.total_seconds()) // 60))
