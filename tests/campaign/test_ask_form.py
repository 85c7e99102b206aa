"""The ask form as a lead, an editor and a viewer use it: owners from the
campaign only, drafts, a new target named by a lead, and evidence on the timeline."""

from django.urls import reverse

from campaign import services
from campaign.models import Ask, AskStatus, Evidence, Target
from tests.campaign.test_views_asks import ask_form_data
from tests.factories import EvidenceFactory, MembershipFactory


def test_owner_picker_lists_only_the_asks_campaign_members(client, editor, lead, ask, outsider, other_campaign):
    MembershipFactory(campaign=other_campaign, user=editor, role="editor")  # the editor edits two campaigns
    client.force_login(editor)
    html = client.get(reverse("ask_edit", args=[ask.pk])).content.decode()
    owner_select = html.split('name="owner"')[1].split("</select>")[0]
    assert str(lead) in owner_select
    assert str(outsider) not in owner_select


def test_new_ask_form_groups_owners_by_campaign_until_one_is_chosen(
    client, editor, lead, outsider, other_campaign, campaign
):
    MembershipFactory(campaign=other_campaign, user=editor, role="editor")
    client.force_login(editor)
    html = client.get(reverse("ask_create")).content.decode()
    assert f'<optgroup label="{campaign.title}">' in html
    chosen = client.get(reverse("ask_create") + f"?campaign={campaign.slug}").content.decode()
    owner_select = chosen.split('name="owner"')[1].split("</select>")[0]
    assert str(outsider) not in owner_select and "<optgroup" not in owner_select


def test_an_ask_can_be_saved_as_a_draft_from_the_form(client, editor, ask):
    client.force_login(editor)
    data = ask_form_data(ask, title="Not yet sent", as_draft="on")
    response = client.post(reverse("ask_create"), data, follow=True)
    assert "Ask “Not yet sent” recorded as a draft." in response.content.decode()
    assert Ask.objects.get(title="Not yet sent").status == AskStatus.DRAFT


def test_a_lead_adds_a_new_target_from_the_ask_form(client, lead, ask):
    client.force_login(lead)
    data = ask_form_data(ask, title="To the rapporteur", target="", new_target_name="Special Rapporteur on HRDs")
    data["new_target_kind"] = Target.Kind.UN_MECHANISM
    response = client.post(reverse("ask_create"), data)
    assert response.status_code == 302
    created = Ask.objects.get(title="To the rapporteur")
    assert (created.target.name, created.target.kind) == ("Special Rapporteur on HRDs", "un_mechanism")


def test_an_editor_is_not_offered_a_new_target_and_a_duplicate_name_is_refused(client, editor, lead, ask, target):
    client.force_login(editor)
    assert "new_target_name" not in client.get(reverse("ask_create")).content.decode()
    client.force_login(lead)
    data = ask_form_data(ask, title="Dup", target="", new_target_name=target.name.upper(), new_target_kind="other")
    response = client.post(reverse("ask_create"), data)
    assert response.status_code == 200
    assert "exists already: choose it from the list" in response.content.decode()
    assert not Ask.objects.filter(title="Dup").exists()


def test_adding_and_removing_evidence_shows_on_the_asks_timeline(client, editor, viewer, ask, campaign):
    public = services.evidence_add(
        campaign=campaign, added_by=editor, asks=[ask], title="OHCHR assessment", kind="un_document", reference="A/1"
    )
    secret = services.evidence_add(
        campaign=campaign,
        added_by=editor,
        asks=[ask],
        title="Name of the source",
        kind="meeting_note",
        reference="M-1",
        sensitivity=Evidence.Sensitivity.CONFIDENTIAL,
    )
    services.evidence_soft_delete(evidence=public, actor=editor)
    client.force_login(viewer)
    timeline = client.get(ask.get_absolute_url()).content.decode().split('id="timeline-heading"')[1]
    assert "Evidence added: “OHCHR assessment”." in timeline
    assert "Evidence removed: “OHCHR assessment”." in timeline
    assert "Confidential evidence added" in timeline
    assert secret.title not in timeline  # never named where viewers read


def test_evidence_linked_and_unlinked_in_an_edit_shows_on_both_asks(editor, ask, campaign, target):
    other = Ask.objects.create(campaign=campaign, target=target, title="Second", wording="W")
    item = EvidenceFactory(campaign=campaign, asks=[ask], added_by=editor)
    services.evidence_update(evidence=item, actor=editor, asks=[other])
    assert ask.updates.filter(note__contains="no longer linked").exists()
    assert other.updates.filter(note__contains="linked to this ask").exists()
