import functools
import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form; the user model's USERNAME_FIELD is the email."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """The IANA zones, read from disk once per process (a directory walk of
    ~5 ms that the settings page paid twice per request)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class SettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices)
    digest_hour = forms.TypedChoiceField(
        label="Digest hour",
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text="In your time zone.",
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "timezone",
            "digest_frequency",
            "digest_weekday",
            "digest_hour",
            "digest_when_quiet",
            "notify_status_changes",
        ]
        labels = {"full_name": "Name", "digest_weekday": "Weekday (weekly digests)"}
