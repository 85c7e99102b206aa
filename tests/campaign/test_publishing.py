"""Publishing and unpublishing from the leads' pages and the services (issue 20)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaign import publishing
from campaign.models import AskStatus, Campaign, Update
from tests.two_factor import force_login_verified

PUBLISH_CAMPAIGN = {"public_title": "Public title", "public_summary": "For everyone.", "confirm": "on"}


def test_everything_starts_unpublished(campaign, ask):
    assert not campaign.published and not campaign.allow_indexing
    assert not ask.published and ask.public_id is None and ask.public_weight == 1


def test_lead_publishes_and_unpublishes_a_campaign_after_confirming(client, lead, campaign):
    client.force_login(lead)
    url = reverse("campaign_public", args=[campaign.slug])
    page = client.get(url)
    assert "feed readers" in page.content.decode()  # the permanence is explained before publishing

    unconfirmed = client.post(url, {**PUBLISH_CAMPAIGN, "confirm": ""})
    assert unconfirmed.status_code == 400
    campaign.refresh_from_db()
    assert not campaign.published

    client.post(url, PUBLISH_CAMPAIGN)
    campaign.refresh_from_db()
    assert campaign.published and campaign.public_title == "Public title" and campaign.published_at
    assert campaign.history.first().history_user == lead

    client.post(reverse("campaign_unpublish", args=[campaign.slug]))
    campaign.refresh_from_db()
    assert not campaign.published


def test_lead_publishes_an_ask_which_gets_a_random_public_id(client, lead, ask):
    client.force_login(lead)
    data = {"public_wording": "Publish the report.", "public_weight": "3", "confirm": "on"}
    response = client.post(reverse("ask_public", args=[ask.pk]), data)
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.published and ask.public_weight == 3 and ask.public_wording == "Publish the report."
    assert len(ask.public_id) == 8 and set(ask.public_id) <= set(publishing.PUBLIC_ID_ALPHABET)
    assert str(ask.pk) != ask.public_id

    client.post(reverse("ask_unpublish", args=[ask.pk]))
    ask.refresh_from_db()
    assert not ask.published and len(ask.public_id) == 8


def test_public_ids_are_distinct(lead, campaign, target):
    from tests.factories import AskFactory

    asks = [AskFactory(campaign=campaign, target=target) for _ in range(20)]
    ids = {publishing.ask_publish(ask=ask, actor=lead, public_wording="W").public_id for ask in asks}
    assert len(ids) == 20


def test_lead_publishes_an_update_with_a_public_note_without_changing_the_internal_status(client, lead, ask):
    client.force_login(lead)
    data = {"public_status": "partially_met", "public_note": "Half of it happened.", "confirm": "on"}
    client.post(reverse("update_publish", args=[ask.pk]), data)
    update = Update.objects.get(ask=ask, published=True)
    assert (update.public_status, update.public_note, update.author) == ("partially_met", "Half of it happened.", lead)
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN

    client.post(reverse("update_withdraw", args=[ask.pk, update.pk]))
    update.refresh_from_db()
    assert not update.published


def test_an_update_needs_a_public_note_and_a_confirmation(client, lead, ask):
    client.force_login(lead)
    url = reverse("update_publish", args=[ask.pk])
    assert client.post(url, {"public_status": "met", "public_note": "", "confirm": "on"}).status_code == 400
    assert client.post(url, {"public_status": "met", "public_note": "Done."}).status_code == 400
    assert client.post(url, {"public_status": "draft", "public_note": "Done.", "confirm": "on"}).status_code == 400
    assert not Update.objects.filter(published=True).exists()


PAGES = [
    ("get", "campaign_public", "slug"),
    ("post", "campaign_unpublish", "slug"),
    ("get", "ask_public", "pk"),
    ("post", "ask_unpublish", "pk"),
    ("post", "update_publish", "pk"),
]


@pytest.mark.parametrize(("method", "name", "arg"), PAGES)
@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("editor", 403), ("outsider", 404)])
def test_only_leads_reach_the_publishing_pages(request, client, ask, method, name, arg, persona, status):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[ask.campaign.slug if arg == "slug" else ask.pk])
    assert getattr(client, method)(url).status_code == status


def test_services_refuse_non_leads(editor, campaign, ask):
    with pytest.raises(PermissionDenied):
        publishing.campaign_publish(
            campaign=campaign, actor=editor, public_title="T", public_summary="", allow_indexing=False
        )
    with pytest.raises(PermissionDenied):
        publishing.ask_publish(ask=ask, actor=editor, public_wording="W")
    with pytest.raises(PermissionDenied):
        publishing.update_publish(ask=ask, actor=editor, public_status="met", public_note="N")


def test_a_draft_cannot_be_published(lead, ask):
    ask.status = AskStatus.DRAFT
    ask.save()
    with pytest.raises(ValidationError):
        publishing.ask_publish(ask=ask, actor=lead, public_wording="W")


def test_every_public_change_bumps_the_campaigns_public_version(lead, campaign, ask):
    def version():
        return Campaign.objects.get(pk=campaign.pk).public_version

    steps = [
        lambda: publishing.campaign_publish(
            campaign=campaign, actor=lead, public_title="T", public_summary="", allow_indexing=False
        ),
        lambda: publishing.ask_publish(ask=ask, actor=lead, public_wording="W"),
        lambda: publishing.update_publish(ask=ask, actor=lead, public_status="met", public_note="N"),
        lambda: publishing.ask_unpublish(ask=ask, actor=lead),
        lambda: publishing.campaign_unpublish(campaign=campaign, actor=lead),
    ]
    for step in steps:
        before = version()
        step()
        assert version() == before + 1


def test_the_admin_cannot_publish_around_the_confirmation(client, superuser, campaign):
    force_login_verified(client, superuser)
    response = client.get(reverse("admin:campaign_campaign_change", args=[campaign.pk]))
    assert 'name="title"' in response.content.decode()
    assert 'name="published"' not in response.content.decode()
    assert 'name="public_title"' not in response.content.decode()
