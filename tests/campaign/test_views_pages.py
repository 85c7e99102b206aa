"""The dashboard, the campaign page, the ask list's filters, and the account
pages (login by email, password reset, settings and the calendar link)."""

import datetime
import html as html_module
from html.parser import HTMLParser

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaign.models import Role
from tests.factories import AskFactory, MembershipFactory, TargetFactory, UpdateFactory


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_dashboard_shows_my_overdue_and_due_soon_asks_and_progress(client, editor, campaign, target):
    AskFactory(campaign=campaign, target=target, title="Late one", deadline=days(-2), owner=editor)
    AskFactory(campaign=campaign, target=target, title="Soon one", deadline=days(5))
    AskFactory(campaign=campaign, target=target, title="Far one", deadline=days(60))
    AskFactory(campaign=campaign, target=target, title="Done one", status="met", deadline=days(-30))
    client.force_login(editor)

    html = client.get(reverse("dashboard")).content.decode()

    overdue = html[html.index('id="overdue-heading"') : html.index('id="soon-heading"')]
    soon = html[html.index('id="soon-heading"') : html.index('id="mine-heading"')]
    assert "Late one" in overdue and "2 days overdue" in overdue and "Done one" not in overdue
    assert "Soon one" in soon and "in 5 days" in soon and "Far one" not in soon
    assert "1 met" in html and "3 open" in html
    assert 'class="seg-met" x="0.00%" y="0" width="25.00%"' in html


def test_dashboard_panels_count_every_ask_and_link_to_the_full_lists(client, editor, campaign, target, other_campaign):
    for n in range(12):
        AskFactory(campaign=campaign, target=target, title=f"Late {n:02}", deadline=days(-1 - n), owner=editor)
    for n in range(10):
        AskFactory(campaign=campaign, target=target, title=f"Soon {n:02}", deadline=days(n))
    AskFactory(campaign=campaign, target=target, title="Met soon", status="met", deadline=days(3), owner=editor)
    AskFactory(campaign=other_campaign, target=target, title="Not mine to see", deadline=days(-3))
    client.force_login(editor)

    html = client.get(reverse("dashboard")).content.decode()

    overdue = html[html.index('id="overdue-heading"') : html.index('id="soon-heading"')]
    soon = html[html.index('id="soon-heading"') : html.index('id="mine-heading"')]
    mine = html[html.index('id="mine-heading"') : html.index('id="updates-heading"')]
    assert 'badge text-bg-danger">12<' in overdue and overdue.count("Late ") == 8
    assert 'badge text-bg-warning">10<' in soon and "Met soon" not in soon
    assert 'badge text-bg-secondary">12<' in mine
    # Each "All ..." link opens the ask list on exactly the asks its badge counted.
    for panel, text, count in [
        (overdue, "All 12 overdue asks", 12),
        (soon, "All 10 asks due", 10),
        (mine, "All 12 of my", 12),
    ]:
        assert text in panel
        href = panel[: panel.index(text)].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        listed = client.get(href).content.decode()
        assert f"{count} asks" in listed, (text, href)
        assert "Met soon" not in listed and "Not mine to see" not in listed


def test_dashboard_lists_latest_updates_of_my_campaigns_only(client, viewer, ask, other_campaign):
    UpdateFactory(ask=ask, note="Meeting at the mission")
    UpdateFactory(ask=AskFactory(campaign=other_campaign), note="Not for your eyes")
    client.force_login(viewer)

    html = client.get(reverse("dashboard")).content.decode()

    assert "Meeting at the mission" in html
    assert "Not for your eyes" not in html


def test_dashboard_latest_updates_show_the_new_status_a_short_escaped_note_and_who(client, viewer, lead, ask):
    UpdateFactory(ask=ask, note="<b>Bold</b> claim " + "word " * 60, old_status="open", new_status="in_progress")
    UpdateFactory(ask=ask, note="Reminder job ran", author=lead)
    client.force_login(viewer)

    html = client.get(reverse("dashboard")).content.decode()

    updates = html[html.index('id="updates-heading"') : html.index('id="progress-heading"')]
    assert updates.index("Reminder job ran") < updates.index("Bold")  # newest first
    assert "&lt;b&gt;Bold&lt;/b&gt; claim" in updates and "<b>" not in updates
    shown = updates.split("&lt;b&gt;Bold", 1)[1].split("</div>", 1)[0]
    assert shown.endswith("…") and len(html_module.unescape("&lt;b&gt;Bold" + shown)) == 200
    assert 'class="badge text-bg-primary">In progress</span>' in updates
    assert f"{lead} · <time" in updates and "System · <time" in updates
    assert "0\xa0minutes ago" in updates
    assert f'href="{ask.get_absolute_url()}"' in updates and ask.campaign.title in updates


