"""A service's refusal lands on the form the user filled in, whatever its shape."""

from django import forms
from django.core.exceptions import ValidationError

from campaign.views.guard import show_refusal


class NoteForm(forms.Form):
    note = forms.CharField()


def test_a_refusal_without_fields_is_shown_above_the_form(editor, ask):
    form = NoteForm({"note": "x"})
    form.is_valid()
    show_refusal(form, ValidationError("The ask was closed meanwhile."), user=editor, campaign_id=ask.campaign_id)
    assert form.non_field_errors() == ["The ask was closed meanwhile."]


def test_a_refusal_by_field_is_shown_beside_the_field_or_above_the_form(editor, ask):
    form = NoteForm({"note": "x"})
    form.is_valid()
    error = ValidationError({"note": "Too short.", "evidence": "Choose the evidence."})
    show_refusal(form, error, user=editor, campaign_id=ask.campaign_id)
    assert form.errors["note"] == ["Too short."]
    assert form.non_field_errors() == ["Choose the evidence."]
