"""The public tracker in a real headless Chromium (issue 20): a lead
unpublishes and republishes the demo campaign and an anonymous reader sees
exactly what it should at each step; the widget renders inside an iframe on
another origin, where the other public pages refuse to be framed."""

import http.server
import os
import threading

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from campaign.demo import CHINA_SLUG
from campaign.models import Ask
from tests.conftest import plain_static_storage

pytestmark = pytest.mark.browser

PASSWORD = "a long browser test passphrase"
FIRST_ASK = "Immediately publish the OHCHR report on the Uyghur region"


@pytest.fixture
def demo(transactional_db, settings):
    plain_static_storage(settings)
    call_command("load_ishr_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    lead = User.objects.get(email="mei.lin@example.org")
    lead.set_password(PASSWORD)
    lead.save()
    return lead


@pytest.fixture
def other_origin():
    """A partner's site: a second server, on another port, so another origin."""
    pages = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def test_lead_unpublishes_and_republishes_and_an_anonymous_reader_follows(live_server, browser, demo):
    public_url = f"{live_server.url}/p/{CHINA_SLUG}/"
    reader = browser.new_context()
    anonymous = reader.new_page()
    anonymous.goto(public_url)
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("UN High Commissioner's visit to China: follow-up")
    expect(anonymous.get_by_role("link", name=FIRST_ASK)).to_be_visible()
    expect(anonymous.get_by_text("Raised with OHCHR staff in a closed meeting")).to_have_count(0)
    assert reader.cookies() == []

    staff = browser.new_context()
    lead_page = staff.new_page()
    lead_page.goto(live_server.url + "/accounts/login/")
    lead_page.get_by_label("Email").fill(demo.email)
    lead_page.get_by_label("Password").fill(PASSWORD)
    lead_page.get_by_role("button", name="Log in").click()
    lead_page.goto(f"{live_server.url}/campaigns/{CHINA_SLUG}/")
    lead_page.get_by_role("link", name="Public page").click()
    expect(lead_page.locator("#publication-state")).to_contain_text("Published")

    # Unpublish, after the confirmation dialog.
    lead_page.once("dialog", lambda dialog: dialog.accept())
    lead_page.get_by_role("button", name="Unpublish campaign").click()
    expect(lead_page.locator("#publication-state")).to_contain_text("Not published")
    # A reader's browser may keep its copy for PUBLIC_MAX_AGE; reloading asks the server, which has none.
    anonymous.goto(public_url)
    response = anonymous.reload()
    assert response.status == 404
    expect(anonymous.get_by_role("heading", name="Not found")).to_be_visible()
    assert anonymous.request.get(f"{public_url}feed.atom").status == 404

    # Republishing needs the box ticked that says publishing is permanent for feed readers.
    lead_page.get_by_label("Public title").fill("China: what the UN was asked in 2022")
    lead_page.get_by_role("button", name="Publish campaign").click()
    expect(lead_page.get_by_text("Tick the box to confirm")).to_be_visible()
    lead_page.get_by_label("I understand").check()
    lead_page.get_by_role("button", name="Publish campaign").click()
    expect(lead_page.get_by_text("Campaign published.")).to_be_visible()

    anonymous.goto(public_url)
    anonymous.reload()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("China: what the UN was asked in 2022")
    anonymous.get_by_role("link", name=FIRST_ASK).click()
    expect(anonymous.locator("#public-status")).to_have_text("Met")
    expect(anonymous.get_by_role("link", name="A/HRC/51/47")).to_have_count(0)  # not linked to this ask
    assert reader.cookies() == []


def test_the_widget_renders_in_an_iframe_on_another_origin_and_other_pages_refuse(
    live_server, page, demo, other_origin
):
    origin, pages = other_origin
    pages["/partner.html"] = (
        "<!doctype html><title>Partner</title><h1>Our partner's tracker</h1>"
        f'<iframe id="widget" title="Tracker" src="{live_server.url}/p/{CHINA_SLUG}/embed/" width="600" height="500"></iframe>'
        f'<iframe id="page" title="Page" src="{live_server.url}/p/{CHINA_SLUG}/" width="600" height="300"></iframe>'
    )
    page.goto(f"{origin}/partner.html")
    widget = page.frame_locator("#widget")
    expect(widget.get_by_role("heading", name="UN High Commissioner's visit to China: follow-up")).to_be_visible()
    expect(widget.get_by_role("link", name=FIRST_ASK)).to_be_visible()
    expect(widget.locator("svg.progress-stack rect")).not_to_have_count(0)
    assert widget.locator("form").count() == 0
    # The full page may not be framed: nothing of it renders in the partner's frame.
    page.wait_for_timeout(500)
    assert page.frame_locator("#page").get_by_text(FIRST_ASK).count() == 0
    assert Ask.objects.filter(published=True).count() == 5