def test_dashboard_empty_state_for_a_new_user(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    html = client.get(reverse("dashboard")).content.decode()

    assert "not a member of any active campaign" in html
    assert "Nothing overdue" in html
    assert "No updates yet." in html


def test_dashboard_progress_of_a_campaign_with_no_asks_says_so(client, viewer, campaign):
    client.force_login(viewer)

    html = client.get(reverse("dashboard")).content.decode()

    progress = html[html.index('id="progress-heading"') :]
    assert campaign.title in progress and "No asks yet." in progress and "<rect" not in progress


def test_campaign_page_groups_asks_by_target_and_lists_members(client, viewer, lead, campaign):
    AskFactory(campaign=campaign, target=TargetFactory(name="Human Rights Council"), title="Resolution")
    AskFactory(campaign=campaign, target=TargetFactory(name="China"), title="Release Ilham Tohti")
    client.force_login(viewer)

    html = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()

    assert html.index("China") < html.index("Release Ilham Tohti") < html.index("Human Rights Council")
    assert str(lead) in html and "Lead" in html


def test_campaign_page_says_how_many_asks_each_target_has_and_escapes_its_name(client, viewer, campaign):
    council = TargetFactory(name="Council <b>of</b> Europe", kind="un_body")
    AskFactory(campaign=campaign, target=council, title="First")
    AskFactory(campaign=campaign, target=council, title="Second")
    AskFactory(campaign=campaign, target=TargetFactory(name="China"), title="Third")
    client.force_login(viewer)

    html = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()

    assert "Council &lt;b&gt;of&lt;/b&gt; Europe" in html and "<b>of</b>" not in html
    assert "· 2 asks</span>" in html and "· 1 ask</span>" in html
    assert "No asks recorded yet" not in html


def test_campaign_page_of_a_campaign_without_asks_invites_an_editor_to_record_one(client, editor, campaign):
    client.force_login(editor)

    html = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()

    assert "No asks recorded yet." in html and "Record the first one" in html


def test_ask_list_filters_are_kept_in_the_url_and_the_export_link(client, editor, campaign, target):
    AskFactory(campaign=campaign, target=target, title="High one", priority="high")
    AskFactory(campaign=campaign, target=target, title="Low one", priority="low")
    client.force_login(editor)

    html = client.get(reverse("ask_list"), {"priority": "high", "sort": "priority"}).content.decode()

    assert "High one" in html and "Low one" not in html
    assert reverse("asks_export") + "?priority=high&amp;sort=priority" in html
    assert '<option value="high" selected>' in html


def test_campaign_and_target_filters_offer_only_the_users_campaigns_and_their_targets(
    client, editor, campaign, target, other_campaign
):
    secret_target = TargetFactory(name="Ministry of State Security")
    AskFactory(campaign=campaign, target=target, title="Ours")
    AskFactory(campaign=other_campaign, target=secret_target, title="Their secret ask")
    client.force_login(editor)

    html = client.get(reverse("ask_list")).content.decode()
    chosen = client.get(reverse("ask_list"), {"campaign": campaign.pk, "target": target.pk}).content.decode()
    # Someone edits the URL to another campaign's and target's ids.
    probing = client.get(reverse("ask_list"), {"campaign": other_campaign.pk, "target": secret_target.pk})

    assert f'<option value="{campaign.pk}">China accountability</option>' in html
    assert f'<option value="{target.pk}">{target.name}</option>' in html
    assert "Other campaign" not in html and "Ministry of State Security" not in html
    assert "Ours" in chosen and f'<option value="{campaign.pk}" selected>' in chosen
    assert f'<option value="{target.pk}" selected>' in chosen
    probed = probing.content.decode()
    assert probing.status_code == 200 and "Select a valid choice" in probed
    assert "Their secret ask" not in probed and "Other campaign" not in probed
    assert "Ministry of State Security" not in probed


def test_ask_list_mine_and_overdue_filters(client, editor, campaign, target):
    AskFactory(campaign=campaign, target=target, title="Mine late", owner=editor, deadline=days(-1))
    AskFactory(campaign=campaign, target=target, title="Mine later", owner=editor, deadline=days(9))
    AskFactory(campaign=campaign, target=target, title="Theirs late", deadline=days(-1))
    client.force_login(editor)

    html = client.get(reverse("ask_list"), {"mine": "true", "overdue": "true"}).content.decode()

    assert "Mine late" in html
    assert "Mine later" not in html and "Theirs late" not in html


def test_ask_list_sorts_by_priority_and_paginates(client, viewer, campaign, target):
    AskFactory.create_batch(50, campaign=campaign, target=target, priority="low")
    AskFactory(campaign=campaign, target=target, title="The urgent one", priority="high", deadline=days(90))
    client.force_login(viewer)

    by_priority = client.get(reverse("ask_list"), {"sort": "priority"}).content.decode()
    by_deadline_page_2 = client.get(reverse("ask_list"), {"page": 2}).content.decode()

    assert "The urgent one" in by_priority
    assert "Page 1 of 2" in by_priority
    assert "The urgent one" in by_deadline_page_2


def test_ask_list_shows_nothing_of_other_campaigns(client, outsider, ask):
    client.force_login(outsider)

    html = client.get(reverse("ask_list")).content.decode()

    assert ask.title not in html
    assert "No asks yet" in html


def test_login_page_asks_for_email_and_logs_in(client, editor):
    page = client.get(reverse("login")).content.decode()
    response = client.post(
        reverse("login"), {"username": "editor@example.org", "password": "correct horse battery staple"}
    )

    label = page[page.index('for="id_username"') : page.index("</label>", page.index('for="id_username"'))]
    assert "Email" in label
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_logout_is_a_post_and_ends_the_session(client, editor):
    client.force_login(editor)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_sends_a_working_link(client, editor):
    response = client.post(reverse("password_reset"), {"email": "editor@example.org"}, follow=True)

    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Campaign tracker password"
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line).strip()
    confirm = client.get(link, follow=True)
    assert "Choose a new password" in confirm.content.decode()


