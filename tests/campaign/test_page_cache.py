"""The ask list, the dashboard and the campaign page are built once and served
again until what they show changes (campaign/page_cache.py).

Each test has a persona look at a page, changes something the way staff, an
admin, a job or a shell would, and checks the persona's next look shows it."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign import page_cache, services
from campaign.models import Evidence, Role
from tests.factories import AskFactory, EvidenceFactory, MembershipFactory, UpdateFactory
from tests.two_factor import force_login_verified

ASKS = "/asks/"
DASHBOARD = "/"


def campaign_page(campaign) -> str:
    return reverse("campaign_detail", args=[campaign.slug])


def main_of(client, url: str) -> str:
    """What the page shows in <main> (the layout around it carries a fresh CSRF token each time)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def row_of(html: str, ask) -> str:
    """The ask list's row of ``ask``."""
    return re.search(rf'<tr><td><a href="/asks/{ask.pk}/".*?</tr>', html, re.S).group(0)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        force_login_verified(client, user)
        client.get("/campaigns/")  # a session's first request writes it
        return client

    return sign_in


# --- Served from store --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (ASKS, "Publish the Xinjiang report"),
        (ASKS + "?q=Xinjiang&status=open", "Publish the Xinjiang report"),
        (DASHBOARD, "1 open"),
        ("campaign", "Publish the Xinjiang report"),
        ("ask", "Letter sent."),
    ],
)
def test_a_page_seen_again_is_the_same_page_from_far_fewer_queries(signed_in, viewer, ask, url, shown):
    UpdateFactory(ask=ask, note="Letter sent.")
    client = signed_in(viewer)
    url = {"campaign": campaign_page(ask.campaign), "ask": ask.get_absolute_url()}.get(url, url)
    with CaptureQueriesContext(connection) as built:
        first = main_of(client, url)
    with CaptureQueriesContext(connection) as stored:
        again = main_of(client, url)

    assert again == first
    assert shown in again
    # The session, the user with their authenticator, and the memberships (or the
    # campaign or the ask, with the user's role).
    assert len(stored) == 3 < len(built)


def test_a_login_elsewhere_does_not_make_pages_build_again(signed_in, client, viewer, editor, ask):
    signed_in(viewer)
    main_of(client, ASKS)
    signed_in(editor)  # writes the editor's last_login
    signed_in(viewer)  # and the viewer's

    with CaptureQueriesContext(connection) as stored:
        main_of(client, ASKS)

    assert len(stored) == 3


# --- Never someone else's page --------------------------------------------------------


def test_saving_ones_email_preferences_does_not_make_pages_build_again(signed_in, client, viewer, editor, ask):
    signed_in(viewer)
    main_of(client, ASKS)
    editor.digest_hour = 7
    editor.save()

    with CaptureQueriesContext(connection) as stored:
        main_of(client, ASKS)

    assert len(stored) == 3


def test_a_viewer_never_gets_the_page_stored_for_an_editor(signed_in, client, editor, viewer, ask):
    secret = EvidenceFactory(
        campaign=ask.campaign, asks=[ask], reference="CHN 13/2018", sensitivity=Evidence.Sensitivity.CONFIDENTIAL
    )
    signed_in(editor)
    assert secret.title in main_of(client, campaign_page(ask.campaign))
    assert secret.title in main_of(client, ask.get_absolute_url())
    assert ask.title in main_of(client, ASKS + "?q=CHN+13%2F2018")

    signed_in(viewer)
    assert secret.title not in main_of(client, campaign_page(ask.campaign))
    assert secret.title not in main_of(client, ask.get_absolute_url())
    assert ask.title not in main_of(client, ASKS + "?q=CHN+13%2F2018")


def test_the_mine_filter_is_each_users_own(signed_in, client, editor, lead, ask):
    signed_in(editor)
    assert ask.title in main_of(client, ASKS + "?mine=on")
    signed_in(lead)
    assert ask.title not in main_of(client, ASKS + "?mine=on")


# --- What changes the pages ---------------------------------------------------------


