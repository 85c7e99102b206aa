"""Pages offer only the actions the user may take, and a viewer is told once why
an action they might expect is missing."""

import pytest
from django.urls import reverse

VIEWER_NOTE = "a lead can change your role."


@pytest.mark.parametrize("page", ["dashboard", "ask_list"])
def test_viewer_is_not_offered_record_an_ask_and_is_told_why_once(client, viewer, ask, page):
    client.force_login(viewer)
    html = client.get(reverse(page)).content.decode()
    assert "Record an ask" not in html
    assert reverse("ask_create") not in html
    assert html.count(VIEWER_NOTE) == 1


@pytest.mark.parametrize("page", ["dashboard", "ask_list"])
def test_editor_is_offered_record_an_ask_without_a_note(client, editor, ask, page):
    client.force_login(editor)
    html = client.get(reverse(page)).content.decode()
    assert "Record an ask" in html
    assert VIEWER_NOTE not in html


def test_viewer_reads_on_the_ask_and_campaign_pages_why_they_cannot_edit(client, viewer, ask, campaign):
    client.force_login(viewer)
    for url in (ask.get_absolute_url(), reverse("campaign_detail", args=[campaign.slug])):
        html = client.get(url).content.decode()
        assert html.count("You are a viewer in this campaign; a lead can change your role.") == 1
        assert "Edit ask" not in html and "Record an ask" not in html


def test_the_ask_lists_change_link_works_without_javascript_and_carries_htmx_as_data_attributes(client, editor, ask):
    client.force_login(editor)
    html = client.get(reverse("ask_list")).content.decode()
    assert f'href="/asks/{ask.pk}/status/?next=/asks/"' in html
    assert f'data-hx-get="/asks/{ask.pk}/status/"' in html
    assert " hx-get=" not in html
