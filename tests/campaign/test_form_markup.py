"""``form_field`` and ``form_fields`` build crispy-forms' Bootstrap 5 markup
in Python for speed: they must give what crispy gives, for every field of the
forms they could meet, or fall back to crispy."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django.test.client import RequestFactory
from django.test.html import parse_html

from accounts.forms import SettingsForm
from campaign.filters import AskFilter
from campaign.forms import AskForm, EvidenceEditForm, EvidenceForm, NoteForm, StatusChangeForm
from campaign.forms_leads import CampaignForm, MemberAddForm
from campaign.templatetags.campaign_tags import form_field, form_fields
from tests.factories import EvidenceFactory


def _forms(user, ask):
    request = RequestFactory().get("/asks/")
    request.user = user
    return [
        AskFilter(request=request).form,
        StatusChangeForm(ask=ask),
        NoteForm(),
        AskForm(user=user),
        EvidenceForm(),
        EvidenceEditForm(instance=EvidenceFactory(campaign=ask.campaign, asks=[ask])),
        CampaignForm(instance=ask.campaign),
        MemberAddForm(),
        SettingsForm(instance=user),
    ]


def test_every_field_of_every_form_is_drawn_as_crispy_draws_it(editor, ask):
    for form in _forms(editor, ask):
        for field in form:
            assert parse_html(form_field(field)) == parse_html(as_crispy_field(field)), (
                f"{type(form).__name__}.{field.name}"
            )


@pytest.mark.parametrize("bound", [False, True])
def test_a_whole_form_is_drawn_as_crispy_draws_it_errors_included(editor, ask, bound):
    data = {"new_status": "", "note": ""} if bound else None
    for form in [StatusChangeForm(data, ask=ask), NoteForm(data)]:
        assert parse_html(form_fields(form)) == parse_html(as_crispy_form(form))
        if bound:
            assert "is-invalid" in form_fields(form)