def test_a_status_change_shows_on_the_list_and_the_dashboard(signed_in, client, viewer, editor, ask):
    signed_in(viewer)
    assert "Open" in row_of(main_of(client, ASKS), ask)
    main_of(client, DASHBOARD)

    services.ask_change_status(ask=ask, new_status="in_progress", author=editor, note="Meeting held.")

    assert "In progress" in row_of(main_of(client, ASKS), ask)
    assert "Meeting held." in main_of(client, DASHBOARD)


def test_a_note_shows_in_latest_updates_and_on_the_asks_timeline(signed_in, client, viewer, editor, ask):
    signed_in(viewer)
    main_of(client, DASHBOARD)
    main_of(client, ask.get_absolute_url())

    services.ask_add_note(ask=ask, author=editor, note="Letter delivered to the OHCHR.")

    assert "Letter delivered to the OHCHR." in main_of(client, DASHBOARD)
    assert "Letter delivered to the OHCHR." in main_of(client, ask.get_absolute_url())


def test_an_edit_saved_in_the_admin_or_a_shell_shows(signed_in, client, viewer, ask):
    signed_in(viewer)
    main_of(client, ASKS)
    main_of(client, campaign_page(ask.campaign))

    ask.title = "Publish the assessment in full"
    ask.save()  # as the admin's change form and the import save it

    assert "Publish the assessment in full" in main_of(client, ASKS)
    assert "Publish the assessment in full" in main_of(client, campaign_page(ask.campaign))


@pytest.mark.parametrize("action", ["soft_delete", "restore"])
def test_the_admins_bulk_delete_and_restore_show(client, superuser, viewer, ask, action):
    if action == "restore":
        services.ask_soft_delete(ask=ask, author=superuser)
    force_login_verified(client, viewer)
    before = main_of(client, ASKS)
    assert (ask.title in before) is (action == "soft_delete")

    force_login_verified(client, superuser)
    response = client.post(reverse("admin:campaign_ask_changelist"), {"action": action, "_selected_action": [ask.pk]})
    assert response.status_code == 302

    force_login_verified(client, viewer)
    assert (ask.title in main_of(client, ASKS)) is (action == "restore")


def test_evidence_made_confidential_leaves_a_viewers_pages(signed_in, client, viewer, ask):
    item = EvidenceFactory(campaign=ask.campaign, asks=[ask], title="Leaked memo", reference="CHN 13/2018")
    signed_in(viewer)
    assert "Leaked memo" in main_of(client, campaign_page(ask.campaign))
    assert "Leaked memo" in main_of(client, ask.get_absolute_url())
    assert ask.title in main_of(client, ASKS + "?q=CHN+13%2F2018")

    item.sensitivity = Evidence.Sensitivity.CONFIDENTIAL
    item.save()  # as the admin saves it

    assert "Leaked memo" not in main_of(client, campaign_page(ask.campaign))
    assert "Leaked memo" not in main_of(client, ask.get_absolute_url())
    assert ask.title not in main_of(client, ASKS + "?q=CHN+13%2F2018")


def test_unlinking_evidence_shows_in_the_search(signed_in, client, viewer, ask):
    item = EvidenceFactory(campaign=ask.campaign, asks=[ask], reference="CHN 13/2018")
    signed_in(viewer)
    assert ask.title in main_of(client, ASKS + "?q=CHN+13%2F2018")

    item.asks.remove(ask)

    assert ask.title not in main_of(client, ASKS + "?q=CHN+13%2F2018")


def test_renaming_a_target_an_owner_or_the_campaign_shows(signed_in, client, viewer, editor, ask):
    signed_in(viewer)
    main_of(client, ASKS)

    ask.target.name = "Office of the High Commissioner"
    ask.target.save()
    assert "Office of the High Commissioner" in row_of(main_of(client, ASKS), ask)

    editor.full_name = "Ana Editor"
    editor.save()
    assert "Ana Editor" in row_of(main_of(client, ASKS), ask)

    services.campaign_update(
        campaign=ask.campaign,
        actor=MembershipFactory(campaign=ask.campaign, role=Role.LEAD).user,
        title="Xinjiang accountability",
    )
    assert "Xinjiang accountability" in row_of(main_of(client, ASKS), ask)


