"""Every staff page passes axe-core's WCAG 2 A/AA checks (labels, landmarks,
contrast, names of links and buttons) in a real headless Chromium, on the demo
data. axe-core is vendored in tests/vendor/ so the test needs no network."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from campaign.demo import CHINA_SLUG, DEMO_USERS
from campaign.models import Ask
from tests.conftest import plain_static_storage

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Only so axe's script can be injected; the CSP itself is tested in test_browser.py.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def demo_lead(transactional_db, settings, tmp_path):
    plain_static_storage(settings)
    settings.MEDIA_ROOT = tmp_path / "media"
    with open(os.devnull, "w") as quiet:
        call_command("load_ishr_demo", stdout=quiet)
        call_command("compile_summaries", stdout=quiet)
    return User.objects.get(email=DEMO_USERS["lead"][0])


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("options => axe.run(document, options)", WCAG_AA)
    assert result["passes"], "axe ran no checks on this page"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def sign_in(client, page, live_server, user):
    """The browser takes over a session made by Django's test client."""
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_login_page_is_accessible(live_server, page, transactional_db, settings):
    plain_static_storage(settings)
    page.goto(live_server.url + "/accounts/login/")
    assert axe_violations(page) == []


def test_staff_pages_are_accessible(live_server, page, client, demo_lead):
    ask = Ask.objects.filter(campaign__slug=CHINA_SLUG).exclude(evidence=None).first()
    sign_in(client, page, live_server, demo_lead)
    pages = [
        "/",
        "/campaigns/",
        f"/campaigns/{CHINA_SLUG}/",
        f"/campaigns/{CHINA_SLUG}/members/",
        f"/campaigns/{CHINA_SLUG}/edit/",
        "/asks/",
        "/asks/?status=in_progress&q=report",
        ask.get_absolute_url(),
        f"/asks/{ask.pk}/edit/",
        f"/asks/{ask.pk}/evidence/new/",
        "/asks/new/",
        "/accounts/settings/",
        "/digests/",
    ]
    found = {}
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if violations := axe_violations(page):
            found[path] = violations
    assert found == {}


def test_public_pages_are_accessible(live_server, page, demo_lead):
    """What anyone on the internet reads, signed in or not."""
    published = Ask.objects.filter(campaign__slug=CHINA_SLUG, published=True, public_id__isnull=False).first()
    found = {}
    base = f"/p/{CHINA_SLUG}/"
    for path in (base, f"{base}{published.public_id}/", f"{base}{published.public_id}/suggest/", f"{base}embed/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if violations := axe_violations(page):
            found[path] = violations
    assert found == {}