def test_settings_save_digest_preferences(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("account_settings"),
        {
            "full_name": "Ed Itor",
            "timezone": "America/New_York",
            "digest_frequency": "daily",
            "digest_weekday": 2,
            "digest_hour": 7,
            "notify_status_changes": "on",
        },
        follow=True,
    )

    editor.refresh_from_db()
    assert (editor.full_name, editor.timezone, editor.digest_frequency, editor.digest_hour) == (
        "Ed Itor",
        "America/New_York",
        "daily",
        7,
    )
    assert editor.digest_when_quiet is False
    assert "Settings saved." in response.content.decode()


def test_regenerating_the_calendar_link_kills_the_old_one(client, editor):
    client.force_login(editor)
    old_token = editor.calendar_token
    page = client.get(reverse("account_settings")).content.decode()

    response = client.post(reverse("calendar_token_regenerate"), follow=True)

    editor.refresh_from_db()
    assert old_token in page
    assert editor.calendar_token != old_token
    assert editor.calendar_token in response.content.decode()
    assert "The old link no longer works" in response.content.decode()
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old_token])).status_code == 404


def test_viewer_cannot_pick_a_campaign_they_only_view_when_recording(client, viewer, campaign, db):
    MembershipFactory(user=viewer, role=Role.EDITOR)  # an editor elsewhere
    client.force_login(viewer)

    html = client.get(reverse("ask_create")).content.decode()

    campaign_select = html.split('id="id_campaign"')[1].split("</select>")[0]
    assert campaign.title not in campaign_select


def test_pages_have_no_inline_script_style_or_event_handler(client, editor, ask, campaign):
    """The Content-Security-Policy refuses inline code, so none may be needed."""
    import re

    client.force_login(editor)
    urls = [
        reverse("dashboard"),
        reverse("campaign_list"),
        reverse("campaign_detail", args=[campaign.slug]),
        reverse("ask_list"),
        reverse("ask_create"),
        reverse("ask_detail", args=[ask.pk]),
        reverse("ask_edit", args=[ask.pk]),
        reverse("ask_status", args=[ask.pk]),
        reverse("evidence_add", args=[ask.pk]),
        reverse("account_settings"),
        reverse("password_change"),
    ]
    for url in urls:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<style|\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_not_found_and_not_allowed_pages_say_what_to_do(client, outsider, viewer, ask):
    client.force_login(outsider)
    missing = client.get(ask.get_absolute_url())
    assert missing.status_code == 404
    assert "ask them to add you to the campaign" in missing.content.decode()

    client.force_login(viewer)
    refused = client.get(reverse("ask_edit", args=[ask.pk]))
    assert refused.status_code == 403
    assert "A campaign lead can change your role" in refused.content.decode()


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.label_targets = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_targets.append(attrs["for"])


def test_every_id_on_the_busiest_pages_is_unique_and_every_label_finds_its_field(client, editor, campaign, target):
    """A label whose ``for`` matches two elements names only the first: on the
    ask page, "Log an update" once labelled the status form's note."""
    ask = AskFactory(campaign=campaign, target=target, owner=editor, deadline=days(3))
    UpdateFactory(ask=ask, author=editor)
    client.force_login(editor)

    for url in (ask.get_absolute_url(), reverse("ask_list"), reverse("dashboard"), campaign.get_absolute_url()):
        parser = _Ids()
        parser.feed(client.get(url).content.decode())
        duplicates = sorted({i for i in parser.ids if parser.ids.count(i) > 1})
        assert duplicates == [], url
        assert set(parser.label_targets) <= set(parser.ids), url