def test_an_ask_moved_to_another_campaign_leaves_the_first_ones_page(signed_in, client, viewer, ask, other_campaign):
    first = ask.campaign
    signed_in(viewer)
    assert ask.title in main_of(client, campaign_page(first))

    ask.campaign = other_campaign
    ask.save()

    assert ask.title not in main_of(client, campaign_page(first))


def test_a_new_role_shows_at_once(signed_in, client, viewer, ask):
    signed_in(viewer)
    assert "Change<span" not in row_of(main_of(client, ASKS), ask)

    membership = viewer.memberships.get()
    membership.role = Role.EDITOR
    membership.save()

    assert "Change<span" in row_of(main_of(client, ASKS), ask)


def test_a_new_member_shows_on_the_campaign_page(signed_in, client, viewer, ask):
    signed_in(viewer)
    main_of(client, campaign_page(ask.campaign))

    MembershipFactory(campaign=ask.campaign, role=Role.VIEWER, user__full_name="Newcomer Nadia")

    assert "Newcomer Nadia" in main_of(client, campaign_page(ask.campaign))


def test_a_new_ask_and_a_new_update_show(signed_in, client, viewer, editor, ask):
    signed_in(viewer)
    main_of(client, ASKS)
    main_of(client, DASHBOARD)

    new = AskFactory(campaign=ask.campaign, target=ask.target, title="Grant country access")
    UpdateFactory(ask=new, author=editor, note="Request filed.")

    assert "Grant country access" in main_of(client, ASKS)
    assert "Request filed." in main_of(client, DASHBOARD)


def test_the_next_day_counts_the_deadline_again(signed_in, client, viewer, ask, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ask.deadline = timezone.localdate() + datetime.timedelta(days=3)
    ask.save()
    signed_in(viewer)
    assert "in 3 days" in row_of(main_of(client, ASKS), ask)

    time_machine.shift(datetime.timedelta(days=1))
    signed_in(viewer)  # the session ran out overnight

    assert "in 2 days" in row_of(main_of(client, ASKS), ask)


def test_latest_updates_say_how_long_ago_by_the_minute(signed_in, client, viewer, editor, ask, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    UpdateFactory(ask=ask, author=editor, note="Letter sent.", created_at=timezone.now())
    signed_in(viewer)
    assert "0\xa0minutes ago" in main_of(client, DASHBOARD)

    time_machine.shift(datetime.timedelta(minutes=5))

    assert "5\xa0minutes ago" in main_of(client, DASHBOARD)


def test_page_cache_off_builds_every_page(settings, signed_in, client, viewer, ask):
    settings.CACHES = {
        **settings.CACHES,
        page_cache.CACHE_ALIAS: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    signed_in(viewer)
    main_of(client, ASKS)
    with CaptureQueriesContext(connection) as again:
        main_of(client, ASKS)
    assert len(again) > 3


def test_a_stored_ask_page_carries_each_sessions_own_working_csrf_token(editor, ask):
    client = Client(enforce_csrf_checks=True)
    force_login_verified(client, editor)
    client.get(ask.get_absolute_url())  # builds and stores the page
    html = client.get(ask.get_absolute_url()).content.decode()  # served from store

    note_url = reverse("ask_note", args=[ask.pk])
    token = re.search(rf'action="{note_url}".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S).group(1)
    assert page_cache.csrf_slot() not in html
    response = client.post(note_url, {"note": "Met the desk officer.", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert "Met the desk officer." in main_of(client, ask.get_absolute_url())


def test_a_leads_changes_to_members_and_details_show_on_the_campaign_page(signed_in, client, viewer, lead, ask):
    leaving = MembershipFactory(campaign=ask.campaign, role=Role.EDITOR, user__full_name="Leaving Lena")
    signed_in(viewer)
    page = campaign_page(ask.campaign)
    assert "Leaving Lena" in main_of(client, page)

    services.membership_remove(membership=leaving, actor=lead)
    assert "Leaving Lena" not in main_of(client, page)

    services.campaign_update(campaign=ask.campaign, actor=lead, summary="Press for the report's publication.")
    assert "Press for the report&#x27;s publication." in main_of(client, page)
