"""A campaign's asks are counted one way everywhere: a draft has not been made
of anyone yet, so it is counted apart and never as open; a withdrawn ask counts,
as closed. The dashboard, the campaign page, the digest and the weekly summary
agree with each other."""

import datetime
import re

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaign.mail.digests import digests_send
from campaign.mail.outbox import email_deliver_all
from campaign.summaries import summary_figures
from tests.factories import AskFactory


def test_dashboard_campaign_page_digest_and_summary_count_the_same_asks(client, campaign, target, lead):
    for status in ("draft", "open", "in_progress", "met", "withdrawn"):
        AskFactory(campaign=campaign, target=target, status=status, title=f"A {status} ask")
    # 4 asks (the draft apart), 2 of them open.
    client.force_login(lead)

    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "· 4 asks and 1 draft" in dashboard

    page = client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()
    assert "4 asks, 2 open, and 1 draft not yet made." in page

    lead.digest_frequency, lead.digest_hour, lead.digest_when_quiet = "daily", 8, True
    lead.save()
    moment = timezone.localtime(timezone.now(), lead.zone).replace(hour=8, minute=5) + datetime.timedelta(days=1)
    with time_machine.travel(moment, tick=False):
        digests_send()
        email_deliver_all()
    (email,) = [message for message in mail.outbox if lead.email in message.to]
    assert "2 open of 4 asks" in email.body
    assert "1 draft not yet made" in email.body
    html = email.alternatives[0][0]
    assert re.search(r"2 open of 4 asks", html)

    now = timezone.now() + datetime.timedelta(minutes=1)
    figures = summary_figures(campaign=campaign, start=now - datetime.timedelta(days=7), end=now)
    assert figures["total_asks"] == 4
    assert figures["asks_by_status"]["draft"] == 1
