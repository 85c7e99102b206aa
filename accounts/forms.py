from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User
from accounts.time_zones import zone_name_for, zone_suggestions


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form; the user model's USERNAME_FIELD is the email."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


class TimeZoneField(forms.CharField):
    """A zone name typed into a text box that suggests the canonical names (a
    <datalist>, searchable as you type, and plain text without JavaScript),
    checked here: the browser does not hold people to the list."""

    widget = forms.TextInput(
        attrs={"list": "time-zone-names", "autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
    )

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        name = zone_name_for(text)
        if name is None:
            raise forms.ValidationError(
                "“%(value)s” is not a time zone. Type a city in the same zone, such as Europe/Zurich "
                "or America/New_York, and pick it from the list.",
                code="unknown_zone",
                params={"value": text},
            )
        return name


class SettingsForm(forms.ModelForm):
    timezone = TimeZoneField(
        label="Time zone",
        max_length=64,
        help_text="Pages, digests and the calendar show times in this zone. Type a city to search.",
    )
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

    @property
    def zone_suggestions(self) -> tuple[tuple[str, str], ...]:
        """The (name, label) suggestions of the time-zone box, for its <datalist>."""
        return zone_suggestions()
