"""The public's suggestion form (issue 20). The public template writes its
markup by hand (templates/public/suggest.html): this form only reads and
checks what was sent."""

from django import forms

from campaign.suggestions import HONEYPOT_FIELD

TEXT_MAX_LENGTH = 4000


class SuggestionForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Say what happened.", "max_length": "Keep it under 4,000 characters."},
    )
    url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Give a web address, such as https://www.ohchr.org/…"},
    )
    date = forms.DateField(required=False, error_messages={"invalid": "Give the date as YYYY-MM-DD."})
    email = forms.EmailField(required=False, error_messages={"invalid": "Give an email address, or leave it empty."})

    # The fields the page shows again when a post is refused.
    SHOWN = ("text", "url", "date", "email")

    def values(self) -> dict[str, str]:
        """What the submitter typed, to put back in the form."""
        return {name: str(self.data.get(name, ""))[: TEXT_MAX_LENGTH + 100] for name in self.SHOWN}

    def error_texts(self) -> dict[str, str]:
        return {name: " ".join(errors) for name, errors in self.errors.items()}


def is_bot(data) -> bool:
    """The honeypot: a field hidden from people that only bots fill in."""
    return bool(str(data.get(HONEYPOT_FIELD, "")).strip())
