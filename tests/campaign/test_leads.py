"""A campaign's leads edit its details and manage its members: who may, what
they see after each action, and the rule that a campaign always keeps a lead."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from campaign import services
from campaign.models import Campaign, Membership, Role
from tests.factories import MembershipFactory, UserFactory
from tests.two_factor import force_login_verified

CAMPAIGN_DATA = {
    "title": "China accountability 2025",
    "summary": "Follow-up of the treaty bodies' recommendations.",
    "country_or_region": "China",
    "status": "paused",
    "started_on": "2022-05-01",
    "ends_on": "2026-12-31",
    "stale_after_days": "45",
}


def membership_of(user, campaign) -> Membership:
    return Membership.objects.get(user=user, campaign=campaign)


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Campaign details ------------------------------------------------------------


def test_lead_edits_campaign_details_and_history_records_who(client, lead, campaign):
    client.force_login(lead)

    response = client.post(reverse("campaign_edit", args=[campaign.slug]), CAMPAIGN_DATA, follow=True)

    assert response.redirect_chain[-1][0] == reverse("campaign_detail", args=["china"])
    assert "Details of “China accountability 2025” saved." in page_messages(response)
    campaign.refresh_from_db()
    assert campaign.slug == "china"
    assert (campaign.title, campaign.status, campaign.stale_after_days) == ("China accountability 2025", "paused", 45)
    assert campaign.ends_on == datetime.date(2026, 12, 31)
    latest = campaign.history.first()
    assert latest.history_type == "~" and latest.history_user == lead and latest.title == "China accountability 2025"


def test_campaign_edit_form_shows_current_values(client, lead, campaign):
    client.force_login(lead)
    response = client.get(reverse("campaign_edit", args=[campaign.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="China accountability"' in html
    assert 'for="id_title"' in html and 'id="id_title"' in html


def test_a_second_lead_saving_over_a_newer_edit_is_refused_and_keeps_what_they_typed(client, lead, campaign):
    other_lead = MembershipFactory(campaign=campaign, role=Role.LEAD).user
    client.force_login(lead)
    loaded = client.get(reverse("campaign_edit", args=[campaign.slug])).context["form"]["version"].value()
    # Meanwhile the other lead saves a change.
    other = client.__class__()
    other.force_login(other_lead)
    other.post(reverse("campaign_edit", args=[campaign.slug]), {**CAMPAIGN_DATA, "title": "Other lead's title"})

    data = {**CAMPAIGN_DATA, "title": "My title", "stale_after_days": "10", "version": loaded}
    response = client.post(reverse("campaign_edit", args=[campaign.slug]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this campaign&#x27;s details while you were editing them" in html
    assert 'value="My title"' in html  # the lead's input is still in the form
    assert "Other lead&#x27;s title" in html  # and the details saved meanwhile are shown above it
    campaign.refresh_from_db()
    assert (campaign.title, campaign.stale_after_days) == ("Other lead's title", 45)
    # Having seen both, the lead saves again on purpose: it goes through.
    again = client.post(reverse("campaign_edit", args=[campaign.slug]), response.context["form"].data, follow=True)
    assert "Details of “My title” saved." in page_messages(again)
    campaign.refresh_from_db()
    assert (campaign.title, campaign.stale_after_days) == ("My title", 10)


def test_campaign_end_before_start_is_refused_with_the_input_kept(client, lead, campaign):
    client.force_login(lead)
    data = {**CAMPAIGN_DATA, "ends_on": "2020-01-01"}

    response = client.post(reverse("campaign_edit", args=[campaign.slug]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["The end date is before the start date."]
    assert 'value="China accountability 2025"' in response.content.decode()
    assert "The campaign was not saved: correct the fields marked below." in page_messages(response)
    campaign.refresh_from_db()
    assert campaign.title == "China accountability" and campaign.ends_on is None


def test_a_slug_posted_with_the_edit_is_ignored(client, lead, campaign):
    client.force_login(lead)
    client.post(reverse("campaign_edit", args=[campaign.slug]), {**CAMPAIGN_DATA, "slug": "renamed"})
    assert Campaign.objects.filter(slug="china").exists() and not Campaign.objects.filter(slug="renamed").exists()


# --- Adding, changing and removing members ----------------------------------------


def test_lead_adds_a_member_by_email_in_any_case(client, lead, campaign):
    newcomer = UserFactory(email="ana.pereira@example.org", full_name="Ana Pereira")
    client.force_login(lead)

    response = client.post(
        reverse("campaign_member_add", args=[campaign.slug]),
        {"email": "  Ana.Pereira@EXAMPLE.org ", "role": "editor"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("campaign_members", args=["china"])
    assert "Ana Pereira added as editor." in page_messages(response)
    assert "ana.pereira@example.org" in response.content.decode()
    membership = membership_of(newcomer, campaign)
    assert membership.role == Role.EDITOR
    assert membership.history.first().history_user == lead


def test_unknown_email_gives_a_field_error_and_keeps_the_input(client, lead, campaign):
    client.force_login(lead)

    response = client.post(
        reverse("campaign_member_add", args=[campaign.slug]), {"email": "nobody@example.org", "role": "lead"}
    )

    assert response.status_code == 400
    form = response.context["add_form"]
    assert form.errors["email"] == ["No active account uses this email; ask an admin to create it."]
    html = response.content.decode()
    assert 'value="nobody@example.org"' in html
    assert '<option value="lead" selected>' in html
    assert campaign.memberships.count() == 1


def test_an_inactive_account_is_treated_as_unknown(client, lead, campaign):
    UserFactory(email="gone@example.org", is_active=False)
    client.force_login(lead)
    response = client.post(
        reverse("campaign_member_add", args=[campaign.slug]), {"email": "gone@example.org", "role": "viewer"}
    )
    assert response.context["add_form"].errors["email"] == [services.UNKNOWN_EMAIL_MESSAGE]


def test_adding_someone_who_is_already_a_member_says_so(client, lead, viewer, campaign):
    client.force_login(lead)
    response = client.post(
        reverse("campaign_member_add", args=[campaign.slug]), {"email": "viewer@example.org", "role": "editor"}
    )
    assert response.status_code == 400
    assert "is already a member (Viewer)" in response.context["add_form"].errors["email"][0]
    assert membership_of(viewer, campaign).role == Role.VIEWER


def test_lead_changes_a_members_role(client, lead, viewer, campaign):
    membership = membership_of(viewer, campaign)
    client.force_login(lead)

    response = client.post(
        reverse("campaign_member_role", args=[campaign.slug, membership.pk]), {"role": "editor"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("campaign_members", args=["china"])
    assert f"{viewer} is now editor." in page_messages(response)
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR
    assert membership.history.first().history_user == lead
    # The page's own log of changes names who made it.
    assert f"now editor by {lead}" in response.content.decode()


def test_lead_removes_a_member_who_then_gets_404(client, lead, editor, campaign):
    membership = membership_of(editor, campaign)
    client.force_login(lead)

    response = client.post(reverse("campaign_member_remove", args=[campaign.slug, membership.pk]), follow=True)

    assert f"{editor} was removed from “China accountability”." in page_messages(response)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    removal = Membership.history.filter(id=membership.pk).first()
    assert removal.history_type == "-" and removal.history_user == lead
    client.force_login(editor)
    assert client.get(reverse("campaign_detail", args=[campaign.slug])).status_code == 404


def test_a_lead_may_hand_over_and_step_down(client, lead, editor, campaign):
    client.force_login(lead)
    client.post(
        reverse("campaign_member_role", args=[campaign.slug, membership_of(editor, campaign).pk]), {"role": "lead"}
    )

    response = client.post(
        reverse("campaign_member_role", args=[campaign.slug, membership_of(lead, campaign).pk]), {"role": "viewer"}
    )

    # No longer a lead: back to the campaign page rather than a 403.
    assert response["Location"] == reverse("campaign_detail", args=["china"])
    assert membership_of(lead, campaign).role == Role.VIEWER
    assert client.get(reverse("campaign_members", args=[campaign.slug])).status_code == 403


# --- A campaign always keeps a lead --------------------------------------------------


def test_the_last_lead_cannot_be_demoted(client, lead, campaign):
    membership = membership_of(lead, campaign)
    client.force_login(lead)

    response = client.post(reverse("campaign_member_role", args=[campaign.slug, membership.pk]), {"role": "editor"})

    assert response.status_code == 400
    assert any("only lead" in message for message in page_messages(response))
    assert "a campaign always keeps at least one lead" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_the_last_lead_cannot_be_removed_even_by_a_superuser(client, lead, superuser, campaign):
    membership = membership_of(lead, campaign)
    force_login_verified(client, superuser)

    response = client.post(reverse("campaign_member_remove", args=[campaign.slug, membership.pk]))

    assert response.status_code == 400
    assert any("was not removed" in message and "only lead" in message for message in page_messages(response))
    assert Membership.objects.filter(pk=membership.pk, role=Role.LEAD).exists()


def test_with_two_leads_one_can_be_removed(client, lead, campaign):
    second = MembershipFactory(campaign=campaign, role=Role.LEAD)
    client.force_login(lead)
    client.post(reverse("campaign_member_remove", args=[campaign.slug, second.pk]))
    assert list(campaign.memberships.filter(role=Role.LEAD).values_list("user", flat=True)) == [lead.pk]


def test_services_refuse_a_non_lead_actor(editor, viewer, campaign):
    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=membership_of(viewer, campaign), role=Role.LEAD, actor=editor)
    with pytest.raises(PermissionDenied):
        services.campaign_update(campaign=campaign, actor=editor, title="Taken over")
    assert membership_of(viewer, campaign).role == Role.VIEWER


# --- Who may use these pages ---------------------------------------------------------


def lead_urls(campaign, membership):
    return [
        ("get", reverse("campaign_edit", args=[campaign.slug]), {}),
        ("post", reverse("campaign_edit", args=[campaign.slug]), CAMPAIGN_DATA),
        ("get", reverse("campaign_members", args=[campaign.slug])),
        ("post", reverse("campaign_member_add", args=[campaign.slug]), {"email": "lead@example.org", "role": "viewer"}),
        ("post", reverse("campaign_member_role", args=[campaign.slug, membership.pk]), {"role": "editor"}),
        ("post", reverse("campaign_member_remove", args=[campaign.slug, membership.pk]), {}),
    ]


@pytest.mark.parametrize(("persona", "expected"), [("viewer", 403), ("editor", 403), ("outsider", 404)])
def test_non_leads_are_refused_every_page_and_post(client, request, lead, campaign, persona, expected):
    user = request.getfixturevalue(persona)
    membership = membership_of(lead, campaign)
    client.force_login(user)

    for method, url, *data in lead_urls(campaign, membership):
        assert getattr(client, method)(url, *data).status_code == expected, url

    membership.refresh_from_db()
    campaign.refresh_from_db()
    assert membership.role == Role.LEAD and campaign.title == "China accountability"


def test_anonymous_visitors_are_sent_to_login(client, lead, campaign):
    for method, url, *data in lead_urls(campaign, membership_of(lead, campaign)):
        response = getattr(client, method)(url, *data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next="), url


def test_a_membership_of_another_campaign_is_404_and_untouched(client, lead, campaign, outsider, other_campaign):
    theirs = membership_of(outsider, other_campaign)
    client.force_login(lead)

    assert (
        client.post(reverse("campaign_member_role", args=[campaign.slug, theirs.pk]), {"role": "viewer"}).status_code
        == 404
    )
    assert client.post(reverse("campaign_member_remove", args=[campaign.slug, theirs.pk])).status_code == 404

    theirs.refresh_from_db()
    assert theirs.role == Role.LEAD


def test_campaign_page_offers_the_lead_buttons_only_to_leads(client, lead, editor, campaign):
    edit_url = reverse("campaign_edit", args=[campaign.slug])
    members_url = reverse("campaign_members", args=[campaign.slug])
    client.force_login(lead)
    html = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()
    assert f'href="{edit_url}"' in html and f'href="{members_url}"' in html

    client.force_login(editor)
    html = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()
    assert edit_url not in html and members_url not in html
