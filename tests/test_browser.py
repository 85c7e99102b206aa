"""A staff member's day in a real headless Chromium (Debian's package, driven by
Playwright): log in, open the demo campaign, record an ask, change its status
with a note, upload a PDF as evidence, see both on the ask page, log out."""

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from campaign.demo import CHINA_SLUG
from campaign.models import Ask, Evidence, Update
from tests.campaign.test_uploads import minimal_pdf
from tests.conftest import plain_static_storage

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "a long browser test passphrase"


@pytest.fixture
def staff_member(transactional_db, settings, tmp_path):
    plain_static_storage(settings)
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_ishr_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = User.objects.get(email="tomas.berg@example.org")  # an editor of the demo campaign, not staff
    user.set_password(PASSWORD)
    user.save()
    return user


def test_staff_member_records_an_ask_changes_its_status_and_adds_a_pdf(live_server, page, staff_member, tmp_path):
    csp_violations = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text)
    )
    pdf = tmp_path / "Letter to the High Commissioner.pdf"
    pdf.write_bytes(minimal_pdf())
    deadline = timezone.localdate() + datetime.timedelta(days=3)

    # Log in.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
    page.get_by_label("Email").fill("Tomas.Berg@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Tomas")).to_be_visible()

    # Open the demo campaign.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="UN High Commissioner's visit to China: follow-up").click()
    expect(page).to_have_url(live_server.url + f"/campaigns/{CHINA_SLUG}/")

    # Record an ask.
    page.get_by_role("link", name="Record an ask").first.click()
    page.get_by_label("Target").select_option(index=1)
    page.get_by_label("Title").fill("Publish the list of detained lawyers")
    page.get_by_label("Wording").fill("The government should publish the names of all detained lawyers.")
    page.get_by_label("Owner").select_option(label="Tomas Berg")
    page.get_by_label("Deadline", exact=True).fill(deadline.isoformat())
    page.get_by_role("button", name="Record ask").click()
    expect(page.get_by_role("heading", name="Publish the list of detained lawyers")).to_be_visible()
    expect(page.get_by_text("in 3 days")).to_be_visible()
    ask = Ask.objects.get(title="Publish the list of detained lawyers")

    # Change its status with a note (in place, through htmx).
    status_panel = page.get_by_role("region", name="Change status")
    status_panel.get_by_label("New status").select_option(label="In progress")
    status_panel.get_by_label("Note").fill("Raised with the mission in Geneva.")
    status_panel.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("changed to In progress")).to_be_visible()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Raised with the mission in Geneva.")
    expect(timeline).to_contain_text("In progress")
    assert Update.objects.filter(ask=ask, new_status="in_progress").count() == 1

    # Upload a PDF as evidence.
    page.get_by_role("link", name="Add evidence").first.click()
    page.get_by_label("Title").fill("Letter to the High Commissioner")
    page.get_by_label("Kind").select_option(label="Statement")
    page.get_by_label("File").set_input_files(pdf)
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Evidence “Letter to the High Commissioner” added.")).to_be_visible()
    evidence_panel = page.get_by_role("region", name="Evidence")
    expect(evidence_panel).to_contain_text("Letter to the High Commissioner")
    expect(evidence_panel.get_by_role("link", name="Download Letter to the High Commissioner.pdf")).to_be_visible()
    evidence = Evidence.objects.get(title="Letter to the High Commissioner")
    assert (evidence.content_type, evidence.file_size) == ("application/pdf", len(minimal_pdf()))

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "ask-page.png", full_page=True)

    # Log out.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(live_server.url + ask.get_absolute_url())
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert csp_violations == []


def test_a_lead_confirms_before_removing_a_member_and_can_change_their_mind(live_server, page, staff_member):
    from campaign.models import Membership

    lead = User.objects.get(email="mei.lin@example.org")
    lead.set_password(PASSWORD)
    lead.save()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + f"/campaigns/{CHINA_SLUG}/members/")
    remove = page.get_by_role("button", name=f"Remove {staff_member}")
    questions = []

    # Cancelled: nothing happens.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    remove.click()
    expect(remove).to_be_visible()
    assert Membership.objects.filter(user=staff_member, campaign__slug=CHINA_SLUG).exists()

    # Confirmed: removed, and the page says so.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    remove.click()
    expect(page.get_by_text(f"{staff_member} was removed from")).to_be_visible()
    assert not Membership.objects.filter(user=staff_member, campaign__slug=CHINA_SLUG).exists()
    assert (
        questions
        == [
            f"Remove {staff_member} from “UN High Commissioner's visit to China: follow-up”? "
            "They will no longer see its asks and evidence. Their updates and evidence stay."
        ]
        * 2
    )
