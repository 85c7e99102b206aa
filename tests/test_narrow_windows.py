"""No staff page scrolls sideways on a phone (390 px wide), and the admin's
ask list fits a 1280 px window, in a real headless Chromium on the demo data."""

import os

import pytest
from django.core.management import call_command

from accounts.models import User
from campaign.demo import CHINA_SLUG, DEMO_USERS
from campaign.models import Ask
from tests.conftest import plain_static_storage
from tests.two_factor import force_login_verified

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# How far the page reaches past the window's right edge, and what reaches furthest.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
    .map(el => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")} right=${Math.round(el.getBoundingClientRect().right)}`);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(-5)};
}"""


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    plain_static_storage(settings)
    settings.MEDIA_ROOT = tmp_path / "media"
    with open(os.devnull, "w") as quiet:
        call_command("load_ishr_demo", stdout=quiet)
        call_command("compile_summaries", stdout=quiet)


def sign_in(client, page, live_server, user):
    """The browser takes over a session of Django's test client, past the
    second factor the admin asks of staff."""
    force_login_verified(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_no_staff_page_scrolls_sideways_on_a_phone(live_server, page, client, demo):
    sign_in(client, page, live_server, User.objects.get(email=DEMO_USERS["lead"][0]))
    page.set_viewport_size(PHONE)
    ask = Ask.objects.filter(campaign__slug=CHINA_SLUG).exclude(evidence=None).first()
    pages = [
        "/",
        "/asks/",
        ask.get_absolute_url(),
        f"/campaigns/{CHINA_SLUG}/",
        "/campaigns/",
        "/asks/new/",
        "/accounts/settings/",
        "/digests/",
        # And the rest of a lead's pages.
        f"/asks/{ask.pk}/edit/",
        f"/asks/{ask.pk}/evidence/new/",
        f"/asks/{ask.pk}/status/",
        f"/campaigns/{CHINA_SLUG}/members/",
        f"/campaigns/{CHINA_SLUG}/edit/",
        "/asks/?status=in_progress&q=report",
    ]
    too_wide = {}
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        measured = page.evaluate(OVERFLOW)
        if measured["scrollWidth"] > measured["innerWidth"]:
            too_wide[path] = measured
    assert too_wide == {}


def test_admin_ask_list_fits_a_desktop_window(live_server, page, client, demo, superuser):
    sign_in(client, page, live_server, superuser)
    page.set_viewport_size(DESKTOP)
    response = page.goto(live_server.url + "/admin/campaign/ask/")
    assert response.status == 200
    widths = page.evaluate(
        """() => {
          const table = document.querySelector("#result_list");
          const container = table.closest(".results") || table.parentElement;
          return {table: table.getBoundingClientRect().width, container: container.clientWidth,
                  page: document.documentElement.scrollWidth, window: window.innerWidth};
        }"""
    )
    assert widths["table"] <= widths["container"], widths
    assert widths["page"] <= widths["window"], widths
