"""A viewer of the demo campaign, in a real headless Chromium, reads only the
pseudonym of the defender at high risk: on the ask page, the people list and
the person's page; and the real name of Cao Shunli, who is at no risk and is
the memorial campaign's public subject. An editor reads the defender's name."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from campaign.demo import CHINA_SLUG
from campaign.models import Person
from tests.conftest import plain_static_storage

pytestmark = pytest.mark.browser

PASSWORD = "a long browser test passphrase"


@pytest.fixture
def demo(transactional_db, settings):
    plain_static_storage(settings)
    call_command("load_ishr_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for email in ("paul.dubois@example.org", "tomas.berg@example.org"):
        user = User.objects.get(email=email)
        user.set_password(PASSWORD)
        user.save()
    return Person.objects.get(campaign__slug=CHINA_SLUG, risk=Person.Risk.HIGH)


def _log_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello", exact=False)).to_be_visible()


def test_a_viewer_sees_pseudonyms_of_people_at_risk_and_an_editor_their_names(live_server, page, demo):
    defender = demo
    ask = defender.asks.get()
    _log_in(page, live_server, "paul.dubois@example.org")  # a viewer of the China campaign

    page.goto(live_server.url + ask.get_absolute_url())
    people = page.locator("#ask-people")
    expect(people.get_by_role("link", name=defender.pseudonym)).to_be_visible()
    expect(people).to_contain_text("High risk")
    for spelling in defender.spellings:
        expect(page.locator("body")).not_to_contain_text(spelling)

    people.get_by_role("link", name=defender.pseudonym).click()
    expect(page).to_have_url(live_server.url + f"/people/{defender.pseudonym}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(defender.pseudonym)
    for spelling in defender.spellings:
        expect(page.locator("body")).not_to_contain_text(spelling)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    page.goto(live_server.url + f"/campaigns/{CHINA_SLUG}/people/")
    expect(page.locator("#people")).to_contain_text(defender.pseudonym)
    expect(page.get_by_role("button", name="Download names")).to_have_count(0)

    # At no risk and agreed to be named publicly: the viewer reads her name.
    memorial_ask = Person.objects.get(name="Cao Shunli").asks.get()
    page.goto(live_server.url + memorial_ask.get_absolute_url())
    expect(page.locator("#ask-people").get_by_role("link", name="Cao Shunli")).to_be_visible()

    # An editor of the campaign reads the defender's name, with the pseudonym beside it.
    page.context.clear_cookies()
    _log_in(page, live_server, "tomas.berg@example.org")
    page.goto(live_server.url + ask.get_absolute_url())
    expect(page.locator("#ask-people").get_by_role("link", name=defender.name)).to_be_visible()
    expect(page.locator("#ask-people")).to_contain_text(defender.pseudonym)
