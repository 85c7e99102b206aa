"""What users noticed in the admin's corners: the 2FA app's name, the outbound
email kind filter, the history's empty cells, and the past-deadline date."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from campaign.forms import AskForm
from campaign.models import Ask, OutboundEmail
from tests.factories import AskFactory
from tests.two_factor import force_login_verified


@pytest.fixture
def admin_client(client, superuser):
    force_login_verified(client, superuser)
    return client


def test_admin_index_names_the_two_factor_app_readably(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "Two-factor devices" in html
    assert "Otp_Totp" not in html and "OTP_TOTP" not in html


def test_outbound_email_kind_filter_offers_every_kind_before_any_was_sent(admin_client, superuser):
    url = reverse("admin:campaign_outboundemail_changelist")
    html = admin_client.get(url).content.decode()

    assert all(f"?kind={kind}" in html for kind in ("reminder", "status-change", "digest"))
    OutboundEmail.objects.create(dedupe_key="a", kind="digest", to=superuser.email, subject="Week", body_text=".")
    OutboundEmail.objects.create(dedupe_key="b", kind="reminder", to=superuser.email, subject="Due", body_text=".")
    assert [email.subject for email in admin_client.get(url, {"kind": "digest"}).context["cl"].result_list] == ["Week"]


def test_history_shows_a_dash_for_no_user_and_no_reason(admin_client, campaign):
    ask = AskFactory(campaign=campaign)  # saved outside a request: no user, no reason

    html = admin_client.get(reverse("admin:campaign_ask_history", args=[ask.pk])).content.decode()

    table = html[html.index('id="change-history"') :]
    assert "None" not in table
    assert "—" in table


@time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False)
def test_past_deadline_error_writes_the_day_without_a_leading_zero(campaign, target, lead):
    ask = AskFactory(campaign=campaign, target=target)
    Ask.objects.filter(pk=ask.pk).update(created_at=datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC))
    ask.refresh_from_db()
    data = {
        "campaign": campaign.pk,
        "target": target.pk,
        "title": ask.title,
        "wording": ask.wording,
        "priority": ask.priority,
        "deadline": "2026-11-30",
        "version": ask.version,
    }

    form = AskForm(data, instance=ask, user=lead)

    assert not form.is_valid()
    assert "before the ask was recorded (7 Dec 2026)" in form.errors["deadline"][0]
